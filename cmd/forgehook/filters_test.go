package main_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// hookObject is a hook as the API returns it, with forgehook's config keys,
// which go-github's HookConfig does not know.
type hookObject struct {
	ID     int64 `json:"id"`
	Config struct {
		URL          string            `json:"url"`
		Secret       string            `json:"secret"`
		BranchFilter string            `json:"branch_filter"`
		Headers      map[string]string `json:"headers"`
		Signature    string            `json:"signature"`
	} `json:"config"`
}

// hookAPI sends a request with body (nil for none) to the daemon's API
// through go-github and decodes the answer into a hookObject.
func (e *Env) hookAPI(method, path string, body any) (*hookObject, error) {
	e.T.Helper()
	c := e.Client(false)
	req, err := c.NewRequest(method, path, body)
	if err != nil {
		e.T.Fatal(err)
	}
	var h hookObject
	_, err = c.Do(bg(), req, &h)
	return &h, err
}

// MustHookAPI is hookAPI for a request that must succeed.
func (e *Env) MustHookAPI(method, path string, body any) *hookObject {
	e.T.Helper()
	h, err := e.hookAPI(method, path, body)
	if err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
	return h
}

// wantValidationFailed checks that err is GitHub's 422 about field.
func wantValidationFailed(t *testing.T, what string, err error, field string) {
	t.Helper()
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != 422 || er.Message != "Validation Failed" {
		t.Fatalf("%s: err = %v, want 422 Validation Failed", what, err)
	}
	if len(er.Errors) != 1 || er.Errors[0].Field != field || er.Errors[0].Resource != "Hook" {
		t.Fatalf("%s: errors = %+v, want one about Hook %s", what, er.Errors, field)
	}
}

// refsOf lists the event and ref of each delivery received.
func refsOf(t *testing.T, got []*hookstest.Received) []string {
	t.Helper()
	var out []string
	for _, r := range got {
		if r.Err != nil {
			t.Fatalf("%s %s: %v", r.Event, r.GUID, r.Err)
		}
		switch p := r.Parsed.(type) {
		case *github.PushEvent:
			out = append(out, "push "+p.GetRef())
		case *github.CreateEvent:
			out = append(out, "create "+p.GetRefType()+" "+p.GetRef())
		case *github.DeleteEvent:
			out = append(out, "delete "+p.GetRefType()+" "+p.GetRef())
		default:
			out = append(out, r.Event)
		}
	}
	return out
}

