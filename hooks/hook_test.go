package hooks_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/forgehook/forgehook/hooks"
)

func TestHookValidate(t *testing.T) {
	ok := func() hooks.Hook {
		return hooks.Hook{Owner: "acme", Repo: "w", Config: hooks.HookConfig{URL: "https://ci.example/h"}}
	}
	tests := []struct {
		name      string
		edit      func(*hooks.Hook)
		wantField string // "" for valid
	}{
		{"defaults", func(*hooks.Hook) {}, ""},
		{"wildcard collapses", func(h *hooks.Hook) { h.Events = []string{"push", "*", "issues"} }, ""},
		{"name not web", func(h *hooks.Hook) { h.Name = "travis" }, "name"},
		{"missing url", func(h *hooks.Hook) { h.Config.URL = "" }, "url"},
		{"ftp url", func(h *hooks.Hook) { h.Config.URL = "ftp://x/y" }, "url"},
		{"relative url", func(h *hooks.Hook) { h.Config.URL = "/hook" }, "url"},
		{"url with credentials", func(h *hooks.Hook) { h.Config.URL = "https://u:p@x/" }, "url"},
		{"url too long", func(h *hooks.Hook) { h.Config.URL = "https://x/" + strings.Repeat("a", hooks.MaxURLLength) }, "url"},
		{"bad content type", func(h *hooks.Hook) { h.Config.ContentType = "xml" }, "content_type"},
		{"secret too long", func(h *hooks.Hook) { h.Config.Secret = strings.Repeat("s", hooks.MaxSecretLength+1) }, "secret"},
		{"unknown event", func(h *hooks.Hook) { h.Events = []string{"push", "bogus"} }, "events"},
		{"org-only event on a repo hook", func(h *hooks.Hook) { h.Events = []string{"organization"} }, "events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := ok()
			tt.edit(&h)
			err := h.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			e, isErr := err.(*hooks.Error)
			if !isErr || e.Code != hooks.EINVALID || len(e.Fields) == 0 || e.Fields[0].Field != tt.wantField {
				t.Fatalf("Validate = %#v, want EINVALID on field %q", err, tt.wantField)
			}
		})
	}
	h := ok()
	if err := h.Validate(); err != nil || h.Name != "web" || !slices.Equal(h.Events, []string{"push"}) || h.Config.ContentType != hooks.ContentForm {
		t.Fatalf("defaults: name=%q events=%v content_type=%q err=%v", h.Name, h.Events, h.Config.ContentType, err)
	}
	h = ok()
	h.Events = []string{"push", "*", "issues"}
	if _ = h.Validate(); !slices.Equal(h.Events, []string{"*"}) {
		t.Fatalf("events = %v, want [*]", h.Events)
	}
}

func TestHookUpdate_Apply(t *testing.T) {
	h := &hooks.Hook{Owner: "o", Repo: "r", Events: []string{"push"},
		Config: hooks.HookConfig{URL: "http://x/", Secret: "keep", ContentType: hooks.ContentJSON}}
	events := []string{"issues", "push"}
	err := hooks.HookUpdate{Events: &events, AddEvents: []string{"create", "push"}, RemoveEvents: []string{"issues"},
		Config: &hooks.HookConfig{URL: "http://y/", Secret: hooks.SecretMask}}.Apply(h)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(h.Events, []string{"push", "create"}) {
		t.Errorf("events = %v, want [push create]", h.Events)
	}
	if h.Config.URL != "http://y/" || h.Config.Secret != "keep" || h.Config.ContentType != hooks.ContentForm {
		t.Errorf("config = %+v, want the new URL, the kept secret, content type back to form", h.Config)
	}
}

func TestHookWants(t *testing.T) {
	h := &hooks.Hook{Events: []string{"create"}}
	if h.Wants("push") || !h.Wants("create") || !h.Wants("ping") {
		t.Fatal("Wants: want create and ping only")
	}
	if !(&hooks.Hook{Events: []string{"*"}}).Wants("push") {
		t.Fatal("a * hook does not want push")
	}
}
