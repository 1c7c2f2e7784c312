package storetest

import (
	"context"
	"maps"
	"testing"

	"github.com/forgehook/forgehook/hooks"
)

// testHookConfigAdditions: a hook's branch filter, custom headers and
// signature scheme are stored with it and replaced by updates; the headers
// are sealed, so the database is of no use without its key.
func (s suite) testHookConfigAdditions(t *testing.T) {
	ctx := context.Background()
	db, _ := s.open(t)
	cfg := hooks.HookConfig{URL: "https://ci.example/", Secret: "s3cret", BranchFilter: "{main,release/*}",
		Headers: map[string]string{"Authorization": "Bearer t0ken"}, Signature: hooks.SignatureStandardWebhooks}
	h := &hooks.Hook{Owner: "o", Repo: "r", Config: cfg}
	if err := db.CreateHook(ctx, h); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindHookByID(ctx, h.ID)
	if err != nil || got.Config.BranchFilter != cfg.BranchFilter || got.Config.Signature != cfg.Signature ||
		!maps.Equal(got.Config.Headers, cfg.Headers) {
		t.Fatalf("stored config = %+v (%v), want %+v", got.Config, err, cfg)
	}
	if sealed, err := db.HasSealedSecrets(ctx); err != nil || !sealed {
		t.Fatalf("HasSealedSecrets = %v, %v; want true", sealed, err)
	}
	next := hooks.HookConfig{URL: "https://ci.example/", Secret: "s3cret", Headers: map[string]string{"X-Team": "a"}}
	if _, err := db.UpdateHook(ctx, h.ID, hooks.HookUpdate{Config: &next}); err != nil {
		t.Fatal(err)
	}
	got, err = db.FindHookByID(ctx, h.ID)
	if err != nil || got.Config.BranchFilter != "" || got.Config.Signature != "" || !maps.Equal(got.Config.Headers, next.Headers) {
		t.Fatalf("updated config = %+v (%v), want %+v", got.Config, err, next)
	}
	if n, err := db.ResealSecrets(ctx); err != nil || n != 2 {
		t.Fatalf("ResealSecrets = %d, %v; want the secret and the headers", n, err)
	}
}
