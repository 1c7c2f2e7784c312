package main_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/hooks/hookstest"
	"github.com/forgehook/forgehook/internal/gittest"
	"github.com/forgehook/forgehook/store/sqlite"
)

// MustOpenStore opens the installation's database, as the daemon does.
func (e *Env) MustOpenStore() *sqlite.DB {
	e.T.Helper()
	db, err := sqlite.Open(e.DB)
	if err != nil {
		e.T.Fatal(err)
	}
	e.T.Cleanup(func() { db.Close() })
	return db
}

// MustWaitHandled waits until every recorded push was turned into events.
func (e *Env) MustWaitHandled(db *sqlite.DB, limit time.Duration) {
	e.T.Helper()
	deadline := time.Now().Add(limit)
	for {
		oldest, err := db.OldestUnhandledPush(context.Background())
		if err == nil && oldest.IsZero() {
			return
		}
		if time.Now().After(deadline) {
			e.T.Fatalf("pushes still unhandled after %v (oldest recorded %v, err %v):\n%s", limit, oldest, err, e.Daemon.Logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPipeline_ManyTagsDoNotHoldBackAnotherRepo: one push of 5,000 tags on
// one commit gets its 5,000 push events, and a one-commit push to another
// repository, recorded after it, is turned into events before the big push
// is done (its event is older than the big push's last one), not behind it.
func TestPipeline_ManyTagsDoNotHoldBackAnotherRepo(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bigBare, smallBare := e.MustRepo("acme", "big"), e.MustRepo("acme", "small")
	d := e.MustStart()
	recv := hookstest.NewReceiver(t, "s")
	e.MustCreateHook("acme", "small", recv.URL, "json", "s", "push")
	big := e.WS.MustClone(bigBare, "big")
	tip := big.Commit("base", map[string]string{"f": "1"})
	big.Push("origin", "main")
	d.Stop() // record both pushes first: which the daemon takes first is then up to it

	const tags = 5000
	var refs strings.Builder // as packed refs: 5,000 git tag runs would take long
	for i := range tags {
		fmt.Fprintf(&refs, "%s refs/tags/t%04d\n", tip, i)
	}
	f, err := os.OpenFile(filepath.Join(big.Dir, ".git", "packed-refs"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		_, err = f.WriteString(refs.String())
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		t.Fatal(err)
	}
	big.Push("origin", "--tags")
	small := e.WS.MustClone(smallBare, "small")
	small.Commit("one", map[string]string{"f": "1"})
	small.Push("origin", "main")

	e.MustStart("--max-tags-per-push", "0")
	db := e.MustOpenStore()
	e.MustWaitHandled(db, 3*time.Minute)
	if got := pushEvents(t, recv.WaitFor(t, "push", 1, wait)); got[0].GetRef() != "refs/heads/main" {
		t.Fatalf("small repo push ref=%q, want refs/heads/main", got[0].GetRef())
	}
	ctx := context.Background()
	last, err := db.LatestEvent(ctx, "acme", "big", hooks.EventPush)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(last.Payload), fmt.Sprintf(`"ref":"refs/tags/t%04d"`, tags-1)) {
		t.Fatalf("the big push's last event is not of its last tag: %.200s", last.Payload)
	}
	smallEv, err := db.LatestEvent(ctx, "acme", "small", hooks.EventPush)
	if err != nil {
		t.Fatal(err)
	}
	if smallEv.ID > last.ID {
		t.Fatalf("the small push's event (id %d) was stored after the big push's last one (id %d): held back", smallEv.ID, last.ID)
	}
	if fs, err := db.FailedRefs(ctx, 10); err != nil || len(fs) != 0 {
		t.Fatalf("failed refs=%v (%v), want none", fs, err)
	}
}

// TestPipeline_PrunedRefFailsAloneWithItsReason is gitcheck #4: with the
// daemon stopped, one push creates tmp (a new commit) and keep (an existing
// one), a second deletes tmp, and gc prunes tmp's commit. keep's events are
// delivered at once, before tmp has used up its retries; tmp is recorded as
// failed with the reason, logged once; the delete is delivered.
func TestPipeline_PrunedRefFailsAloneWithItsReason(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "prune")
	d := e.MustStart()
	recv := hookstest.NewReceiver(t, "p")
	e.MustCreateHook("acme", "prune", recv.URL, "json", "p", "push", "create", "delete")
	c := e.WS.MustClone(bare, "work")
	c.Commit("base", map[string]string{"f": "1"})
	c.Push("origin", "main")
	recv.WaitFor(t, "push", 1, wait)
	d.Stop()

	c.Git("checkout", "--quiet", "--detach")
	c.Commit("only on tmp", map[string]string{"g": "1"})
	c.Push("origin", "HEAD:refs/heads/tmp", "main:refs/heads/keep")
	c.Push("origin", "--delete", "tmp")
	gittest.Git(t, e.WS.Env, bare, "reflog", "expire", "--expire=now", "--all")
	gittest.Git(t, e.WS.Env, bare, "gc", "--quiet", "--prune=now")

	d = e.MustStart()
	db := e.MustOpenStore()
	var keep *github.PushEvent
	for _, p := range pushEvents(t, recv.WaitFor(t, "push", 2, wait)) {
		if p.GetRef() == "refs/heads/keep" {
			keep = p
		}
	}
	if keep == nil {
		t.Fatal("no push event for keep")
	}
	if fs, err := db.FailedRefs(context.Background(), 10); err != nil || len(fs) != 0 {
		t.Fatalf("tmp failed for good (%v, %v) before keep's push arrived: keep waited for tmp's retries", fs, err)
	}
	e.MustWaitHandled(db, time.Minute)
	recv.WaitFor(t, "delete", 1, wait) // the last push's, after tmp's retries
	fs, err := db.FailedRefs(context.Background(), 10)
	if err != nil || len(fs) != 1 || fs[0].Ref != "refs/heads/tmp" || !strings.Contains(fs[0].Reason, "not found") {
		t.Fatalf("failed refs=%+v (%v), want refs/heads/tmp with an object-not-found reason", fs, err)
	}
	var events []string
	for _, r := range recv.All() {
		switch p := r.Parsed.(type) {
		case *github.PushEvent:
			events = append(events, "push "+p.GetRef())
		case *github.CreateEvent:
			events = append(events, "create "+p.GetRef())
		case *github.DeleteEvent:
			events = append(events, "delete "+p.GetRef())
		}
	}
	slices.Sort(events)
	want := []string{"create keep", "create main", "delete tmp", "push refs/heads/keep", "push refs/heads/main", "push refs/heads/tmp"}
	if !slices.Equal(events, want) {
		t.Fatalf("events=%q, want %q (the last push is tmp's delete)", events, want)
	}
	if n := strings.Count(d.Logs(), "ref update failed for good"); n != 1 {
		t.Fatalf("%d log lines about tmp's failure, want 1:\n%s", n, d.Logs())
	}
}

// TestPipeline_DaemonDownSamePayloads is gitcheck #3: pushes recorded while
// the daemon is down, which then moved refs further, get the same commit
// lists and distinct flags as with the daemon up, and those of git rev-list
// against the refs of each push's time.
func TestPipeline_DaemonDownSamePayloads(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	upBare, downBare := e.MustRepo("acme", "up"), e.MustRepo("acme", "down")
	d := e.MustStart()
	upRecv, downRecv := hookstest.NewReceiver(t, "u"), hookstest.NewReceiver(t, "d")
	e.MustCreateHook("acme", "up", upRecv.URL, "json", "u", "push")
	e.MustCreateHook("acme", "down", downRecv.URL, "json", "d", "push")
	c := e.WS.MustClone(upBare, "work")
	c.Git("remote", "add", "down", downBare)
	c.Commit("c1", map[string]string{"f": "1"})
	c2 := c.Commit("c2", map[string]string{"f": "2"})
	c.Git("checkout", "--quiet", "-b", "feature")
	c.Commit("c3", map[string]string{"g": "3"})
	c.Commit("c4", map[string]string{"g": "4"})
	c5 := c.Commit("c5", map[string]string{"g": "5"})
	c6 := c.Commit("c6", map[string]string{"h": "6"})
	pushes := [][]string{{c2 + ":refs/heads/main"}, {c5 + ":refs/heads/feature"}, {c6 + ":refs/heads/main"}, {c6 + ":refs/heads/feature"}}
	for _, p := range pushes {
		c.Push(append([]string{"origin"}, p...)...)
	}
	up := pushEvents(t, upRecv.WaitFor(t, "push", len(pushes), wait))
	d.Stop()
	for _, p := range pushes {
		c.Push(append([]string{"down"}, p...)...)
	}
	e.MustStart()
	down := pushEvents(t, downRecv.WaitFor(t, "push", len(pushes), wait))

	type commit struct {
		id       string
		distinct bool
	}
	list := func(p *github.PushEvent) []commit {
		var out []commit
		for _, c := range p.Commits {
			out = append(out, commit{c.GetID(), c.GetDistinct()})
		}
		return out
	}
	revList := func(args ...string) []string {
		return strings.Fields(c.Git(append([]string{"rev-list", "--reverse", "--topo-order"}, args...)...))
	}
	// What git says, against the refs of each push's time.
	want := [][]string{revList(c2), revList(c5, "^"+c2), revList(c6, "^"+c2), revList(c6, "^"+c5)}
	distinct := [][]string{revList(c2), revList(c5, "^"+c2), revList(c6, "^"+c5), nil}
	for i := range pushes {
		if !slices.Equal(list(down[i]), list(up[i])) {
			t.Errorf("push %d (%s): daemon down %v, daemon up %v", i, pushes[i], list(down[i]), list(up[i]))
		}
		var ids, dist []string
		for _, c := range list(down[i]) {
			ids = append(ids, c.id)
			if c.distinct {
				dist = append(dist, c.id)
			}
		}
		if !slices.Equal(ids, want[i]) || !slices.Equal(dist, distinct[i]) {
			t.Errorf("push %d (%s): commits %v distinct %v, want %v distinct %v (git rev-list)", i, pushes[i], ids, dist, want[i], distinct[i])
		}
	}
}
