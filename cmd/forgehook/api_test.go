package main_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// TestAPI_GoGithubHookLifecycle drives create, list, get, edit, ping and
// delete with go-github, through BaseURL and through WithEnterpriseURLs.
func TestAPI_GoGithubHookLifecycle(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "api")
	e.MustStart()
	recv := hookstest.NewReceiver(t, "pingsecret")
	ctx := context.Background()
	for _, enterprise := range []bool{false, true} {
		name := "BaseURL"
		if enterprise {
			name = "WithEnterpriseURLs"
		}
		t.Run(name, func(t *testing.T) {
			gh := e.Client(enterprise).Repositories
			created, resp, err := gh.CreateHook(ctx, "acme", "api", &github.Hook{
				Config: &github.HookConfig{URL: github.String(recv.URL + "/" + name), ContentType: github.String("json"), Secret: github.String("pingsecret")},
				Events: []string{"push", "create"},
			})
			if err != nil {
				t.Fatalf("CreateHook: %v", err)
			}
			if resp.StatusCode != http.StatusCreated || resp.Header.Get("Location") != created.GetURL() {
				t.Errorf("status=%d Location=%q, want 201 and %q", resp.StatusCode, resp.Header.Get("Location"), created.GetURL())
			}
			if created.GetID() == 0 || !created.GetActive() || created.GetName() != "web" || created.GetType() != "Repository" ||
				created.Config.GetSecret() != "********" || created.Config.GetInsecureSSL() != "0" || created.GetPingURL() == "" || created.GetTestURL() == "" {
				t.Errorf("created hook = %+v, config %+v", created, created.Config)
			}
			if lr := created.LastResponse; lr["status"] != "unused" {
				t.Errorf("last_response = %v, want status unused", lr)
			}

			got, _, err := gh.GetHook(ctx, "acme", "api", created.GetID())
			if err != nil || got.GetID() != created.GetID() || !slices.Equal(got.Events, []string{"push", "create"}) {
				t.Fatalf("GetHook = %+v, %v", got, err)
			}
			list, _, err := gh.ListHooks(ctx, "acme", "api", nil)
			if err != nil || !slices.ContainsFunc(list, func(h *github.Hook) bool { return h.GetID() == created.GetID() }) {
				t.Fatalf("ListHooks = %d hooks, %v; want the created one", len(list), err)
			}

			// EditHook round-trips the fetched hook (masked secret included).
			got.Events = []string{"push"}
			got.Active = github.Bool(false)
			edited, _, err := gh.EditHook(ctx, "acme", "api", got.GetID(), got)
			if err != nil || edited.GetActive() || !slices.Equal(edited.Events, []string{"push"}) || edited.Config.GetSecret() != "********" {
				t.Fatalf("EditHook = active %v events %v secret %q, %v", edited.GetActive(), edited.Events, edited.Config.GetSecret(), err)
			}

			if _, err := gh.PingHook(ctx, "acme", "api", created.GetID()); err != nil {
				t.Fatalf("PingHook: %v", err)
			}
			pings := recv.WaitFor(t, "ping", 2, wait) // one on create, one on request
			var ping *github.PingEvent
			for _, r := range pings {
				if p, ok := r.Parsed.(*github.PingEvent); ok && p.GetHookID() == created.GetID() {
					ping = p
				}
			}
			if ping == nil || ping.GetZen() == "" || ping.GetHook().GetID() != created.GetID() || ping.GetRepo().GetFullName() != "acme/api" {
				t.Fatalf("no verified ping for hook %d among %d pings", created.GetID(), len(pings))
			}

			if _, err := gh.DeleteHook(ctx, "acme", "api", created.GetID()); err != nil {
				t.Fatalf("DeleteHook: %v", err)
			}
			_, _, err = gh.GetHook(ctx, "acme", "api", created.GetID())
			var er *github.ErrorResponse
			if !errors.As(err, &er) || er.Response.StatusCode != http.StatusNotFound || er.Message != "Not Found" {
				t.Fatalf("GetHook after delete: %v, want 404 Not Found", err)
			}
		})
	}
}
