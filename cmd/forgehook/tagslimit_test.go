package main_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// refEvents returns the received deliveries as "event ref" (pings left out).
func refEvents(t *testing.T, got []*hookstest.Received) []string {
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
			out = append(out, "create "+p.GetRef())
		}
	}
	return out
}

// TestMaxTagsPerPush: as on GitHub, a push of more than three tags makes no
// events for its tags, and its branch still gets its push; three tags at once
// get theirs. Deliveries to a hook go out in push order, so once the events
// of the later three-tag push are in, any of the four tags would be too.
func TestMaxTagsPerPush(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "tags")
	d := e.MustStart()
	recv := hookstest.NewReceiver(t, "t")
	e.MustCreateHook("acme", "tags", recv.URL, "json", "t", "push", "create")
	c := e.WS.MustClone(bare, "work")
	c.Commit("base", map[string]string{"f": "1"})
	c.Push("origin", "main")
	c.Commit("second", map[string]string{"f": "2"})
	for _, tag := range []string{"v1", "v2", "v3", "v4", "w1", "w2", "w3"} {
		c.Git("tag", tag)
	}
	c.Push("origin", "main", "v1", "v2", "v3", "v4") // 4 tags + 1 branch in one push
	c.Push("origin", "w1", "w2", "w3")               // 3 tags in one push

	want := []string{"push refs/heads/main", "create main", "push refs/heads/main",
		"push refs/tags/w1", "create w1", "push refs/tags/w2", "create w2", "push refs/tags/w3", "create w3"}
	got := refEvents(t, recv.WaitFor(t, "", len(want)+1, wait)) // + the ping
	slices.Sort(got)                                            // the order of refs within one push is git's
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
	if logs := d.Logs(); !strings.Contains(logs, "level=INFO") || !strings.Contains(logs, "tags_skipped=4 max_tags_per_push=3") {
		t.Fatalf("no INFO line about the 4 skipped tags in the daemon's log:\n%s", logs)
	}
}

// TestMaxTagsPerPush_ZeroIsNoLimit: with --max-tags-per-push 0 every tag of a
// push gets its events.
func TestMaxTagsPerPush_ZeroIsNoLimit(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "tags")
	e.MustStart("--max-tags-per-push", "0")
	recv := hookstest.NewReceiver(t, "t")
	e.MustCreateHook("acme", "tags", recv.URL, "json", "t", "push", "create")
	c := e.WS.MustClone(bare, "work")
	c.Commit("base", map[string]string{"f": "1"})
	for _, tag := range []string{"v1", "v2", "v3", "v4"} {
		c.Git("tag", tag)
	}
	c.Push("origin", "main", "v1", "v2", "v3", "v4")

	want := []string{"push refs/heads/main", "create main", "push refs/tags/v1", "create v1", "push refs/tags/v2", "create v2",
		"push refs/tags/v3", "create v3", "push refs/tags/v4", "create v4"}
	got := refEvents(t, recv.WaitFor(t, "", len(want)+1, wait))
	slices.Sort(got) // the order of refs within one push is git's
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
}
