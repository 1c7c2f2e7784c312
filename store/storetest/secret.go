package storetest

import (
	"context"
	"testing"

	"github.com/forgehook/forgehook/hooks"
)

// testSecrets checks that hook secrets come back as stored, and that
// resealing touches exactly the hooks that have one.
func (s suite) testSecrets(t *testing.T) {
	ctx := context.Background()
	db, _ := s.open(t)
	if ok, err := db.HasSealedSecrets(ctx); err != nil || ok {
		t.Fatalf("sealed secrets=%v (%v) in an empty database, want false", ok, err)
	}
	signed := MustCreateHook(t, db, "o", "r", "http://a.example/")
	unsigned := &hooks.Hook{Owner: "o", Repo: "r", Active: true,
		Config: hooks.HookConfig{URL: "http://b.example/", ContentType: hooks.ContentJSON}}
	if err := db.CreateHook(ctx, unsigned); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.HasSealedSecrets(ctx); err != nil || !ok {
		t.Fatalf("sealed secrets=%v (%v) with a signed hook, want true", ok, err)
	}
	n, err := db.ResealSecrets(ctx)
	if err != nil || n != 1 {
		t.Fatalf("resealed %d (%v), want 1: only the signed hook", n, err)
	}
	for _, want := range []*hooks.Hook{signed, unsigned} {
		got, err := db.FindHookByID(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Config.Secret != want.Config.Secret {
			t.Fatalf("hook %d secret=%q, want %q", want.ID, got.Config.Secret, want.Config.Secret)
		}
	}
	cfg := signed.Config
	cfg.Secret = "n3w"
	if _, err := db.UpdateHook(ctx, signed.ID, hooks.HookUpdate{Config: &cfg}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.FindHookByID(ctx, signed.ID); err != nil || got.Config.Secret != cfg.Secret {
		t.Fatalf("secret after update=%+v (%v), want %q", got, err, cfg.Secret)
	}
}
