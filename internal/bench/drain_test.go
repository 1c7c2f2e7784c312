package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/forgehook/forgehook/egress"
	"github.com/forgehook/forgehook/git"
	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/gitgen"
	"github.com/forgehook/forgehook/store/sqlite"
)

// BenchmarkDrain is the throughput benchmark in one process, for profiling
// (go test -bench Drain -cpuprofile): the daemon's push worker and
// dispatcher, wired as forgehook serve wires them, turn a backlog of
// recorded one-commit pushes into deliveries to a loopback receiver.
func BenchmarkDrain(b *testing.B) {
	for _, f := range []fanout{{hooks: 1000, pushes: 2}, {hooks: 100, pushes: 20}, {hooks: 1, pushes: 2000}} {
		b.Run(fmt.Sprintf("%dhooks", f.hooks), func(b *testing.B) {
			benchDrain(b, f)
		})
	}
}

func benchDrain(b *testing.B, f fanout) {
	e := &Env{Dir: b.TempDir()}
	if err := e.Init(); err != nil {
		b.Fatal(err)
	}
	recv, err := StartReceiver()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { recv.Close() })
	repos, dbPath := filepath.Join(e.Dir, "repos"), filepath.Join(e.Dir, "forgehook.db")
	gitDir, err := e.InitBare(repos, "bench", "fan")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.GitInput(gitDir, gitgen.FastImport(gitgen.History{Commits: f.pushes + 1, Dirs: 30, FilesPerDir: 10}),
		"fast-import", "--quiet", "--force"); err != nil {
		b.Fatal(err)
	}
	list, err := e.Git(gitDir, "rev-list", "--first-parent", "--reverse", "main")
	if err != nil {
		b.Fatal(err)
	}
	ids := strings.Fields(list)
	db, err := sqlite.Open(dbPath)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := AddHooks(dbPath, "bench", "fan", recv.URL, f.hooks); err != nil {
		b.Fatal(err)
	}
	policy, err := egress.ParsePolicy("loopback")
	if err != nil {
		b.Fatal(err)
	}
	reader := git.NewReader()
	b.Cleanup(func() { reader.Close() })
	ctx := context.Background()
	want := int64(f.hooks * f.pushes)
	var total int64
	for b.Loop() {
		b.StopTimer()
		for i := 1; i <= f.pushes; i++ {
			p := &hooks.Push{GitDir: gitDir, Pusher: "bench",
				Updates: []hooks.RefUpdate{{Before: ids[i-1], After: ids[i], Ref: "refs/heads/main"}}}
			if err := db.EnqueuePush(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
		all := recv.Expect(recv.Count() + want)
		owner := hooks.NewGUID()
		dispatcher := &hooks.Dispatcher{Queue: db, Owner: owner, Retry: hooks.RetryPolicy{Schedule: []time.Duration{time.Second}},
			Sender: &hooks.Sender{Client: egress.NewClient(policy, 10*time.Second, false),
				InsecureClient: egress.NewClient(policy, 10*time.Second, true), Timeout: 10 * time.Second}}
		pusher := &hooks.PushWorker{Pushes: db, Hooks: db, Accounts: db, Repos: &git.Repos{Root: repos}, Commits: reader, Refs: db,
			URLs: hooks.NewURLs("http://127.0.0.1:8080", ""), Owner: owner, OnEvents: dispatcher.Wake}
		runCtx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		b.StartTimer()
		wg.Go(func() { _ = dispatcher.Run(runCtx) })
		wg.Go(func() { _ = pusher.Run(runCtx) })
		if _, err := waitFor(all, time.Minute, "deliveries"); err != nil {
			b.Fatal(err)
		}
		cancel()
		wg.Wait() // the dispatcher records every outcome before it returns
		total += want
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "deliveries/s")
}
