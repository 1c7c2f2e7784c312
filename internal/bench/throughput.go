package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/gitgen"
	"github.com/forgehook/forgehook/internal/wake"
	"github.com/forgehook/forgehook/store/sqlite"
)

// fanout is one backlog: pushes recorded pushes of one commit each, to a
// repository with hooks push hooks.
type fanout struct {
	hooks, pushes int
}

func (f fanout) String() string {
	return plural(f.pushes, "push", "pushes") + " × " + plural(f.hooks, "hook", "hooks")
}

// plural formats n with the singular or plural noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(int64(n)) + " " + many
}

// drained is what a backlog's drain measured.
type drained struct {
	deliveries int
	received   time.Duration // from SIGCONT until the receiver had them all
	recorded   time.Duration // ... and the database recorded them all
	cpu        time.Duration // the daemon's user+system time over the drain
	peakRSS    int64         // the daemon's VmHWM at the end
	peakAnon   int64         // its largest RssAnon seen during the drain and pushes
	extra      int64         // requests beyond one per delivery (duplicates)
	bodies     [][]byte      // the push payloads, for the baselines
	pushToAll  Sample        // fanout to 1,000 only: git push returned -> receiver had every delivery
}

// rate is the recorded deliveries per second.
func (r *drained) rate() float64 { return Rate(r.deliveries, r.recorded) }

// drain records f's pushes while the daemon is stopped (SIGSTOP), resumes
// it (SIGCONT) and measures how fast it delivers and records the backlog.
// With pushToAll it then makes that many real pushes with the daemon running
// and times each until every hook has it.
func (e *Env) drain(f fanout, recv *Receiver, pushToAll int) (*drained, error) {
	dir := filepath.Join(e.Dir, fmt.Sprintf("fanout-%d", f.hooks))
	repos, db := filepath.Join(dir, "repos"), filepath.Join(dir, "forgehook.db")
	gitDir, err := e.InitBare(repos, "bench", "fan")
	if err != nil {
		return nil, err
	}
	// A linear history: push i moves main from commit i-1 to commit i.
	h := gitgen.History{Commits: f.pushes + 1, Dirs: 30, FilesPerDir: 10}
	if _, err := e.GitInput(gitDir, gitgen.FastImport(h), "fast-import", "--quiet", "--force"); err != nil {
		return nil, err
	}
	list, err := e.Git(gitDir, "rev-list", "--first-parent", "--reverse", "main")
	if err != nil {
		return nil, err
	}
	ids := strings.Fields(list)
	if len(ids) != f.pushes+1 {
		return nil, fmt.Errorf("generated %d commits, want %d", len(ids), f.pushes+1)
	}
	d, err := e.StartDaemon(db, repos)
	if err != nil {
		return nil, err
	}
	defer d.Kill()
	if err := AddHooks(db, "bench", "fan", recv.URL, f.hooks); err != nil {
		return nil, err
	}

	if err := d.Pause(); err != nil {
		return nil, err
	}
	start := time.Now()
	if err := e.record(f, db, repos, gitDir, ids); err != nil {
		return nil, err
	}
	e.logf("%s: recorded in %v with the daemon stopped; draining", f, time.Since(start).Round(time.Millisecond))

	want := f.hooks * f.pushes
	base := recv.Count()
	all := recv.Expect(base + int64(want))
	cpu0, err := CPUTime(d.PID())
	if err != nil {
		return nil, err
	}
	stopSampling := make(chan struct{})
	anon := peakAnon(d.PID(), stopSampling)
	t0 := time.Now()
	if err := d.Resume(); err != nil {
		close(stopSampling)
		return nil, err
	}
	received, err := waitFor(all, 3*time.Minute, fmt.Sprintf("%s: the receiver having %d deliveries", f, want))
	if err != nil {
		close(stopSampling)
		return nil, fmt.Errorf("%w (got %d)\n%s", err, recv.Count()-base, d.Log())
	}
	recorded, err := d.WaitDeliveries(int64(want), time.Minute)
	if err != nil {
		close(stopSampling)
		return nil, err
	}
	cpu1, err := CPUTime(d.PID())
	if err != nil {
		close(stopSampling)
		return nil, err
	}
	r := &drained{deliveries: want, received: received.Sub(t0), recorded: recorded.Sub(t0), cpu: cpu1 - cpu0}
	time.Sleep(100 * time.Millisecond) // let a duplicate, if any, arrive
	r.extra = recv.Count() - base - int64(want)

	for range pushToAll {
		took, err := e.pushToAll(d, recv, gitDir, f.hooks, dir)
		if err != nil {
			close(stopSampling)
			return nil, err
		}
		r.pushToAll = append(r.pushToAll, took)
	}
	close(stopSampling)
	r.peakAnon = <-anon
	if r.peakRSS, err = PeakRSS(d.PID()); err != nil {
		return nil, err
	}
	rows, err := d.view.Query(`SELECT payload FROM events WHERE name = 'push' LIMIT 100`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return nil, err
		}
		r.bodies = append(r.bodies, b)
	}
	rows.Close()
	if n := d.Errors(); n > 0 {
		return nil, fmt.Errorf("%s: the daemon logged %d errors:\n%s", f, n, d.Log())
	}
	return r, d.Stop()
}

