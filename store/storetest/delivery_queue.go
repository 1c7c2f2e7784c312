package storetest

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// MustClaimJobs claims up to n jobs for owner with a one-minute lease.
func MustClaimJobs(tb testing.TB, db Store, owner string, n int, busy ...int64) []*hooks.Job {
	tb.Helper()
	jobs, err := db.ClaimJobs(context.Background(), owner, n, busy, time.Minute)
	if err != nil {
		tb.Fatal(err)
	}
	return jobs
}

// MustFinish records one outcome per job, all in state, each with an
// attempt that got code (0: no attempt).
func MustFinish(tb testing.TB, db *DB, jobs []*hooks.Job, state hooks.JobState, code int, retryAt time.Time) []*hooks.Outcome {
	tb.Helper()
	var outcomes []*hooks.Outcome
	for _, j := range jobs {
		o := &hooks.Outcome{Job: j, State: state, RetryAt: retryAt}
		if code != 0 {
			o.Delivery = NewDelivery(j, code, db.Now())
		}
		outcomes = append(outcomes, o)
	}
	if err := db.FinishJobs(context.Background(), outcomes); err != nil {
		tb.Fatal(err)
	}
	return outcomes
}

// MustDeliverAll delivers every due job successfully.
func MustDeliverAll(tb testing.TB, db *DB) {
	tb.Helper()
	MustFinish(tb, db, MustClaimJobs(tb, db, "boot1", 1000), hooks.JobSucceeded, 200, time.Time{})
}

// NewDelivery returns an attempt of j made at at that got code (0: none).
func NewDelivery(j *hooks.Job, code int, at time.Time) *hooks.Delivery {
	status := "OK"
	if code < 200 || code > 299 {
		status = "Invalid HTTP Response: " + strconv.Itoa(code)
	}
	return &hooks.Delivery{GUID: j.Event.GUID, HookID: j.Hook.ID, EventID: j.Event.ID, RepoID: j.Event.RepoID,
		Event: j.Event.Name, Redelivery: j.Redelivery, URL: j.Hook.Config.URL,
		DeliveredAt: at, Duration: 42 * time.Millisecond,
		Status: status, StatusCode: code,
		RequestHeaders:  map[string]string{"X-GitHub-Event": j.Event.Name, "X-GitHub-Delivery": j.Event.GUID},
		ResponseHeaders: map[string]string{"Content-Type": "text/plain"}, ResponseBody: "thanks"}
}

// JobIDs returns the ids of jobs, in order.
func JobIDs(jobs []*hooks.Job) []int64 {
	var ids []int64
	for _, j := range jobs {
		ids = append(ids, j.ID)
	}
	return ids
}

