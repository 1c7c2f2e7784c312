package main_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// TestCaseVariants_AreTwoRepositories reproduces security finding F3:
// acme/widgets.git and Acme/Widgets.git are two repositories on disk, so
// they have their own ids, hooks and deliveries, and a token scoped to one
// sees the other as 404.
func TestCaseVariants_AreTwoRepositories(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	lowerDir := e.MustRepo("acme", "widgets")
	upperDir := e.MustRepo("Acme", "Widgets")
	e.MustStart()
	scopedToken := e.MustToken("bob", "acme/widgets")
	scoped := e.ClientWithToken(false, scopedToken)
	admin := e.Client(false)
	lowerRecv := hookstest.NewReceiver(t, "")
	upperRecv := hookstest.NewReceiver(t, "")

	lowerHook, _, err := scoped.Repositories.CreateHook(bg(), "acme", "widgets", &github.Hook{
		Config: &github.HookConfig{URL: github.String(lowerRecv.URL), ContentType: github.String("json")},
		Events: []string{"push"}, Active: github.Bool(true)})
	if err != nil {
		t.Fatalf("scoped token creating a hook on its own repository: %v", err)
	}
	upperHook := e.MustCreateHook("Acme", "Widgets", upperRecv.URL, "json", "")

	lowerRepo, _, err := scoped.Repositories.Get(bg(), "acme", "widgets")
	if err != nil {
		t.Fatal(err)
	}
	upperRepo, _, err := admin.Repositories.Get(bg(), "Acme", "Widgets")
	if err != nil {
		t.Fatal(err)
	}
	if lowerRepo.GetID() == upperRepo.GetID() || lowerRepo.GetFullName() != "acme/widgets" || upperRepo.GetFullName() != "Acme/Widgets" {
		t.Fatalf("repositories %s (id %d) and %s (id %d), want two ids and the names on disk",
			lowerRepo.GetFullName(), lowerRepo.GetID(), upperRepo.GetFullName(), upperRepo.GetID())
	}
	if lowerRepo.GetOwner().GetID() == upperRepo.GetOwner().GetID() {
		t.Errorf("owners acme and Acme share account id %d", lowerRepo.GetOwner().GetID())
	}

	t.Run("ScopedTokenGets404OnTheOtherCase", func(t *testing.T) {
		for name, call := range map[string]func() (*github.Response, error){
			"get repository": func() (*github.Response, error) {
				_, r, err := scoped.Repositories.Get(bg(), "Acme", "Widgets")
				return r, err
			},
			"list hooks": func() (*github.Response, error) {
				_, r, err := scoped.Repositories.ListHooks(bg(), "Acme", "Widgets", nil)
				return r, err
			},
			"create hook": func() (*github.Response, error) {
				_, r, err := scoped.Repositories.CreateHook(bg(), "Acme", "Widgets", &github.Hook{
					Config: &github.HookConfig{URL: github.String(lowerRecv.URL)}, Events: []string{"push"}})
				return r, err
			},
			"get hook": func() (*github.Response, error) {
				_, r, err := scoped.Repositories.GetHook(bg(), "Acme", "Widgets", upperHook.GetID())
				return r, err
			},
			"the other's hook through its own path": func() (*github.Response, error) {
				_, r, err := scoped.Repositories.GetHook(bg(), "acme", "widgets", upperHook.GetID())
				return r, err
			},
			"delete hook": func() (*github.Response, error) {
				return scoped.Repositories.DeleteHook(bg(), "Acme", "Widgets", upperHook.GetID())
			},
			"list deliveries": func() (*github.Response, error) {
				_, r, err := scoped.Repositories.ListHookDeliveries(bg(), "Acme", "Widgets", upperHook.GetID(), nil)
				return r, err
			},
			"ping": func() (*github.Response, error) {
				return scoped.Repositories.PingHook(bg(), "Acme", "Widgets", upperHook.GetID())
			},
			"organization hooks of Acme": func() (*github.Response, error) {
				_, r, err := scoped.Organizations.ListHooks(bg(), "Acme", nil)
				return r, err
			},
		} {
			resp, err := call()
			if err == nil || resp == nil || resp.StatusCode != 404 {
				t.Errorf("%s on Acme/Widgets with a token for acme/widgets: %v, want 404", name, err)
			}
		}
		topic := "hub.topic=https://github.com/Acme/Widgets/events/push"
		if st, out := curl(t, "-u", "bob:"+scopedToken, e.Daemon.URL+"/hub", "-F", "hub.mode=subscribe",
			"-F", topic, "-F", "hub.callback="+lowerRecv.URL); !strings.Contains(st, " 404") {
			t.Errorf("hub subscribe to Acme/Widgets with a token for acme/widgets: %s", out)
		}
		if list, _, err := admin.Repositories.ListHooks(bg(), "Acme", "Widgets", nil); err != nil || len(list) != 1 {
			t.Errorf("Acme/Widgets has %d hooks (%v), want only its own", len(list), err)
		}
	})

	// A push to each: each hook gets its own repository's push, and nothing else.
	upper := e.WS.MustClone(upperDir, "upper")
	upperSHA := upper.Commit("private commit in Acme/Widgets", map[string]string{"secret.txt": "s\n"})
	upper.Push("origin", "main")
	upperPush := pushEvents(t, upperRecv.WaitFor(t, "push", 1, wait))[0]
	if upperPush.GetAfter() != upperSHA || upperPush.GetRepo().GetFullName() != "Acme/Widgets" || upperPush.GetRepo().GetID() != upperRepo.GetID() {
		t.Fatalf("Acme/Widgets' hook got %s of %s (id %d), want %s of Acme/Widgets (id %d)", upperPush.GetAfter(),
			upperPush.GetRepo().GetFullName(), upperPush.GetRepo().GetID(), upperSHA, upperRepo.GetID())
	}
	lower := e.WS.MustClone(lowerDir, "lower")
	lowerSHA := lower.Commit("public commit in acme/widgets", map[string]string{"a.txt": "a\n"})
	lower.Push("origin", "main")
	lowerRecv.WaitFor(t, "push", 1, wait)
	for _, ev := range pushEvents(t, lowerRecv.All()) {
		if ev.GetAfter() != lowerSHA || ev.GetRepo().GetFullName() != "acme/widgets" {
			t.Errorf("acme/widgets' hook got a push of %s to %s, want only %s to acme/widgets", ev.GetAfter(), ev.GetRepo().GetFullName(), lowerSHA)
		}
	}

	// Nor does the scoped token see Acme/Widgets' push through its own
	// hook's deliveries, listed or by id.
	upperDelivery := mustPushDeliveries(t, admin, "Acme", "Widgets", upperHook.GetID())[0]
	if _, resp, err := scoped.Repositories.GetHookDelivery(bg(), "acme", "widgets", lowerHook.GetID(), upperDelivery.GetID()); err == nil || resp == nil || resp.StatusCode != 404 {
		t.Errorf("Acme/Widgets' delivery %d through acme/widgets' hook: %v, want 404", upperDelivery.GetID(), err)
	}
	pushes := mustPushDeliveries(t, scoped, "acme", "widgets", lowerHook.GetID())
	for _, d := range pushes {
		full, _, err := scoped.Repositories.GetHookDelivery(bg(), "acme", "widgets", lowerHook.GetID(), d.GetID())
		if err != nil {
			t.Fatal(err)
		}
		payload := string(*full.Request.RawPayload)
		if d.GetRepositoryID() != lowerRepo.GetID() || strings.Contains(payload, "private commit") || !strings.Contains(payload, lowerSHA) {
			t.Errorf("delivery %d of acme/widgets' hook: repository id %d, payload %.200s; want only acme/widgets' push (id %d)",
				d.GetID(), d.GetRepositoryID(), payload, lowerRepo.GetID())
		}
	}
	if len(pushes) != 1 {
		t.Errorf("acme/widgets' hook has %d push deliveries, want 1", len(pushes))
	}
}

