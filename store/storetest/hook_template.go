package storetest

import (
	"context"
	"testing"

	"github.com/forgehook/forgehook/hooks"
)

// testHookTemplate: a hook's request template is stored with it, replaced
// and removed by updates, and still validated against its events.
func (s suite) testHookTemplate(t *testing.T) {
	ctx := context.Background()
	db, _ := s.open(t)
	tmpl := hooks.Template{Method: "PUT", URL: "https://ci.example/job/${repository.name}", ContentType: "text/plain",
		Body: "${pusher.name} pushed \"${ref}\""}
	h := &hooks.Hook{Owner: "o", Repo: "r", Config: hooks.HookConfig{URL: "https://ci.example/", Template: tmpl}}
	if err := db.CreateHook(ctx, h); err != nil {
		t.Fatal(err)
	}
	if got, err := db.FindHookByID(ctx, h.ID); err != nil || got.Config.Template != tmpl {
		t.Fatalf("stored template = %+v (%v), want %+v", got.Config.Template, err, tmpl)
	}
	matrix := hooks.Template{Preset: hooks.PresetMatrix, Room: "!abc:example.org"}
	got, err := db.UpdateHook(ctx, h.ID, hooks.HookUpdate{Config: &hooks.HookConfig{URL: "https://m.example/", Template: matrix}})
	if err != nil {
		t.Fatal(err)
	}
	if stored, err := db.FindHookByID(ctx, h.ID); err != nil || stored.Config.Template != matrix || got.Config.Template != matrix {
		t.Fatalf("updated template = %+v (%v), want %+v", stored.Config.Template, err, matrix)
	}
	noPush := []string{"create"}
	_, err = db.UpdateHook(ctx, h.ID, hooks.HookUpdate{Events: &noPush,
		Config: &hooks.HookConfig{URL: "https://m.example/", Template: hooks.Template{Body: `{"m":"${head_commit.message}"}`}}})
	wantCode(t, err, hooks.EINVALID)
	if _, err := db.UpdateHook(ctx, h.ID, hooks.HookUpdate{Config: &hooks.HookConfig{URL: "https://m.example/"}}); err != nil {
		t.Fatal(err)
	}
	if stored, err := db.FindHookByID(ctx, h.ID); err != nil || !stored.Config.Template.IsZero() {
		t.Fatalf("template after an update without one = %+v (%v), want none", stored.Config.Template, err)
	}
}