// record records f's pushes as post-receive does: up to 100 pushes by
// running forgehook post-receive once per push; more through the store in
// this process (10,000 runs of the hook would take minutes), followed by
// the hook's wake-up.
func (e *Env) record(f fanout, db, repos, gitDir string, ids []string) error {
	if f.pushes <= 100 {
		for i := 1; i <= f.pushes; i++ {
			line := ids[i-1] + " " + ids[i] + " refs/heads/main\n"
			if _, err := e.runHook(gitDir, line, e.Forgehook, "post-receive", "--db", db, "--repos", repos); err != nil {
				return err
			}
		}
		return nil
	}
	s, err := sqlite.Open(db)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx := context.Background()
	for i := 1; i <= f.pushes; i++ {
		p := &hooks.Push{GitDir: gitDir, Pusher: "bench", ReceivedAt: time.Now(),
			Updates: []hooks.RefUpdate{{Before: ids[i-1], After: ids[i], Ref: "refs/heads/main"}}}
		if err := s.EnqueuePush(ctx, p); err != nil {
			return err
		}
	}
	wake.Notify(wake.SocketPath(db))
	return nil
}

// pushToAll makes one real push of one commit to the repository at gitDir,
// whose hooks all deliver to recv, with the daemon running, and returns the
// time from git push returning until the receiver has every delivery. It
// then waits for the database to record them, so that pushes do not overlap.
func (e *Env) pushToAll(d *Daemon, recv *Receiver, gitDir string, hooks int, dir string) (time.Duration, error) {
	work := filepath.Join(dir, "clone")
	c := &Clone{env: e, Dir: work}
	if _, err := e.Git(dir, "clone", "--quiet", gitDir, work); err != nil && !strings.Contains(err.Error(), "already exists") {
		return 0, err
	}
	if err := e.Install(d.DB, d.Repos, gitDir); err != nil {
		return 0, err
	}
	if _, err := e.Git(work, "commit", "--quiet", "--allow-empty", "-m", "push to all hooks"); err != nil {
		return 0, err
	}
	before, err := d.Deliveries(context.Background())
	if err != nil {
		return 0, err
	}
	all := recv.Expect(recv.Count() + int64(hooks))
	if _, _, err := c.Push("main"); err != nil {
		return 0, err
	}
	returned := time.Now()
	got, err := waitFor(all, time.Minute, fmt.Sprintf("a push reaching %d hooks", hooks))
	if err != nil {
		return 0, err
	}
	if _, err := d.WaitDeliveries(before+int64(hooks), time.Minute); err != nil {
		return 0, err
	}
	return got.Sub(returned), nil
}
