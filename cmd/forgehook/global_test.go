package main_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// globalHooks drives GitHub Enterprise Server's global webhooks API, which
// go-github v60 has no methods for, through client.NewRequest.
type globalHooks struct {
	t *testing.T
	c *github.Client
}

// do sends method path with body and decodes into v; it returns the
// response status and error.
func (g globalHooks) do(method, path string, body, v any) (int, error) {
	g.t.Helper()
	req, err := g.c.NewRequest(method, path, body)
	if err != nil {
		g.t.Fatal(err)
	}
	resp, err := g.c.Do(context.Background(), req, v)
	if resp == nil {
		g.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode, err
}

// TestGlobalHooks_AdminHookSeesEveryRepository creates a global hook under
// /admin/hooks (and reads it under /api/v3/admin/hooks) with GitHub
// Enterprise Server's shapes: it gets a ping, then the pushes of
// repositories of two owners; a token limited to a repository gets 404;
// PATCH, pings and DELETE work as on GHES.
func TestGlobalHooks_AdminHookSeesEveryRepository(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	a := e.MustRepo("acme", "one")
	b := e.MustRepo("zeta", "two")
	e.MustStart()
	recv := hookstest.NewReceiver(t, "global-secret")
	g := globalHooks{t: t, c: e.Client(false)}

	var h github.Hook
	status, err := g.do("POST", "admin/hooks", map[string]any{
		"name": "web", "events": []string{"push", "create"},
		"config": map[string]string{"url": recv.URL, "content_type": "json", "secret": "global-secret", "insecure_ssl": "0"},
	}, &h)
	if err != nil || status != 201 {
		t.Fatalf("POST /admin/hooks: %d %v", status, err)
	}
	if h.GetType() != "Global" || h.GetURL() != fmt.Sprintf("%s/admin/hooks/%d", e.Daemon.URL, h.GetID()) ||
		h.GetPingURL() != h.GetURL()+"/pings" || h.Config.GetSecret() != "********" {
		t.Errorf("created hook: type %q url %q ping_url %q secret %q, want Global, /admin/hooks/%d, its /pings, masked",
			h.GetType(), h.GetURL(), h.GetPingURL(), h.Config.GetSecret(), h.GetID())
	}
	ping := recv.WaitFor(t, "ping", 1, wait)[0]
	if tt := ping.Header.Get("X-GitHub-Hook-Installation-Target-Type"); tt != "business" {
		t.Errorf("ping X-GitHub-Hook-Installation-Target-Type = %q, want business", tt)
	}

	for _, bare := range []string{a, b} {
		c := e.WS.MustClone(bare, "work-"+bare[len(bare)-8:])
		c.Commit("hello", map[string]string{"f.txt": "x"})
		c.Push("origin", "main")
	}
	seen := map[string]bool{}
	for _, ev := range pushEvents(t, recv.WaitFor(t, "push", 2, wait)) {
		seen[ev.GetRepo().GetFullName()] = true
	}
	if !seen["acme/one"] || !seen["zeta/two"] {
		t.Errorf("global hook got pushes of %v, want acme/one and zeta/two", seen)
	}
	recv.WaitFor(t, "create", 2, wait)

	ent := globalHooks{t: t, c: e.Client(true)}
	var list []*github.Hook
	if status, err := ent.do("GET", "admin/hooks", nil, &list); err != nil || status != 200 || len(list) != 1 || list[0].GetID() != h.GetID() {
		t.Fatalf("GET /api/v3/admin/hooks: %d %v %d hooks, want the one", status, err, len(list))
	}
	var got github.Hook
	if status, err := g.do("PATCH", fmt.Sprintf("admin/hooks/%d", h.GetID()), map[string]any{"events": []string{"push"}, "active": false}, &got); err != nil || status != 200 {
		t.Fatalf("PATCH: %d %v", status, err)
	}
	if got.GetActive() || len(got.Events) != 1 || got.Events[0] != "push" {
		t.Errorf("after PATCH: active %v events %v, want false [push]", got.GetActive(), got.Events)
	}
	if status, err := g.do("POST", fmt.Sprintf("admin/hooks/%d/pings", h.GetID()), nil, nil); err != nil || status != 204 {
		t.Errorf("POST pings: %d %v, want 204", status, err)
	}
	recv.WaitFor(t, "ping", 2, wait)

	limited := globalHooks{t: t, c: e.ClientWithToken(false, e.MustToken("bob", "acme/one"))}
	for _, r := range []struct{ method, path string }{{"GET", "admin/hooks"}, {"GET", fmt.Sprintf("admin/hooks/%d", h.GetID())},
		{"DELETE", fmt.Sprintf("admin/hooks/%d", h.GetID())}} {
		if status, _ := limited.do(r.method, r.path, nil, nil); status != 404 {
			t.Errorf("%s %s with a limited token: %d, want 404", r.method, r.path, status)
		}
	}
	// A repository's hook list does not show global hooks.
	if repoHooks, _, err := e.Client(false).Repositories.ListHooks(context.Background(), "acme", "one", nil); err != nil || len(repoHooks) != 0 {
		t.Errorf("acme/one hooks: %d (%v), want none", len(repoHooks), err)
	}
	if status, err := g.do("DELETE", fmt.Sprintf("admin/hooks/%d", h.GetID()), nil, nil); err != nil || status != 204 {
		t.Fatalf("DELETE: %d %v", status, err)
	}
	if status, _ := g.do("GET", fmt.Sprintf("admin/hooks/%d", h.GetID()), nil, nil); status != 404 {
		t.Errorf("GET the deleted global hook: %d, want 404", status)
	}
}
