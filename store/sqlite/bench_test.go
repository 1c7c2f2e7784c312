package sqlite_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/sqlite"
	"github.com/forgehook/forgehook/store/storetest"
)

// BenchmarkOpenEnqueuePushClose is the whole storage work of one run of the
// post-receive hook: open the database (schema check), record the push in
// one transaction, close. "alone" is the last connection to close, which
// checkpoints the WAL; "daemon open" is the usual case, with the daemon
// holding the file open.
func BenchmarkOpenEnqueuePushClose(b *testing.B) {
	for _, daemon := range []bool{false, true} {
		name := "alone"
		if daemon {
			name = "daemon open"
		}
		b.Run(name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "forgehook.db")
			d := MustOpenDBAt(b, path) // creates the schema
			if !daemon {
				d.Close()
			}
			ctx := context.Background()
			updates := []hooks.RefUpdate{{Before: "1111111111111111111111111111111111111111",
				After: "2222222222222222222222222222222222222222", Ref: "refs/heads/main"}}
			for b.Loop() {
				db, err := sqlite.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				if err := db.EnqueuePush(ctx, &hooks.Push{GitDir: "/srv/git/o/r.git", Pusher: "alice", Updates: updates}); err != nil {
					b.Fatal(err)
				}
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkClaimFinishJobs claims 64 jobs and records their 64 outcomes (each
// with an attempt) in one batch, as the dispatcher does under load: two
// write transactions per 64 deliveries. "gate file" is the store as shipped
// on Linux (no pause while no other process writes); "paced by time" is the
// fallback elsewhere, which leaves the lock free after each write.
func BenchmarkClaimFinishJobs(b *testing.B) {
	for _, gateFile := range []bool{true, false} {
		name := "gate file"
		if !gateFile {
			name = "paced by time"
		}
		b.Run(name, func(b *testing.B) {
			db, _ := MustOpenDB(b)
			db.Now = time.Now
			if !gateFile {
				db.DisableGateFile()
			}
			ctx := context.Background()
			var targets []int64
			for i := range 8 {
				targets = append(targets, storetest.MustCreateHook(b, db, "o", "r", fmt.Sprintf("http://x.example/%d", i)).ID)
			}
			payload := bytes.Repeat([]byte("x"), 1024)
			refill := func() { // 8 events × 8 hooks, 100 times: 6,400 jobs
				b.StopTimer()
				defer b.StartTimer()
				for range 100 {
					e := &hooks.Event{Owner: "o", Repo: "r", Name: "push", Payload: payload, Targets: targets}
					if err := db.EnqueueEvent(ctx, e); err != nil {
						b.Fatal(err)
					}
				}
			}
			refill()
			jobs := 0
			for b.Loop() {
				claimed, err := db.ClaimJobs(ctx, "bench", 64, nil, time.Minute)
				if err != nil {
					b.Fatal(err)
				}
				if len(claimed) < 64 {
					refill()
					more, err := db.ClaimJobs(ctx, "bench", 64-len(claimed), nil, time.Minute)
					if err != nil {
						b.Fatal(err)
					}
					claimed = append(claimed, more...)
				}
				outcomes := make([]*hooks.Outcome, len(claimed))
				for i, j := range claimed {
					outcomes[i] = &hooks.Outcome{Job: j, State: hooks.JobSucceeded, Delivery: storetest.NewDelivery(j, 200, time.Now())}
				}
				if err := db.FinishJobs(ctx, outcomes); err != nil {
					b.Fatal(err)
				}
				jobs += len(claimed)
			}
			b.ReportMetric(float64(jobs)/b.Elapsed().Seconds(), "jobs/s")
		})
	}
}