func (s suite) testClaimJobs(t *testing.T) {
	ctx := context.Background()

	t.Run("SharedEventsAndHooks", func(t *testing.T) {
		db, clock := s.open(t)
		a := MustCreateHook(t, db, "o", "r", "http://a.example/")
		b := MustCreateHook(t, db, "o", "r", "http://b.example/")
		e1 := MustEnqueueEvent(t, db, a.ID, b.ID, a.ID) // a listed twice: one job
		e2 := MustEnqueueEvent(t, db, a.ID)
		jobs := MustClaimJobs(t, db, "boot1", 10)
		if len(jobs) != 3 {
			t.Fatalf("claimed %d jobs, want 3", len(jobs))
		}
		if jobs[0].Event != jobs[1].Event || jobs[0].Event.ID != e1.ID || jobs[2].Event.ID != e2.ID {
			t.Fatal("jobs of one event do not share one *Event")
		}
		if jobs[0].Hook != jobs[2].Hook || jobs[0].Hook.ID != a.ID || jobs[1].Hook.ID != b.ID {
			t.Fatal("jobs of one hook do not share one *Hook")
		}
		j := jobs[0]
		if string(j.Event.Payload) != string(e1.Payload) || j.Event.GUID != e1.GUID || j.Event.OwnerID != 3 ||
			j.Event.RepoID != 7 || j.Hook.Config.Secret != "s3cret" {
			t.Fatalf("event=%+v hook=%+v, want them as stored", j.Event, j.Hook)
		}
		if j.Attempt != 1 || j.Redelivery || j.Lease.Owner != "boot1" || j.Lease.Token == 0 ||
			!j.Lease.Until.Equal(clock.Now().Add(time.Minute)) {
			t.Fatalf("job=%+v, want attempt 1 leased to boot1 for a minute", j)
		}
		if again := MustClaimJobs(t, db, "boot1", 10); len(again) != 0 {
			t.Fatalf("claimed %d leased jobs, want 0", len(again))
		}
	})

	t.Run("BusyHooks", func(t *testing.T) {
		db, _ := s.open(t)
		a := MustCreateHook(t, db, "o", "r", "http://a.example/")
		b := MustCreateHook(t, db, "o", "r", "http://b.example/")
		c := MustCreateHook(t, db, "o", "r", "http://c.example/")
		MustEnqueueEvent(t, db, a.ID, b.ID, c.ID)
		jobs := MustClaimJobs(t, db, "boot1", 10, a.ID, c.ID)
		if len(jobs) != 1 || jobs[0].Hook.ID != b.ID {
			t.Fatalf("claimed %v, want only hook %d's job", jobs, b.ID)
		}
	})

	t.Run("DueOrderAndLimit", func(t *testing.T) {
		db, clock := s.open(t)
		h := MustCreateHook(t, db, "o", "r", "http://a.example/")
		for range 4 {
			MustEnqueueEvent(t, db, h.ID)
		}
		if jobs := MustClaimJobs(t, db, "boot1", 0); len(jobs) != 0 {
			t.Fatalf("claimed %d with n=0, want 0", len(jobs))
		}
		jobs := MustClaimJobs(t, db, "boot1", 10)
		if len(jobs) != 4 {
			t.Fatalf("claimed %d, want 4", len(jobs))
		}
		ids := JobIDs(jobs)
		if !slices.IsSorted(ids) {
			t.Fatalf("claim order=%v, want by id for jobs due at once", ids)
		}
		// Job 0 is due last, job 1 first, jobs 2 and 3 at the same time.
		var outcomes []*hooks.Outcome
		for i, after := range []time.Duration{3 * time.Second, time.Second, 2 * time.Second, 2 * time.Second} {
			outcomes = append(outcomes, &hooks.Outcome{Job: jobs[i], State: hooks.JobRetry, RetryAt: clock.Now().Add(after)})
		}
		if err := db.FinishJobs(ctx, outcomes); err != nil {
			t.Fatal(err)
		}
		clock.Add(1500 * time.Millisecond)
		got := MustClaimJobs(t, db, "boot1", 10)
		if g, w := JobIDs(got), []int64{ids[1]}; !slices.Equal(g, w) {
			t.Fatalf("claimed %v, want only the due job %v", g, w)
		}
		MustFinish(t, db, got, hooks.JobQueued, 0, time.Time{}) // released: still due at +1s
		clock.Add(1500 * time.Millisecond)
		if g, w := JobIDs(MustClaimJobs(t, db, "boot1", 2)), []int64{ids[1], ids[2]}; !slices.Equal(g, w) {
			t.Fatalf("claimed %v, want %v", g, w)
		}
		if g, w := JobIDs(MustClaimJobs(t, db, "boot1", 10)), []int64{ids[3], ids[0]}; !slices.Equal(g, w) {
			t.Fatalf("claimed %v, want %v", g, w)
		}
	})
}

