package main_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

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

	want := []string{"ping", "push refs/heads/main", "create branch main", "push refs/heads/main",
		"push refs/tags/w1", "create tag w1", "push refs/tags/w2", "create tag w2", "push refs/tags/w3", "create tag w3"}
	got := refsOf(t, recv.WaitFor(t, "", len(want), wait))
	slices.Sort(got) // the order of refs within one push is git's
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

	want := []string{"ping", "push refs/heads/main", "create branch main", "push refs/tags/v1", "create tag v1",
		"push refs/tags/v2", "create tag v2", "push refs/tags/v3", "create tag v3", "push refs/tags/v4", "create tag v4"}
	got := refsOf(t, recv.WaitFor(t, "", len(want), wait))
	slices.Sort(got) // the order of refs within one push is git's
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
}