// mustPushDeliveries waits until hook id of owner/repo has recorded push
// deliveries, and returns them.
func mustPushDeliveries(t *testing.T, c *github.Client, owner, repo string, id int64) []*github.HookDelivery {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		ds, _, err := c.Repositories.ListHookDeliveries(bg(), owner, repo, id, &github.ListCursorOptions{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		var pushes []*github.HookDelivery
		for _, d := range ds {
			if d.GetEvent() == "push" {
				pushes = append(pushes, d)
			}
		}
		if len(pushes) > 0 {
			return pushes
		}
		if time.Now().After(deadline) {
			t.Fatalf("hook %d of %s/%s recorded no push delivery within %s", id, owner, repo, wait)
		}
		waitBrief()
	}
}

// TestCaseVariants_ScopeIsCheckedOnTheNamesOnDisk has one repository,
// acme/widgets. A URL may spell it in another case, but the token's scope is
// checked against the names on disk: a token for the nonexistent
// Acme/Widgets never reaches acme/widgets.
func TestCaseVariants_ScopeIsCheckedOnTheNamesOnDisk(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "widgets")
	e.MustStart()
	tokens := map[string]string{
		"acme/widgets": e.MustToken("bob", "acme/widgets"),
		"Acme/Widgets": e.MustToken("eve", "Acme/Widgets"),
		"acme/*":       e.MustToken("bob", "acme/*"),
		"Acme/*":       e.MustToken("eve", "Acme/*"),
	}
	recv := hookstest.NewReceiver(t, "")
	for _, tt := range []struct {
		scope, path string
		want        int
	}{
		{"acme/widgets", "/repos/acme/widgets/hooks", 200},
		{"acme/widgets", "/repos/ACME/WIDGETS/hooks", 200},
		{"Acme/Widgets", "/repos/Acme/Widgets/hooks", 404},
		{"Acme/Widgets", "/repos/acme/widgets/hooks", 404},
		{"acme/*", "/orgs/ACME/hooks", 200},
		{"Acme/*", "/orgs/Acme/hooks", 404},
		{"Acme/*", "/repos/Acme/Widgets/hooks", 404},
	} {
		req, _ := http.NewRequest("GET", e.Daemon.URL+tt.path, nil)
		req.Header.Set("Authorization", "Bearer "+tokens[tt.scope])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("GET %s with a token for %s: %d, want %d", tt.path, tt.scope, resp.StatusCode, tt.want)
		}
	}
	for _, tt := range []struct{ scope, topic, want string }{
		{"Acme/Widgets", "https://github.com/Acme/Widgets/events/push", " 404"},
		{"acme/widgets", "https://github.com/ACME/WIDGETS/events/push", " 204"},
	} {
		if st, out := curl(t, "-H", "Authorization: Bearer "+tokens[tt.scope], e.Daemon.URL+"/hub", "-F", "hub.mode=subscribe",
			"-F", "hub.topic="+tt.topic, "-F", "hub.callback="+recv.URL); !strings.Contains(st, tt.want) {
			t.Errorf("hub subscribe to %s with a token for %s: %s, want%s", tt.topic, tt.scope, out, tt.want)
		}
	}
	// The subscription through ACME/WIDGETS made a hook of acme/widgets.
	if list, _, err := e.Client(false).Repositories.ListHooks(bg(), "acme", "widgets", nil); err != nil || len(list) != 1 {
		t.Errorf("acme/widgets has %d hooks (%v), want the one subscription", len(list), err)
	}
}