// TestBranchFilter_OnlyMatchingRefsDelivered: a hook with a branch filter
// gets the push, create and delete events of the branches it matches and
// of no other branch or tag; its ping and test pushes are never filtered;
// the filter is validated, shown, kept by a GitHub client's edit, and set
// from the admin CLI.
func TestBranchFilter_OnlyMatchingRefsDelivered(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "filters")
	e.MustStart()
	recv := hookstest.NewReceiver(t, "bf")
	const filter = "main,{release/*,hotfix/*}"

	for _, bad := range []string{"{main", "[z-a]", "main\\"} {
		_, err := e.hookAPI("POST", "repos/acme/filters/hooks", map[string]any{
			"events": []string{"push"}, "config": map[string]any{"url": recv.URL, "branch_filter": bad}})
		wantValidationFailed(t, "create with branch_filter "+bad, err, "branch_filter")
	}
	h := e.MustHookAPI("POST", "repos/acme/filters/hooks", map[string]any{
		"events": []string{"push", "create", "delete"},
		"config": map[string]any{"url": recv.URL, "content_type": "json", "secret": "bf", "branch_filter": filter}})
	if h.Config.BranchFilter != filter {
		t.Fatalf("created config.branch_filter = %q, want %q", h.Config.BranchFilter, filter)
	}
	recv.WaitFor(t, "ping", 1, wait) // a ping has no ref: never filtered

	c := e.WS.MustClone(bare, "work")
	c.Commit("base", map[string]string{"f": "1"})
	c.Push("origin", "main")                          // push + create: matches "main"
	c.Push("origin", "main:refs/heads/feature/x")     // filtered out
	c.Push("origin", "main:refs/heads/release/1.0")   // matches release/*
	c.Git("tag", "v1")                                // tags match by their full ref: filtered out
	c.Push("origin", "v1")                            //
	c.Push("origin", "--delete", "feature/x")         // filtered out
	c.Push("origin", "main:refs/heads/hotfix/urgent") // matches hotfix/*
	c.Push("origin", "--delete", "hotfix/urgent")     // the last one: deliveries of a hook go in order

	want := []string{"ping", "push refs/heads/main", "create branch main", "push refs/heads/release/1.0",
		"create branch release/1.0", "push refs/heads/hotfix/urgent", "create branch hotfix/urgent",
		"push refs/heads/hotfix/urgent", "delete branch hotfix/urgent"}
	got := refsOf(t, recv.WaitFor(t, "", len(want), wait))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("delivered:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A test push sends the repository's latest push, even one the filter
	// keeps from the hook. A hook without a filter tells when it is in.
	all := hookstest.NewReceiver(t, "")
	e.MustCreateHook("acme", "filters", all.URL, "json", "")
	c.Push("origin", "main:refs/heads/feature/y")
	if got := refsOf(t, all.WaitFor(t, "push", 1, wait)); got[0] != "push refs/heads/feature/y" {
		t.Fatalf("the hook without a filter got %v, want the feature/y push", got)
	}
	gh := e.Client(false)
	if _, err := gh.Repositories.TestHook(bg(), "acme", "filters", h.ID); err != nil {
		t.Fatalf("test hook: %v", err)
	}
	if last := refsOf(t, recv.WaitFor(t, "", len(want)+1, wait)[len(want):]); last[0] != "push refs/heads/feature/y" {
		t.Fatalf("test push delivered %v, want the feature/y push", last)
	}

	// go-github knows nothing of branch_filter: its edit keeps it.
	if _, _, err := gh.Repositories.EditHook(bg(), "acme", "filters", h.ID, &github.Hook{
		Config: &github.HookConfig{URL: github.String(recv.URL), ContentType: github.String("json"), Secret: github.String("********")}}); err != nil {
		t.Fatalf("go-github edit: %v", err)
	}
	path := fmt.Sprintf("repos/acme/filters/hooks/%d", h.ID)
	if got := e.MustHookAPI("GET", path, nil); got.Config.BranchFilter != filter {
		t.Fatalf("after go-github's edit config.branch_filter = %q, want %q kept", got.Config.BranchFilter, filter)
	}
	_, err := e.hookAPI("PATCH", path+"/config", map[string]any{"branch_filter": "{a,b"})
	wantValidationFailed(t, "edit with an unclosed brace", err, "branch_filter")

	// The admin CLI sets it too: now only tags v*.
	out := e.MustAdmin("hook", "edit", fmt.Sprint(h.ID), "--branch-filter", "refs/tags/v*")
	if !strings.Contains(out, "Branch filter:  refs/tags/v*") {
		t.Fatalf("hook edit printed:\n%s", out)
	}
	if _, _, code := e.Admin("", "hook", "edit", fmt.Sprint(h.ID), "--branch-filter", "[!]"); code == 0 {
		t.Fatalf("hook edit --branch-filter '[!]' succeeded, want a failure")
	}
	before := len(recv.All())
	c.Push("origin", "main:refs/heads/release/2.0") // no longer matches
	c.Git("tag", "v2")
	c.Push("origin", "v2")
	got = refsOf(t, recv.WaitFor(t, "", before+2, wait)[before:])
	if got[0] != "push refs/tags/v2" || got[1] != "create tag v2" {
		t.Fatalf("after --branch-filter refs/tags/v*: delivered %v, want the push and create of tag v2 only", got)
	}
	if all := recv.All(); len(all) != before+2 {
		t.Fatalf("delivered %v after the tag, want nothing more", refsOf(t, all[before+2:]))
	}
}

// TestBranchFilter_KeptWhenTheHubResubscribes: a hub subscriber knows
// nothing of forgehook's config keys, so subscribing again keeps them.
func TestBranchFilter_KeptWhenTheHubResubscribes(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "hubkeep")
	e.MustStart()
	recv := hookstest.NewReceiver(t, "hk")
	gh := e.Client(true)
	if _, err := gh.Repositories.Subscribe(bg(), "acme", "hubkeep", "push", recv.URL, []byte("hk")); err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	list, _, err := gh.Repositories.ListHooks(bg(), "acme", "hubkeep", nil)
	if err != nil || len(list) != 1 {
		t.Fatalf("hooks: %v, %v", list, err)
	}
	path := fmt.Sprintf("repos/acme/hubkeep/hooks/%d", list[0].GetID())
	e.MustHookAPI("PATCH", path+"/config", map[string]any{"branch_filter": "main", "headers": map[string]string{"X-Token": "t"}})
	if _, err := gh.Repositories.Subscribe(bg(), "acme", "hubkeep", "create", recv.URL, []byte("hk")); err != nil {
		t.Fatalf("subscribe again: %v", err)
	}
	if got := e.MustHookAPI("GET", path, nil); got.Config.BranchFilter != "main" || got.Config.Headers["X-Token"] != "********" {
		t.Fatalf("after subscribing again: branch_filter %q, headers %v; want both kept", got.Config.BranchFilter, got.Config.Headers)
	}
}
