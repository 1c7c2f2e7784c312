package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

func (s suite) testPruneDeliveries(t *testing.T) {
	ctx := context.Background()
	db, clock := s.open(t)
	h := MustCreateHook(t, db, "o", "r", "http://a.example/")

	MustEnqueueEvent(t, db, h.ID) // delivered on the first day: pruned
	MustEnqueueEvent(t, db, h.ID)
	MustDeliverAll(t, db)
	queued := MustEnqueueEvent(t, db, h.ID) // still queued: kept
	MustEnqueuePush(t, db)
	if err := CompletePush(ctx, db, MustClaimPushes(t, db, "boot1", 1)[0], nil); err != nil {
		t.Fatal(err)
	}
	clock.Add(48 * time.Hour)
	recent := MustEnqueueEvent(t, db, h.ID)
	MustDeliverAll(t, db) // delivers queued and recent now

	n, err := db.PruneDeliveries(ctx, clock.Now().Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Pruned: the first day's 2 finished jobs, their 2 attempts and 2
	// events, and the done push. The queued event of the first day stays:
	// its job finished today.
	if n != 7 {
		t.Fatalf("pruned %d rows, want 7", n)
	}
	ds, err := db.FindDeliveries(ctx, h.ID, 0, 0)
	if err != nil || len(ds) != 2 {
		t.Fatalf("deliveries=%d (%v), want the 2 of today", len(ds), err)
	}
	if err := db.Redeliver(ctx, h.ID, 1); hooks.ErrorCode(err) != hooks.ENOTFOUND {
		t.Fatalf("redeliver a pruned attempt: %v, want ENOTFOUND", err)
	}
	latest, err := db.LatestEvent(ctx, "o", "r", "push")
	if err != nil || latest.ID != recent.ID {
		t.Fatalf("latest=%v (%v), want event %d", latest, err, recent.ID)
	}
	if d := ds[1]; d.EventID != queued.ID {
		t.Fatalf("oldest kept delivery is of event %d, want %d", d.EventID, queued.ID)
	} else if err := db.Redeliver(ctx, h.ID, d.ID); err != nil {
		t.Fatalf("redeliver today's attempt of the first day's event: %v", err)
	}
	// The newest event of each kind stays even when it is old.
	clock.Add(48 * time.Hour)
	MustDeliverAll(t, db)
	if _, err := db.PruneDeliveries(ctx, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if latest, err := db.LatestEvent(ctx, "o", "r", "push"); err != nil || latest.ID != recent.ID {
		t.Fatalf("latest after pruning everything=%v (%v), want event %d", latest, err, recent.ID)
	}
}
