package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// MustEnqueuePush records a push of one branch update and returns it.
func MustEnqueuePush(tb testing.TB, db Store) *hooks.Push {
	tb.Helper()
	return MustEnqueuePushTo(tb, db, "/srv/git/o/r.git", hooks.RefUpdate{
		Before: hooks.ZeroSHA, After: "1111111111111111111111111111111111111111", Ref: "refs/heads/main"})
}

// MustEnqueuePushTo records a push of updates to the repository at gitDir.
func MustEnqueuePushTo(tb testing.TB, db Store, gitDir string, updates ...hooks.RefUpdate) *hooks.Push {
	tb.Helper()
	p := &hooks.Push{GitDir: gitDir, Pusher: "alice", Updates: updates}
	if err := db.EnqueuePush(context.Background(), p); err != nil {
		tb.Fatal(err)
	}
	return p
}

// MustClaimPushes claims up to n pushes for owner with a one-minute lease.
func MustClaimPushes(tb testing.TB, db Store, owner string, n int) []*hooks.ClaimedPush {
	tb.Helper()
	ps, err := db.ClaimPushes(context.Background(), owner, n, time.Minute)
	if err != nil {
		tb.Fatal(err)
	}
	return ps
}

func (s suite) testPushQueue(t *testing.T) {
	ctx := context.Background()

	t.Run("EnqueueClaimComplete", func(t *testing.T) {
		db, clock := s.open(t)
		h := MustCreateHook(t, db, "o", "r", "http://a.example/")
		p1, p2 := MustEnqueuePush(t, db), MustEnqueuePush(t, db)
		if p1.ID == 0 || p2.ID <= p1.ID {
			t.Fatalf("ids=%d,%d, want increasing", p1.ID, p2.ID)
		}
		if !p1.ReceivedAt.Equal(clock.Now()) {
			t.Fatalf("received at=%v, want %v", p1.ReceivedAt, clock.Now())
		}

		ps := MustClaimPushes(t, db, "boot1", 1)
		if len(ps) != 1 {
			t.Fatalf("claimed %d, want 1", len(ps))
		}
		p := ps[0]
		if p.ID != p1.ID || p.GitDir != p1.GitDir || p.Pusher != "alice" || !slices.Equal(p.Updates, p1.Updates) ||
			!p.ReceivedAt.Equal(p1.ReceivedAt) || p.Attempts != 1 {
			t.Fatalf("claimed %+v, want %+v with 1 attempt", p, p1)
		}
		if want := (hooks.Lease{Owner: "boot1", Token: p.Lease.Token, Until: clock.Now().Add(time.Minute)}); p.Lease != want || p.Lease.Token == 0 {
			t.Fatalf("lease=%+v, want %+v with a token", p.Lease, want)
		}

		e := &hooks.Event{Owner: "o", Repo: "r", RepoID: 1, Name: "push", Payload: []byte(`{}`), Targets: []int64{h.ID, 999}}
		if err := CompletePush(ctx, db, p, []*hooks.Event{e}); err != nil {
			t.Fatal(err)
		}
		if e.ID == 0 || e.GUID == "" {
			t.Fatalf("event id=%d guid=%q, want both set", e.ID, e.GUID)
		}
		jobs := MustClaimJobs(t, db, "boot1", 10)
		if len(jobs) != 1 || jobs[0].Hook.ID != h.ID || jobs[0].Event.ID != e.ID {
			t.Fatalf("jobs=%v, want one for hook %d (999 does not exist)", jobs, h.ID)
		}
		// p1 is done; p2 is next.
		if ps := MustClaimPushes(t, db, "boot1", 10); len(ps) != 1 || ps[0].ID != p2.ID {
			t.Fatalf("claimed %v, want push %d only", ps, p2.ID)
		}
	})

	t.Run("LeaseExpiry", func(t *testing.T) {
		db, clock := s.open(t)
		MustEnqueuePush(t, db)
		first := MustClaimPushes(t, db, "boot1", 10)
		if got := MustClaimPushes(t, db, "boot2", 10); len(got) != 0 {
			t.Fatalf("claimed %d leased pushes, want 0", len(got))
		}
		clock.Add(time.Minute + time.Millisecond)
		second := MustClaimPushes(t, db, "boot2", 10)
		if len(second) != 1 || second[0].Attempts != 2 || second[0].Lease.Token <= first[0].Lease.Token {
			t.Fatalf("reclaimed %+v, want attempt 2 with a newer token than %d", second, first[0].Lease.Token)
		}
	})

	t.Run("ErrStaleComplete", func(t *testing.T) {
		db, clock := s.open(t)
		h := MustCreateHook(t, db, "o", "r", "http://a.example/")
		MustEnqueuePush(t, db)
		stale := MustClaimPushes(t, db, "boot1", 1)[0]
		clock.Add(2 * time.Minute)
		fresh := MustClaimPushes(t, db, "boot2", 1)[0]

		e := &hooks.Event{Owner: "o", Repo: "r", Name: "push", Payload: []byte(`{}`), Targets: []int64{h.ID}}
		wantCode(t, CompletePush(ctx, db, stale, []*hooks.Event{e}), hooks.ECONFLICT)
		if _, err := db.LatestEvent(ctx, "o", "r", "push"); hooks.ErrorCode(err) != hooks.ENOTFOUND {
			t.Fatalf("latest event after a stale complete: %v, want ENOTFOUND", err)
		}
		wantCode(t, db.RetryPush(ctx, stale, clock.Now(), "x", false), hooks.ECONFLICT)

		e.ID, e.GUID = 0, ""
		if err := CompletePush(ctx, db, fresh, []*hooks.Event{e}); err != nil {
			t.Fatal(err)
		}
		// Completing twice is a lost lease too.
		wantCode(t, CompletePush(ctx, db, fresh, nil), hooks.ECONFLICT)
	})

	t.Run("CompletePushes", func(t *testing.T) {
		db, clock := s.open(t)
		h := MustCreateHook(t, db, "o", "r", "http://a.example/")
		MustEnqueuePush(t, db)
		stale := MustClaimPushes(t, db, "boot1", 1)[0]
		clock.Add(2 * time.Minute)
		MustEnqueuePush(t, db)
		MustEnqueuePush(t, db)
		ps := MustClaimPushes(t, db, "boot2", 10) // the stale one again, and two more
		if len(ps) != 3 {
			t.Fatalf("claimed %d, want 3", len(ps))
		}
		event := func() *hooks.Event {
			return &hooks.Event{Owner: "o", Repo: "r", Name: "push", Payload: []byte(`{}`), Targets: []int64{h.ID}}
		}
		done := []hooks.PushEvents{
			{Push: ps[1], Events: []*hooks.Event{event(), event()}},
			{Push: stale, Events: []*hooks.Event{event()}},
			{Push: ps[2], Events: []*hooks.Event{event()}},
		}
		errs, err := db.CompletePushes(ctx, done)
		if err != nil {
			t.Fatal(err)
		}
		if len(errs) != 3 || errs[0] != nil || errs[2] != nil {
			t.Fatalf("errs=%v, want only the stale push to fail", errs)
		}
		wantCode(t, errs[1], hooks.ECONFLICT)
		if id := done[1].Events[0].ID; id != 0 {
			t.Fatalf("the stale push's event has id %d, want 0: it was not stored", id)
		}
		jobs := MustClaimJobs(t, db, "boot2", 10)
		var got, want []int64
		for _, j := range jobs {
			got = append(got, j.Event.ID)
		}
		for _, d := range []hooks.PushEvents{done[0], done[2]} {
			for _, e := range d.Events {
				want = append(want, e.ID)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("jobs of events %v, want %v, in push order", got, want)
		}
		// The stale push itself is still leased by boot2's claim, which can complete it.
		if err := CompletePush(ctx, db, ps[0], nil); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Retry", func(t *testing.T) {
		db, clock := s.open(t)
		MustEnqueuePush(t, db)
		p := MustClaimPushes(t, db, "boot1", 1)[0]
		if err := db.RetryPush(ctx, p, clock.Now().Add(time.Minute), "git: boom", false); err != nil {
			t.Fatal(err)
		}
		if got := MustClaimPushes(t, db, "boot1", 1); len(got) != 0 {
			t.Fatalf("claimed %d before the retry time, want 0", len(got))
		}
		if next, err := db.NextDue(ctx); err != nil || !next.Equal(clock.Now().Add(time.Minute)) {
			t.Fatalf("next due=%v (%v), want %v", next, err, clock.Now().Add(time.Minute))
		}
		clock.Add(time.Minute)
		p = MustClaimPushes(t, db, "boot1", 1)[0]
		if p.Attempts != 2 {
			t.Fatalf("attempts=%d, want 2", p.Attempts)
		}
		if err := db.RetryPush(ctx, p, time.Time{}, "git: boom", true); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Hour)
		if got := MustClaimPushes(t, db, "boot1", 1); len(got) != 0 {
			t.Fatalf("claimed %d failed pushes, want 0", len(got))
		}
	})

	t.Run("OldestFirst", func(t *testing.T) {
		db, _ := s.open(t)
		var want []int64
		for range 5 {
			want = append(want, MustEnqueuePush(t, db).ID)
		}
		var got []int64
		first := MustClaimPushes(t, db, "boot1", 3)
		if later := MustClaimPushes(t, db, "boot1", 3); len(later) != 0 {
			t.Fatalf("claimed %d pushes while older ones of their repository are leased, want 0", len(later))
		}
		for _, p := range first {
			got = append(got, p.ID)
			if err := CompletePush(ctx, db, p, nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range MustClaimPushes(t, db, "boot1", 3) {
			got = append(got, p.ID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("claim order=%v, want %v", got, want)
		}
	})
}

// CompletePush stores the events of one claimed push, as CompletePushes does
// for a batch, and returns that push's error.
func CompletePush(ctx context.Context, db Store, p *hooks.ClaimedPush, events []*hooks.Event) error {
	errs, err := db.CompletePushes(ctx, []hooks.PushEvents{{Push: p, Events: events, Next: len(p.Updates)}})
	if err != nil {
		return err
	}
	return errs[0]
}
