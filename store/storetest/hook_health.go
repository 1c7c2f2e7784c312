package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

func (s suite) testHookHealth(t *testing.T) {
	ctx := context.Background()

	t.Run("StoredWithTheOutcome", func(t *testing.T) {
		db, clock := s.open(t)
		h := MustCreateHook(t, db, "o", "r", "http://a.example/")
		MustEnqueueEvent(t, db, h.ID)
		jobs := MustClaimJobs(t, db, "boot1", 10)
		want := hooks.HookHealth{Failures: 5, FailingSince: clock.Now().Add(-time.Minute),
			OpenUntil: clock.Now().Add(30 * time.Second), Trips: 2}
		o := &hooks.Outcome{Job: jobs[0], State: hooks.JobRetry, RetryAt: clock.Now(),
			Delivery: NewDelivery(jobs[0], 500, clock.Now()), Health: &want}
		if err := db.FinishJobs(ctx, []*hooks.Outcome{o}); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindHookByID(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !healthEqual(got.Health, want) || got.LastResponse.Code != 500 || !got.Active {
			t.Fatalf("health=%+v last response=%+v active=%v, want %+v, 500, active", got.Health, got.LastResponse, got.Active, want)
		}
		// Enabling the hook again closes its breaker: the zero health is stored.
		on := true
		if _, err := db.UpdateHook(ctx, h.ID, hooks.HookUpdate{Active: &on}); err != nil {
			t.Fatal(err)
		}
		if got, err = db.FindHookByID(ctx, h.ID); err != nil || !healthEqual(got.Health, hooks.HookHealth{}) {
			t.Fatalf("health after enabling=%+v (%v), want zero", got.Health, err)
		}
	})

	t.Run("BreakerOpenHoldsJobs", func(t *testing.T) {
		db, clock := s.open(t)
		a := MustCreateHook(t, db, "o", "r", "http://a.example/")
		b := MustCreateHook(t, db, "o", "r", "http://b.example/")
		MustEnqueueEvent(t, db, a.ID)
		jobs := MustClaimJobs(t, db, "boot1", 10)
		open := hooks.HookHealth{Failures: 5, FailingSince: clock.Now(), OpenUntil: clock.Now().Add(30 * time.Second), Trips: 1}
		o := &hooks.Outcome{Job: jobs[0], State: hooks.JobRetry, RetryAt: clock.Now(),
			Delivery: NewDelivery(jobs[0], 503, clock.Now()), Health: &open}
		if err := db.FinishJobs(ctx, []*hooks.Outcome{o}); err != nil {
			t.Fatal(err)
		}
		MustEnqueueEvent(t, db, a.ID, b.ID)
		got := MustClaimJobs(t, db, "boot1", 10)
		if len(got) != 1 || got[0].Hook.ID != b.ID {
			t.Fatalf("claimed %d jobs (%v), want only hook %d's: hook %d's breaker is open", len(got), JobIDs(got), b.ID, a.ID)
		}
		// b's job is leased for a minute; a's jobs are due when its breaker half-opens.
		next, err := db.NextDue(ctx)
		if err != nil || !next.Equal(open.OpenUntil) {
			t.Fatalf("next due=%v (%v), want %v, when the breaker half-opens", next, err, open.OpenUntil)
		}
		clock.Add(31 * time.Second)
		got = MustClaimJobs(t, db, "boot1", 10)
		if len(got) != 2 || got[0].Hook.ID != a.ID || got[1].Hook.ID != a.ID {
			t.Fatalf("claimed %v after the breaker half-opened, want hook %d's 2 jobs", JobIDs(got), a.ID)
		}
	})

	t.Run("Disable", func(t *testing.T) {
		db, clock := s.open(t)
		h := MustCreateHook(t, db, "o", "r", "http://a.example/")
		MustEnqueueEvent(t, db, h.ID)
		jobs := MustClaimJobs(t, db, "boot1", 10)
		clock.Add(time.Minute)
		health := hooks.HookHealth{Failures: 1, FailingSince: clock.Now()}
		why := hooks.LastResponse{Code: 410, Status: "misconfigured", Message: "Hook disabled: gone"}
		o := &hooks.Outcome{Job: jobs[0], State: hooks.JobFailed, Delivery: NewDelivery(jobs[0], 410, clock.Now()),
			Health: &health, Disable: &why}
		if err := db.FinishJobs(ctx, []*hooks.Outcome{o}); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindHookByID(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Active || got.LastResponse != why || !got.UpdatedAt.Equal(h.UpdatedAt) || !healthEqual(got.Health, health) {
			t.Fatalf("active=%v last response=%+v updated=%v health=%+v, want inactive, %+v, %v (not edited), %+v",
				got.Active, got.LastResponse, got.UpdatedAt, got.Health, why, h.UpdatedAt, health)
		}
	})
}

// healthEqual compares health by instant, not by location.
func healthEqual(a, b hooks.HookHealth) bool {
	return a.Failures == b.Failures && a.Trips == b.Trips &&
		a.FailingSince.Equal(b.FailingSince) && a.OpenUntil.Equal(b.OpenUntil)
}

func (s suite) testFarewells(t *testing.T) {
	ctx := context.Background()

	// newFarewell deletes a new hook with its meta event and returns both.
	newFarewell := func(t *testing.T, db *DB) (*hooks.Hook, *hooks.Event) {
		t.Helper()
		h := MustCreateHook(t, db, "o", "r", "http://a.example/", "push", "meta")
		MustEnqueueEvent(t, db, h.ID) // deleted with the hook
		meta := &hooks.Event{Owner: "o", Repo: "r", RepoID: 7, OwnerID: 3, Name: hooks.EventMeta, Action: "deleted",
			Payload: []byte(`{"action":"deleted"}`)}
		if err := db.DeleteHookWithMeta(ctx, h.ID, meta); err != nil {
			t.Fatal(err)
		}
		return h, meta
	}

	t.Run("ClaimedOnceAndGoneAfterFinish", func(t *testing.T) {
		db, clock := s.open(t)
		h, meta := newFarewell(t, db)
		if _, err := db.FindHookByID(ctx, h.ID); hooks.ErrorCode(err) != hooks.ENOTFOUND {
			t.Fatalf("find deleted hook: %v, want ENOTFOUND", err)
		}
		if err := db.DeleteHookWithMeta(ctx, h.ID, meta); hooks.ErrorCode(err) != hooks.ENOTFOUND {
			t.Fatalf("delete again: %v, want ENOTFOUND", err)
		}
		if next, err := db.NextDue(ctx); err != nil || !next.Equal(clock.Now()) {
			t.Fatalf("next due=%v (%v), want now: the farewell", next, err)
		}
		jobs := MustClaimJobs(t, db, "boot1", 10)
		if len(jobs) != 1 {
			t.Fatalf("claimed %d jobs, want the farewell alone (the hook's job went with it)", len(jobs))
		}
		j := jobs[0]
		if !j.Farewell || j.Hook.ID != h.ID || j.Hook.Config.URL != h.Config.URL ||
			j.Hook.Config.ContentType != h.Config.ContentType || j.Hook.Config.Secret != "s3cret" ||
			j.Event.GUID == "" || j.Event.GUID != meta.GUID || j.Event.Name != hooks.EventMeta ||
			j.Event.Action != "deleted" || string(j.Event.Payload) != string(meta.Payload) || j.Event.RepoID != 7 ||
			j.Lease.Token == 0 {
			t.Fatalf("job=%+v hook=%+v event=%+v, want the farewell of hook %d as it was", j, j.Hook, j.Event, h.ID)
		}
		if again := MustClaimJobs(t, db, "boot1", 10); len(again) != 0 {
			t.Fatalf("claimed %d leased farewells, want 0", len(again))
		}
		// Given back unsent, it is queued again; tried, it is gone.
		MustFinish(t, db, jobs, hooks.JobQueued, 0, time.Time{})
		jobs = MustClaimJobs(t, db, "boot1", 10)
		if g, w := JobIDs(jobs), []int64{j.ID}; !slices.Equal(g, w) {
			t.Fatalf("claimed %v after giving it back, want %v", g, w)
		}
		MustFinish(t, db, jobs, hooks.JobFailed, 500, time.Time{})
		clock.Add(time.Hour)
		if again := MustClaimJobs(t, db, "boot1", 10); len(again) != 0 {
			t.Fatalf("claimed %d farewells after finishing it, want 0", len(again))
		}
		if next, err := db.NextDue(ctx); err != nil || !next.IsZero() {
			t.Fatalf("next due=%v (%v), want none", next, err)
		}
	})

	t.Run("AfterTheJobs", func(t *testing.T) {
		db, _ := s.open(t)
		newFarewell(t, db)
		b := MustCreateHook(t, db, "o", "r", "http://b.example/")
		MustEnqueueEvent(t, db, b.ID)
		MustEnqueueEvent(t, db, b.ID)
		jobs := MustClaimJobs(t, db, "boot1", 2)
		if len(jobs) != 2 || jobs[0].Farewell || jobs[1].Farewell {
			t.Fatalf("claimed %+v with n=2, want hook %d's 2 jobs first", jobs, b.ID)
		}
		if jobs = MustClaimJobs(t, db, "boot1", 2); len(jobs) != 1 || !jobs[0].Farewell {
			t.Fatalf("claimed %+v, want the farewell", jobs)
		}
	})

	t.Run("RecoverLeases", func(t *testing.T) {
		db, _ := s.open(t)
		newFarewell(t, db)
		first := MustClaimJobs(t, db, "boot1", 10)
		n, err := db.RecoverLeases(ctx, "boot2")
		if err != nil || n != 1 {
			t.Fatalf("recovered %d (%v), want 1", n, err)
		}
		jobs := MustClaimJobs(t, db, "boot2", 10)
		if g, w := JobIDs(jobs), JobIDs(first); len(jobs) != 1 || !slices.Equal(g, w) || jobs[0].Lease.Token <= first[0].Lease.Token {
			t.Fatalf("claimed %+v after recovering, want farewell %v with a newer token", jobs, w)
		}
		// The old lease is lost: its outcome leaves the farewell to boot2.
		MustFinish(t, db, first, hooks.JobFailed, 0, time.Time{})
		MustFinish(t, db, jobs, hooks.JobQueued, 0, time.Time{})
		if again := MustClaimJobs(t, db, "boot2", 10); len(again) != 1 {
			t.Fatalf("claimed %d, want the farewell boot2 gave back", len(again))
		}
	})
}

func (s suite) testGlobalHooks(t *testing.T) {
	ctx := context.Background()
	db, _ := s.open(t)
	repo := MustCreateHook(t, db, "octo", "hello", "http://a.example/")
	global := MustCreateHook(t, db, "", "", "http://g.example/", "push")
	org := MustCreateHook(t, db, "octo", "", "http://b.example/")
	other := MustCreateHook(t, db, "someone", "else", "http://c.example/")

	for _, tt := range []struct {
		owner, repo string
		want        []int64
	}{
		{"octo", "hello", []int64{repo.ID, global.ID, org.ID}},
		{"someone", "else", []int64{global.ID, other.ID}},
		{"nobody", "empty", []int64{global.ID}},
	} {
		got, err := db.HooksFor(ctx, tt.owner, tt.repo)
		if err != nil {
			t.Fatal(err)
		}
		if g := HookIDs(got); !slices.Equal(g, tt.want) {
			t.Fatalf("hooks for %s/%s=%v, want %v", tt.owner, tt.repo, g, tt.want)
		}
	}
	list, n, err := db.FindHooks(ctx, hooks.HookFilter{Global: true})
	if err != nil || n != 1 || !slices.Equal(HookIDs(list), []int64{global.ID}) || !list[0].IsGlobal() {
		t.Fatalf("global hooks=%v n=%d (%v), want [%d]", HookIDs(list), n, err, global.ID)
	}
	if list, _, err = db.FindHooks(ctx, hooks.HookFilter{Owner: "octo", Org: true}); err != nil ||
		!slices.Equal(HookIDs(list), []int64{org.ID}) {
		t.Fatalf("organization hooks of octo=%v (%v), want [%d]", HookIDs(list), err, org.ID)
	}
	off := false
	if _, err := db.UpdateHook(ctx, global.ID, hooks.HookUpdate{Active: &off}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.HooksFor(ctx, "nobody", "empty"); err != nil || len(got) != 0 {
		t.Fatalf("hooks for nobody/empty=%v (%v), want none: the global hook is inactive", HookIDs(got), err)
	}
}
