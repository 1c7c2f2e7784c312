package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// testHookOrderAcrossOwners checks what keeps a hook's deliveries in order
// when several daemons share the queue: while one owner holds a lease on a
// job of a hook, no other owner may claim that hook's jobs; the holder may
// claim more of them, and once it holds none (finished, or its lease
// expired) any owner may.
func (s suite) testHookOrderAcrossOwners(t *testing.T) {
	db, clock := s.open(t)
	h := MustCreateHook(t, db, "o", "r", "http://h.example/")
	g := MustCreateHook(t, db, "o", "r", "http://g.example/")
	for range 3 {
		MustEnqueueEvent(t, db, h.ID)
	}
	MustEnqueueEvent(t, db, g.ID)

	first := MustClaimJobs(t, db, "boot1", 1)
	if len(first) != 1 || first[0].Hook.ID != h.ID {
		t.Fatalf("boot1 claimed %v, want hook %d's oldest job", first, h.ID)
	}
	other := MustClaimJobs(t, db, "boot2", 10)
	if len(other) != 1 || other[0].Hook.ID != g.ID {
		t.Fatalf("boot2 claimed %v while boot1 leases a job of hook %d, want only hook %d's job", other, h.ID, g.ID)
	}
	more := MustClaimJobs(t, db, "boot1", 10)
	if len(more) != 2 || more[0].Hook.ID != h.ID || !slices.IsSorted(JobIDs(append(first, more...))) {
		t.Fatalf("boot1 claimed %v, want the rest of hook %d's jobs in order", more, h.ID)
	}
	MustFinish(t, db, append(first, more...), hooks.JobSucceeded, 200, time.Time{})

	t.Run("FreeOnceFinished", func(t *testing.T) {
		e := MustEnqueueEvent(t, db, h.ID)
		jobs := MustClaimJobs(t, db, "boot2", 10)
		if len(jobs) != 1 || jobs[0].Event.ID != e.ID {
			t.Fatalf("boot2 claimed %v after boot1 finished hook %d's jobs, want the new one", jobs, h.ID)
		}
		t.Run("FreeOnceExpired", func(t *testing.T) {
			MustEnqueueEvent(t, db, h.ID)
			if jobs := MustClaimJobs(t, db, "boot3", 10); len(jobs) != 0 {
				t.Fatalf("boot3 claimed %v while boot2 leases a job of the hook, want none", jobs)
			}
			clock.Add(time.Minute + time.Millisecond) // boot2's lease expires
			var ofH []*hooks.Job                      // boot2's job of g comes back too
			for _, j := range MustClaimJobs(t, db, "boot3", 10) {
				if j.Hook.ID == h.ID {
					ofH = append(ofH, j)
				}
			}
			if len(ofH) != 2 || ofH[0].Attempt != 2 || ofH[1].Attempt != 1 {
				t.Fatalf("boot3 claimed %v of hook %d after boot2's lease expired, want boot2's job again and the new one", ofH, h.ID)
			}
		})
	})
}
