package main_test

import (
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// TestEvents_CreateAndDelete: branches and tags created and deleted fire
// GitHub's create and delete events, beside push.
func TestEvents_CreateAndDelete(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "refs")
	e.MustStart()
	recv := hookstest.NewReceiver(t, "cd")
	e.MustCreateHook("acme", "refs", recv.URL, "json", "cd", "create", "delete")
	c := e.WS.MustClone(bare, "work")
	c.Commit("base", map[string]string{"f": "1"})
	c.Push("origin", "main")                  // create branch main
	c.Git("tag", "-a", "v1", "-m", "v1")      // annotated tag
	c.Push("origin", "v1")                    // create tag v1
	c.Push("origin", "main:refs/heads/topic") // create branch topic
	c.Push("origin", "--delete", "topic")     // delete branch topic
	c.Push("origin", "--delete", "v1")        // delete tag v1

	type ev struct{ kind, ref, refType string }
	want := []ev{{"create", "main", "branch"}, {"create", "v1", "tag"}, {"create", "topic", "branch"},
		{"delete", "topic", "branch"}, {"delete", "v1", "tag"}}
	got := recv.WaitFor(t, "", len(want)+1, wait) // + the ping
	var seen []ev
	for _, r := range got {
		if r.Err != nil {
			t.Fatalf("%s %s: %v", r.Event, r.GUID, r.Err)
		}
		switch p := r.Parsed.(type) {
		case *github.CreateEvent:
			seen = append(seen, ev{"create", p.GetRef(), p.GetRefType()})
			if p.GetMasterBranch() != "main" || p.GetPusherType() != "user" || p.GetRepo().GetFullName() != "acme/refs" || p.GetSender().GetLogin() != "ada" {
				t.Errorf("create %s: master_branch=%q pusher_type=%q repo=%q sender=%q", p.GetRef(), p.GetMasterBranch(), p.GetPusherType(), p.GetRepo().GetFullName(), p.GetSender().GetLogin())
			}
		case *github.DeleteEvent:
			seen = append(seen, ev{"delete", p.GetRef(), p.GetRefType()})
			if p.GetPusherType() != "user" || p.GetRepo().GetFullName() != "acme/refs" {
				t.Errorf("delete %s: pusher_type=%q repo=%q", p.GetRef(), p.GetPusherType(), p.GetRepo().GetFullName())
			}
		case *github.PushEvent:
			t.Errorf("a hook subscribed to create and delete got a push")
		}
	}
	if len(seen) != len(want) {
		t.Fatalf("events = %v, want %v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Errorf("event %d = %v, want %v", i, seen[i], want[i])
		}
	}
}
