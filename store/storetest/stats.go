package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// MustReadStats reads db's stats.
func MustReadStats(tb testing.TB, db Store) *hooks.Stats {
	tb.Helper()
	s, err := db.ReadStats(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func (su suite) testReadStats(t *testing.T) {
	db, clock := su.open(t)
	if s := MustReadStats(t, db); *s != (hooks.Stats{}) {
		t.Fatalf("empty database: stats=%+v, want zeros", s)
	}

	t.Log("pushes: recorded ever, and unhandled")
	first := MustEnqueuePush(t, db)
	clock.Add(time.Minute)
	MustEnqueuePush(t, db)
	s := MustReadStats(t, db)
	if s.PushesRecorded != 2 || s.Pushes.Depth != 2 || !s.Pushes.Oldest.Equal(first.ReceivedAt) {
		t.Fatalf("two pushes: %+v, want recorded 2, depth 2, oldest %s", s, first.ReceivedAt)
	}
	claimed := MustClaimPushes(t, db, "boot1", 1)
	if err := db.RetryPush(context.Background(), claimed[0], time.Time{}, "gone", true); err != nil {
		t.Fatal(err)
	}
	if s := MustReadStats(t, db); s.PushesRecorded != 2 || s.Pushes.Depth != 1 || !s.Pushes.Oldest.After(first.ReceivedAt) {
		t.Fatalf("first push failed for good: %+v, want recorded 2, depth 1, oldest the second push", s)
	}

	t.Log("deliveries: due, leased, waiting for a retry, done")
	h := MustCreateHook(t, db, "o", "r", "http://127.0.0.1:1/hook")
	MustEnqueueEvent(t, db, h.ID)
	queuedAt := db.Now()
	if s := MustReadStats(t, db); s.Hooks != 1 || s.Deliveries.Depth != 1 || !s.Deliveries.Oldest.Equal(queuedAt) {
		t.Fatalf("one due job: %+v, want 1 hook, depth 1, oldest %s", s, queuedAt)
	}
	clock.Add(time.Minute)
	jobs := MustClaimJobs(t, db, "boot1", 10)
	if s := MustReadStats(t, db); s.Deliveries.Depth != 1 || !s.Deliveries.Oldest.Equal(queuedAt) {
		t.Fatalf("leased job: %+v, want depth 1, oldest %s", s, queuedAt)
	}
	retryAt := db.Now().Add(time.Hour)
	MustFinish(t, db, jobs, hooks.JobRetry, 500, retryAt)
	if s := MustReadStats(t, db); s.Deliveries.Depth != 1 || !s.Deliveries.Oldest.IsZero() {
		t.Fatalf("job waiting for its retry: %+v, want depth 1, no oldest", s)
	}
	clock.Add(2 * time.Hour)
	if s := MustReadStats(t, db); !s.Deliveries.Oldest.Equal(retryAt) {
		t.Fatalf("retry due: oldest=%s, want %s", s.Deliveries.Oldest, retryAt)
	}
	MustDeliverAll(t, db)
	if s := MustReadStats(t, db); s.Deliveries.Depth != 0 || !s.Deliveries.Oldest.IsZero() || s.PushesRecorded != 2 {
		t.Fatalf("delivered: %+v, want depth 0, no oldest, still 2 pushes recorded", s)
	}
}