func (s suite) testFinishJobs(t *testing.T) {
	ctx := context.Background()

	t.Run("Succeeded", func(t *testing.T) {
		db, clock := s.open(t)
		h := MustCreateHook(t, db, "o", "r", "http://a.example/")
		MustEnqueueEvent(t, db, h.ID)
		outcomes := MustFinish(t, db, MustClaimJobs(t, db, "boot1", 10), hooks.JobSucceeded, 200, time.Time{})
		if outcomes[0].Delivery.ID == 0 {
			t.Fatal("delivery ID not set")
		}
		clock.Add(time.Hour)
		if jobs := MustClaimJobs(t, db, "boot1", 10); len(jobs) != 0 {
			t.Fatalf("claimed %d succeeded jobs, want 0", len(jobs))
		}
		got, err := db.FindHookByID(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := (hooks.LastResponse{Code: 200, Status: "active", Message: "OK"}); got.LastResponse != want {
			t.Fatalf("last response=%+v, want %+v", got.LastResponse, want)
		}
	})

	t.Run("FailedWithoutResponse", func(t *testing.T) {
		db, clock := s.open(t)
		h := MustCreateHook(t, db, "o", "r", "http://a.example/")
		MustEnqueueEvent(t, db, h.ID)
		j := MustClaimJobs(t, db, "boot1", 10)[0]
		d := NewDelivery(j, 0, clock.Now())
		d.Status = "timed out"
		if err := db.FinishJobs(ctx, []*hooks.Outcome{{Job: j, State: hooks.JobFailed, Delivery: d}}); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Hour)
		if jobs := MustClaimJobs(t, db, "boot1", 10); len(jobs) != 0 {
			t.Fatalf("claimed %d failed jobs, want 0", len(jobs))
		}
		got, err := db.FindHookByID(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := (hooks.LastResponse{Code: 0, Status: "misconfigured", Message: "timed out"}); got.LastResponse != want {
			t.Fatalf("last response=%+v, want %+v", got.LastResponse, want)
		}
	})

	t.Run("RetryAtRetryAt", func(t *testing.T) {
		db, clock := s.open(t)
		h := MustCreateHook(t, db, "o", "r", "http://a.example/")
		MustEnqueueEvent(t, db, h.ID)
		retryAt := clock.Now().Add(10 * time.Second)
		MustFinish(t, db, MustClaimJobs(t, db, "boot1", 10), hooks.JobRetry, 500, retryAt)

		got, err := db.FindHookByID(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := (hooks.LastResponse{Code: 500, Status: "misconfigured", Message: "Invalid HTTP Response: 500"}); got.LastResponse != want {
			t.Fatalf("last response=%+v, want %+v", got.LastResponse, want)
		}
		if next, err := db.NextDue(ctx); err != nil || !next.Equal(retryAt) {
			t.Fatalf("next due=%v (%v), want %v", next, err, retryAt)
		}
		clock.Add(10*time.Second - time.Millisecond)
		if jobs := MustClaimJobs(t, db, "boot1", 10); len(jobs) != 0 {
			t.Fatalf("claimed %d jobs before their retry time, want 0", len(jobs))
		}
		clock.Add(time.Millisecond)
		jobs := MustClaimJobs(t, db, "boot1", 10)
		if len(jobs) != 1 || jobs[0].Attempt != 2 {
			t.Fatalf("claimed %v at the retry time, want one job on attempt 2", jobs)
		}
	})

	t.Run("Released", func(t *testing.T) {
		db, _ := s.open(t)
		h := MustCreateHook(t, db, "o", "r", "http://a.example/")
		MustEnqueueEvent(t, db, h.ID)
		MustFinish(t, db, MustClaimJobs(t, db, "boot1", 10), hooks.JobQueued, 0, time.Time{})
		jobs := MustClaimJobs(t, db, "boot1", 10)
		if len(jobs) != 1 || jobs[0].Attempt != 1 {
			t.Fatalf("claimed %v after a release, want one job still on attempt 1", jobs)
		}
		if ds, _ := db.FindDeliveries(ctx, h.ID, 0, 0); len(ds) != 0 {
			t.Fatalf("deliveries=%d after a release without an attempt, want 0", len(ds))
		}
	})

	t.Run("StaleLease", func(t *testing.T) {
		db, clock := s.open(t)
		h := MustCreateHook(t, db, "o", "r", "http://a.example/")
		MustEnqueueEvent(t, db, h.ID)
		stale := MustClaimJobs(t, db, "boot1", 10)
		clock.Add(time.Minute + time.Millisecond) // the lease expires
		fresh := MustClaimJobs(t, db, "boot2", 10)
		if len(fresh) != 1 || fresh[0].Attempt != 2 {
			t.Fatalf("reclaimed %v, want one job on attempt 2", fresh)
		}
		// The stale worker's attempt is recorded; its job does not move.
		outcomes := MustFinish(t, db, stale, hooks.JobSucceeded, 200, time.Time{})
		if outcomes[0].Delivery.ID == 0 {
			t.Fatal("stale attempt not recorded")
		}
		MustFinish(t, db, fresh, hooks.JobRetry, 500, clock.Now())
		jobs := MustClaimJobs(t, db, "boot2", 10)
		if len(jobs) != 1 || jobs[0].Attempt != 3 {
			t.Fatalf("claimed %v, want the job again on attempt 3: the stale success must not finish it", jobs)
		}
		if ds, _ := db.FindDeliveries(ctx, h.ID, 0, 0); len(ds) != 2 {
			t.Fatalf("deliveries=%d, want 2", len(ds))
		}
	})

	t.Run("HookDeleted", func(t *testing.T) {
		db, _ := s.open(t)
		h := MustCreateHook(t, db, "o", "r", "http://a.example/")
		MustEnqueueEvent(t, db, h.ID)
		jobs := MustClaimJobs(t, db, "boot1", 10)
		if err := db.DeleteHook(ctx, h.ID); err != nil {
			t.Fatal(err)
		}
		outcomes := MustFinish(t, db, jobs, hooks.JobSucceeded, 200, time.Time{})
		if outcomes[0].Delivery.ID != 0 {
			t.Fatalf("delivery id=%d for a deleted hook, want 0 (dropped)", outcomes[0].Delivery.ID)
		}
	})

	t.Run("ErrBadState", func(t *testing.T) {
		db, _ := s.open(t)
		err := db.FinishJobs(ctx, []*hooks.Outcome{{Job: &hooks.Job{ID: 1}, State: hooks.JobLeased}})
		if err == nil {
			t.Fatal("FinishJobs accepted JobLeased as an outcome")
		}
	})
}

func (s suite) testRecoverLeases(t *testing.T) {
	ctx := context.Background()
	db, _ := s.open(t)
	// Two hooks: while old holds a job of a hook, new may not claim its others.
	a := MustCreateHook(t, db, "o", "r", "http://a.example/")
	b := MustCreateHook(t, db, "o", "r", "http://b.example/")
	MustEnqueueEvent(t, db, a.ID)
	MustEnqueueEvent(t, db, b.ID)
	MustEnqueuePush(t, db)
	MustEnqueuePushTo(t, db, "/srv/git/o/other.git")
	if jobs := MustClaimJobs(t, db, "old", 1); len(jobs) != 1 {
		t.Fatalf("old claimed %d jobs, want 1", len(jobs))
	}
	if jobs := MustClaimJobs(t, db, "new", 1); len(jobs) != 1 {
		t.Fatalf("new claimed %d jobs, want 1", len(jobs))
	}
	MustClaimPushes(t, db, "old", 1)
	MustClaimPushes(t, db, "new", 1)

	n, err := db.RecoverLeases(ctx, "new")
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("recovered %d, want 2 (a job and a push of old)", n)
	}
	if jobs := MustClaimJobs(t, db, "new", 10); len(jobs) != 1 {
		t.Fatalf("claimed %d jobs after recovery, want 1", len(jobs))
	}
	if ps := MustClaimPushes(t, db, "new", 10); len(ps) != 1 {
		t.Fatalf("claimed %d pushes after recovery, want 1", len(ps))
	}
}

func (s suite) testNextDue(t *testing.T) {
	ctx := context.Background()
	db, clock := s.open(t)
	if next, err := db.NextDue(ctx); err != nil || !next.IsZero() {
		t.Fatalf("next due=%v (%v) on an empty queue, want zero", next, err)
	}
	h := MustCreateHook(t, db, "o", "r", "http://a.example/")
	MustEnqueueEvent(t, db, h.ID)
	if next, err := db.NextDue(ctx); err != nil || !next.Equal(clock.Now()) {
		t.Fatalf("next due=%v (%v), want now %v", next, err, clock.Now())
	}
	MustClaimJobs(t, db, "boot1", 10)
	if next, err := db.NextDue(ctx); err != nil || !next.Equal(clock.Now().Add(time.Minute)) {
		t.Fatalf("next due=%v (%v), want the lease's end", next, err)
	}
}

// testClaimJobsConcurrently claims from two handles (two daemons) and several goroutines at once: no job is claimed
// twice and every job is claimed. A claim may come back empty while other owners hold every hook that has work (a
// hook's jobs go to one owner at a time), so each goroutine claims until all are claimed, a bounded number of times.
func (s suite) testClaimJobsConcurrently(t *testing.T) {
	ctx := context.Background()
	db, _ := s.open(t)
	other := s.again(t, db)
	var targets []int64
	for i := range 10 {
		targets = append(targets, MustCreateHook(t, db, "o", "r", "http://x.example/"+strconv.Itoa(i)).ID)
	}
	for range 50 {
		MustEnqueueEvent(t, db, targets...)
	}
	var (
		mu      sync.Mutex
		claimed = map[int64]int{}
		wg      sync.WaitGroup
	)
	for i := range 6 {
		h := db
		if i%2 == 1 {
			h = other
		}
		wg.Go(func() {
			for range 2000 {
				jobs, err := h.ClaimJobs(ctx, "boot"+strconv.Itoa(i), 7, nil, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, j := range jobs {
					claimed[j.ID]++
				}
				done := len(claimed) == 500
				mu.Unlock()
				if done {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(claimed) != 500 {
		t.Fatalf("claimed %d distinct jobs, want 500", len(claimed))
	}
	for id, n := range claimed {
		if n != 1 {
			t.Fatalf("job %d claimed %d times, want once", id, n)
		}
	}
}
