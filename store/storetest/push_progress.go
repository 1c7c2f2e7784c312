package storetest

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

func update(ref, before, after string) hooks.RefUpdate {
	return hooks.RefUpdate{Before: before, After: after, Ref: ref}
}

const (
	sha1 = "1111111111111111111111111111111111111111"
	sha2 = "2222222222222222222222222222222222222222"
)

// TestDB_ClaimPushes_RoundRobin: each repository's oldest push first, then
// the second ones; a repository whose oldest push waits for a retry gives
// none, and the others are not held back.
func (s suite) testClaimPushesRoundRobin(t *testing.T) {
	ctx := context.Background()
	db, clock := s.open(t)
	a1 := MustEnqueuePushTo(t, db, "/a.git")
	a2 := MustEnqueuePushTo(t, db, "/a.git")
	b1 := MustEnqueuePushTo(t, db, "/b.git")
	a3 := MustEnqueuePushTo(t, db, "/a.git")
	c1 := MustEnqueuePushTo(t, db, "/c.git")
	var got []int64
	for _, p := range MustClaimPushes(t, db, "boot1", 10) {
		got = append(got, p.ID)
		if p.ID == a1.ID {
			if err := db.RetryPush(ctx, p, clock.Now().Add(time.Minute), "boom", false); err != nil {
				t.Fatal(err)
			}
		} else if err := db.ReleasePush(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if want := []int64{a1.ID, b1.ID, c1.ID, a2.ID, a3.ID}; !slices.Equal(got, want) {
		t.Fatalf("claim order=%v, want %v", got, want)
	}
	got = nil
	for _, p := range MustClaimPushes(t, db, "boot1", 10) {
		got = append(got, p.ID)
		if p.Attempts != 1 {
			t.Errorf("push %d: attempts=%d after a release, want 1", p.ID, p.Attempts)
		}
	}
	if want := []int64{b1.ID, c1.ID}; !slices.Equal(got, want) {
		t.Fatalf("claimed %v while a1 waits for its retry, want %v", got, want)
	}
}

// TestDB_CompletePushes_Progress: a push is stored a chunk at a time; a ref
// update that failed is retried alone and, failed for good, is listed with
// its reason while the push is done.
func (s suite) testCompletePushesProgress(t *testing.T) {
	ctx := context.Background()
	db, clock := s.open(t)
	h := MustCreateHook(t, db, "o", "r", "http://a.example/")
	p := MustEnqueuePushTo(t, db, "/srv/git/o/r.git", update("refs/heads/a", hooks.ZeroSHA, sha1),
		update("refs/heads/b", hooks.ZeroSHA, sha1), update("refs/heads/c", hooks.ZeroSHA, sha2))
	if old, err := db.OldestUnhandledPush(ctx); err != nil || !old.Equal(p.ReceivedAt) {
		t.Fatalf("oldest unhandled push=%v (%v), want %v", old, err, p.ReceivedAt)
	}
	ev := func() *hooks.Event {
		return &hooks.Event{Owner: "o", Repo: "r", Name: "push", Payload: []byte(`{}`), Targets: []int64{h.ID}}
	}
	complete := func(pe hooks.PushEvents) {
		t.Helper()
		errs, err := db.CompletePushes(ctx, []hooks.PushEvents{pe})
		if err != nil || errs[0] != nil {
			t.Fatalf("complete: %v %v", err, errs)
		}
	}
	c := MustClaimPushes(t, db, "boot1", 1)[0]
	complete(hooks.PushEvents{Push: c, Events: []*hooks.Event{ev()}, Next: 1})
	c = MustClaimPushes(t, db, "boot1", 1)[0]
	if c.ID != p.ID || c.Next != 1 || c.Attempts != 1 || len(c.Retry) != 0 {
		t.Fatalf("claimed %+v, want push %d from update 1, attempt 1", c, p.ID)
	}
	complete(hooks.PushEvents{Push: c, Events: []*hooks.Event{ev()}, Next: 3, Failed: []*hooks.RefFailure{
		{Index: 1, Ref: "refs/heads/b", Attempts: 1, Reason: "object not found", RetryAt: clock.Now().Add(time.Second)}}})
	if got := MustClaimPushes(t, db, "boot1", 1); len(got) != 0 {
		t.Fatalf("claimed %d before the retry is due, want 0", len(got))
	}
	clock.Add(time.Second)
	c = MustClaimPushes(t, db, "boot1", 1)[0]
	if want := []hooks.RefRetry{{Index: 1, Attempts: 1}}; !slices.Equal(c.Retry, want) || c.Next != 3 {
		t.Fatalf("claimed %+v, want the retry of update 1", c)
	}
	complete(hooks.PushEvents{Push: c, Next: 3, Failed: []*hooks.RefFailure{
		{Index: 1, Ref: "refs/heads/b", Attempts: 2, Reason: "object not found", Final: true}}})
	if old, err := db.OldestUnhandledPush(ctx); err != nil || !old.IsZero() {
		t.Fatalf("oldest unhandled push=%v (%v), want none: the push is done", old, err)
	}
	fs, err := db.FailedRefs(ctx, 10)
	if err != nil || len(fs) != 1 || fs[0].PushID != p.ID || fs[0].Ref != "refs/heads/b" || fs[0].Reason != "object not found" || fs[0].Attempts != 2 {
		t.Fatalf("failed refs=%+v (%v), want refs/heads/b of push %d after 2 attempts", fs, err, p.ID)
	}
	if jobs := MustClaimJobs(t, db, "boot1", 10); len(jobs) != 2 {
		t.Fatalf("jobs=%d, want the 2 events stored", len(jobs))
	}
}

// TestDB_RefState: a seeded state holds for the push it was seeded for and
// moves on with each push marked done; refs moved by a push it missed make
// it unknown.
func (s suite) testRefState(t *testing.T) {
	ctx := context.Background()
	db, _ := s.open(t)
	const dir = "/srv/git/o/r.git"
	p1 := MustEnqueuePushTo(t, db, dir, update("refs/heads/b", hooks.ZeroSHA, sha2))
	p2 := MustEnqueuePushTo(t, db, dir, update("refs/heads/main", sha1, sha2), update("refs/heads/b", sha2, hooks.ZeroSHA))
	later, err := db.LaterPushes(ctx, dir, p1.ID)
	if err != nil || len(later) != 1 || !slices.Equal(later[0], p2.Updates) {
		t.Fatalf("later pushes=%v (%v), want p2's updates", later, err)
	}
	if _, ok, err := db.RefState(ctx, dir, p1.ID); ok || err != nil {
		t.Fatalf("ref state before a seed: ok=%v err=%v, want none", ok, err)
	}
	if err := db.SeedRefState(ctx, dir, p1.ID, map[string]string{"refs/heads/main": sha1}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.RefState(ctx, dir, p2.ID); ok {
		t.Fatal("the state seeded for p1 is taken as p2's")
	}
	for _, p := range MustClaimPushes(t, db, "boot1", 1) {
		if err := CompletePush(ctx, db, p, nil); err != nil {
			t.Fatal(err)
		}
	}
	refs, ok, err := db.RefState(ctx, dir, p2.ID)
	if want := map[string]string{"refs/heads/main": sha1, "refs/heads/b": sha2}; err != nil || !ok || !maps.Equal(refs, want) {
		t.Fatalf("ref state before p2=%v ok=%v (%v), want %v", refs, ok, err, want)
	}
	p3 := MustEnqueuePushTo(t, db, dir, update("refs/heads/x", hooks.ZeroSHA, sha1))
	if _, ok, _ := db.RefState(ctx, dir, p3.ID); ok {
		t.Fatal("a state that p2 did not move on is taken as p3's")
	}
}
