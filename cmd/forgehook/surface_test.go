package main_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// TestAPI_FullSurface exercises every go-github hook method of repositories
// and organizations, with both client setups.
func TestAPI_FullSurface(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "surface")
	e.MustStart()
	recv := hookstest.NewReceiver(t, "s")
	ctx := context.Background()

	// The repository, as clients such as PyGithub fetch it before its hooks.
	repo, _, err := e.Client(true).Repositories.Get(ctx, "ACME", "Surface")
	if err != nil || repo.GetFullName() != "acme/surface" || repo.GetDefaultBranch() != "main" || repo.GetID() == 0 ||
		!repo.GetPermissions()["admin"] || repo.GetOwner().GetLogin() != "acme" || repo.CreatedAt == nil ||
		!strings.HasPrefix(repo.GetURL(), e.Daemon.URL+"/api/v3/repos/") || !strings.HasPrefix(repo.GetHooksURL(), e.Daemon.URL+"/api/v3/") ||
		repo.GetCloneURL() != e.Daemon.URL+"/acme/surface.git" {
		t.Fatalf("Repositories.Get = %+v, %v", repo, err)
	}

	// A push first, so that TestHook has something to send.
	c := e.WS.MustClone(bare, "work")
	head := c.Commit("first", map[string]string{"a": "1"})
	c.Push("origin", "main")

	for _, enterprise := range []bool{false, true} {
		t.Run(fmt.Sprintf("enterprise=%v", enterprise), func(t *testing.T) {
			gh := e.Client(enterprise)
			repos := gh.Repositories

			// ListHooks over several pages.
			var ids []int64
			for i := 0; i < 5; i++ {
				h, _, err := repos.CreateHook(ctx, "acme", "surface", &github.Hook{
					Config: &github.HookConfig{URL: github.String(fmt.Sprintf("%s/page/%v/%d", recv.URL, enterprise, i)), ContentType: github.String("json")},
					Events: []string{"issues"}})
				if err != nil {
					t.Fatalf("CreateHook %d: %v", i, err)
				}
				ids = append(ids, h.GetID())
			}
			var all []*github.Hook
			opts := &github.ListOptions{PerPage: 2}
			pages := 0
			for {
				list, resp, err := repos.ListHooks(ctx, "acme", "surface", opts)
				if err != nil {
					t.Fatalf("ListHooks page %d: %v", opts.Page, err)
				}
				pages++
				all = append(all, list...)
				if resp.NextPage == 0 {
					if resp.PrevPage == 0 && pages > 1 {
						t.Errorf("last page has no prev link")
					}
					break
				}
				if resp.LastPage == 0 {
					t.Errorf("page %d: no last link", opts.Page)
				}
				opts.Page = resp.NextPage
			}
			if pages < 3 || len(all) < 5 {
				t.Fatalf("paged through %d pages, %d hooks; want >= 3 pages and >= 5 hooks", pages, len(all))
			}
			for _, id := range ids {
				if _, err := repos.DeleteHook(ctx, "acme", "surface", id); err != nil {
					t.Fatal(err)
				}
			}

			h, _, err := repos.CreateHook(ctx, "acme", "surface", &github.Hook{
				Config: &github.HookConfig{URL: github.String(fmt.Sprintf("%s/main/%v", recv.URL, enterprise)), ContentType: github.String("json"), Secret: github.String("s")},
				Events: []string{"push"}})
			if err != nil {
				t.Fatal(err)
			}
			id := h.GetID()

			cfg, _, err := repos.GetHookConfiguration(ctx, "acme", "surface", id)
			if err != nil || cfg.GetContentType() != "json" || cfg.GetSecret() != "********" || cfg.GetInsecureSSL() != "0" {
				t.Fatalf("GetHookConfiguration = %+v, %v", cfg, err)
			}
			cfg, _, err = repos.EditHookConfiguration(ctx, "acme", "surface", id, &github.HookConfig{ContentType: github.String("form")})
			if err != nil || cfg.GetContentType() != "form" || cfg.GetSecret() != "********" || cfg.GetURL() == "" {
				t.Fatalf("EditHookConfiguration = %+v, %v; want form with URL and secret kept", cfg, err)
			}

			// TestHook re-sends the latest push. The receiver may hold the
			// pushes of the subtest before: wait for one more.
			earlier := len(recv.WaitFor(t, "push", 0, wait))
			if _, err := repos.TestHook(ctx, "acme", "surface", id); err != nil {
				t.Fatalf("TestHook: %v", err)
			}
			got := recv.WaitFor(t, "push", earlier+1, wait)
			if ev := pushEvents(t, got)[len(got)-1]; ev.GetAfter() != head {
				t.Fatalf("test push after = %s, want %s", ev.GetAfter(), head)
			}

			// Deliveries: the ping and the test push, newest first.
			var deliveries []*github.HookDelivery
			for i := 0; i < polls; i++ {
				if deliveries, _, err = repos.ListHookDeliveries(ctx, "acme", "surface", id, &github.ListCursorOptions{PerPage: 100}); err != nil {
					t.Fatal(err)
				}
				if len(deliveries) >= 2 {
					break
				}
				waitBrief()
			}
			if len(deliveries) < 2 || deliveries[0].GetEvent() != "push" || deliveries[1].GetEvent() != "ping" {
				t.Fatalf("deliveries = %d, want push then ping (newest first)", len(deliveries))
			}
			d := deliveries[0]
			if d.GetGUID() == "" || d.GetStatusCode() != 200 || d.GetStatus() != "OK" || d.GetRedelivery() || d.GetRepositoryID() == 0 || d.DeliveredAt == nil {
				t.Fatalf("delivery item = %+v", d)
			}
			page1, resp, err := repos.ListHookDeliveries(ctx, "acme", "surface", id, &github.ListCursorOptions{PerPage: 1})
			if err != nil || len(page1) != 1 || resp.Cursor == "" {
				t.Fatalf("first page: %d items, cursor %q, %v", len(page1), resp.Cursor, err)
			}
			page2, _, err := repos.ListHookDeliveries(ctx, "acme", "surface", id, &github.ListCursorOptions{PerPage: 1, Cursor: resp.Cursor})
			if err != nil || len(page2) != 1 || page2[0].GetID() >= page1[0].GetID() {
				t.Fatalf("second page = %v, %v; want one older delivery", page2, err)
			}

			full, _, err := repos.GetHookDelivery(ctx, "acme", "surface", id, d.GetID())
			if err != nil || full.Request == nil || full.Request.Headers["X-GitHub-Delivery"] != d.GetGUID() || full.Request.RawPayload == nil || full.Response == nil {
				t.Fatalf("GetHookDelivery = %+v, %v", full, err)
			}
			var payload github.PushEvent
			if err := jsonUnmarshal(*full.Request.RawPayload, &payload); err != nil || payload.GetAfter() != head {
				t.Fatalf("delivery payload after = %s, %v", payload.GetAfter(), err)
			}

			// Redelivery: 202, same GUID, listed first with redelivery true.
			_, _, err = repos.RedeliverHookDelivery(ctx, "acme", "surface", id, d.GetID())
			var accepted *github.AcceptedError
			if !errors.As(err, &accepted) {
				t.Fatalf("RedeliverHookDelivery: %v, want *github.AcceptedError (202)", err)
			}
			// The receiver got d once from TestHook: wait for its second
			// delivery, with the same GUID.
			waitUntil(t, "the redelivery of "+d.GetGUID(), func() bool {
				n := 0
				for _, r := range recv.All() {
					if r.Event == "push" && r.GUID == d.GetGUID() {
						n++
					}
				}
				return n == 2
			})
			for i := 0; i < polls; i++ {
				deliveries, _, _ = repos.ListHookDeliveries(ctx, "acme", "surface", id, nil)
				if len(deliveries) >= 3 {
					break
				}
				waitBrief()
			}
			if len(deliveries) < 3 || !deliveries[0].GetRedelivery() || deliveries[0].GetGUID() != d.GetGUID() || deliveries[1].GetID() != d.GetID() {
				t.Fatalf("after redelivery the list is %d items; want the redelivery (same GUID) first, then the original", len(deliveries))
			}

			hook, _, err := repos.GetHook(ctx, "acme", "surface", id)
			if err != nil || hook.LastResponse["code"] != float64(200) || hook.LastResponse["status"] != "active" {
				t.Fatalf("last_response = %v, %v; want code 200 status active", hook.LastResponse, err)
			}
			if _, err := repos.DeleteHook(ctx, "acme", "surface", id); err != nil {
				t.Fatal(err)
			}
		})
	}

	t.Run("organization hooks", func(t *testing.T) {
		orgs := e.Client(true).Organizations
		oh, resp, err := orgs.CreateHook(ctx, "acme", &github.Hook{
			Config: &github.HookConfig{URL: github.String(recv.URL + "/org"), ContentType: github.String("json"), Secret: github.String("s")},
			Events: []string{"push"}})
		if err != nil || resp.StatusCode != http.StatusCreated || oh.GetType() != "Organization" {
			t.Fatalf("Organizations.CreateHook = %+v, %v", oh, err)
		}
		id := oh.GetID()
		if list, _, err := orgs.ListHooks(ctx, "acme", nil); err != nil || len(list) != 1 {
			t.Fatalf("Organizations.ListHooks = %d, %v", len(list), err)
		}
		if got, _, err := orgs.GetHook(ctx, "acme", id); err != nil || got.GetID() != id {
			t.Fatalf("Organizations.GetHook: %v", err)
		}
		oh.Events = []string{"push", "create"}
		if got, _, err := orgs.EditHook(ctx, "acme", id, oh); err != nil || len(got.Events) != 2 {
			t.Fatalf("Organizations.EditHook = %v, %v", got, err)
		}
		if _, _, err := orgs.GetHookConfiguration(ctx, "acme", id); err != nil {
			t.Fatalf("Organizations.GetHookConfiguration: %v", err)
		}
		if cfg, _, err := orgs.EditHookConfiguration(ctx, "acme", id, &github.HookConfig{InsecureSSL: github.String("1")}); err != nil || cfg.GetInsecureSSL() != "1" {
			t.Fatalf("Organizations.EditHookConfiguration = %v, %v", cfg, err)
		}
		if _, err := orgs.PingHook(ctx, "acme", id); err != nil {
			t.Fatalf("Organizations.PingHook: %v", err)
		}

		// An organization hook fires for every repository of the owner, with organization set.
		c.Commit("second", map[string]string{"b": "1"})
		c.Push("origin", "main")
		var orgPush *github.PushEvent
		for i := 0; i < polls && orgPush == nil; i++ {
			for _, r := range recv.All() {
				if ev, ok := r.Parsed.(*github.PushEvent); ok && r.Header.Get("X-GitHub-Hook-ID") == itoa(id) {
					orgPush = ev
					if r.Header.Get("X-GitHub-Hook-Installation-Target-Type") != "organization" {
						t.Errorf("target type = %q, want organization", r.Header.Get("X-GitHub-Hook-Installation-Target-Type"))
					}
				}
			}
			waitBrief()
		}
		if orgPush == nil || orgPush.GetOrganization().GetLogin() != "acme" || orgPush.GetRepo().GetOrganization() != "acme" {
			t.Fatalf("org hook push = %+v; want organization acme", orgPush)
		}

		var ds []*github.HookDelivery
		for i := 0; i < polls && len(ds) < 2; i++ {
			ds, _, err = orgs.ListHookDeliveries(ctx, "acme", id, nil)
			if err != nil {
				t.Fatal(err)
			}
			waitBrief()
		}
		if len(ds) < 2 {
			t.Fatalf("org deliveries = %d, want ping(s) and a push", len(ds))
		}
		if _, _, err := orgs.GetHookDelivery(ctx, "acme", id, ds[0].GetID()); err != nil {
			t.Fatalf("Organizations.GetHookDelivery: %v", err)
		}
		_, _, err = orgs.RedeliverHookDelivery(ctx, "acme", id, ds[0].GetID())
		var accepted *github.AcceptedError
		if !errors.As(err, &accepted) {
			t.Fatalf("Organizations.RedeliverHookDelivery: %v, want 202", err)
		}
		if _, err := orgs.DeleteHook(ctx, "acme", id); err != nil {
			t.Fatalf("Organizations.DeleteHook: %v", err)
		}
	})
}
