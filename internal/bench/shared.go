package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/gitgen"
	"github.com/forgehook/forgehook/internal/pgcluster"
	"github.com/forgehook/forgehook/internal/seal"
	"github.com/forgehook/forgehook/internal/wake"
	"github.com/forgehook/forgehook/store/postgres"
	"github.com/forgehook/forgehook/store/sqlite"
)

// benchStore is what the shared-queue benchmark writes through: either sqlite.
type benchStore interface {
	CreateHook(ctx context.Context, h *hooks.Hook) error
	EnqueuePush(ctx context.Context, p *hooks.Push) error
	Close() error
}

// isPG reports whether db is a PostgreSQL URL rather than a SQLite file.
func isPG(db string) bool { return strings.HasPrefix(db, "postgres://") }

// openStore opens db, SQLite or PostgreSQL, sealing secrets with keyFile.
func openStore(db, keyFile string) (benchStore, error) {
	keys, _, err := seal.LoadOrCreate(keyFile)
	if err != nil {
		return nil, err
	}
	if isPG(db) {
		s, err := postgres.Open(context.Background(), db)
		if err != nil {
			return nil, err
		}
		s.Secrets = keys
		// Pushes recorded here must be the daemons' own: they run with the
		// default node, the host name.
		if s.Node, err = os.Hostname(); err != nil {
			s.Close()
			return nil, err
		}
		return s, nil
	}
	s, err := sqlite.Open(db)
	if err != nil {
		return nil, err
	}
	s.Secrets = keys
	return s, nil
}

// shared is what a drain by one or more daemons on one database measured.
type shared struct {
	drained
	serverCPU time.Duration // the PostgreSQL server's, over the drain (0 on SQLite)
	latency   Sample        // git push returned -> the receiver had every hook's delivery
}

// drainShared records f's pushes on db (a SQLite file, or a PostgreSQL URL
// with cluster its server) while n daemons are stopped, resumes them all,
// and measures how fast they deliver and record the backlog together, and
// the CPU they (and the server) used per delivery. It then makes pushes
// real pushes with the daemons running and times each until every hook has
// it. name labels the run in dir.
func (e *Env) drainShared(name string, f fanout, recv *Receiver, db string, cluster *pgcluster.Cluster, n, pushes int) (*shared, error) {
	dir := filepath.Join(e.Dir, name)
	repos := filepath.Join(dir, "repos")
	if db == "" {
		db = filepath.Join(dir, "forgehook.db")
	}
	gitDir, err := e.InitBare(repos, "bench", "fan")
	if err != nil {
		return nil, err
	}
	h := gitgen.History{Commits: f.pushes + 1, Dirs: 30, FilesPerDir: 10}
	if _, err := e.GitInput(gitDir, gitgen.FastImport(h), "fast-import", "--quiet", "--force"); err != nil {
		return nil, err
	}
	list, err := e.Git(gitDir, "rev-list", "--first-parent", "--reverse", "main")
	if err != nil {
		return nil, err
	}
	ids := strings.Fields(list)
	keyFile := filepath.Join(dir, "forgehook.key")
	s, err := openStore(db, keyFile)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	ctx := context.Background()
	for i := range f.hooks {
		h := &hooks.Hook{Owner: "bench", Repo: "fan", Name: "web", Events: []string{hooks.EventPush}, Active: true,
			Config: hooks.HookConfig{URL: fmt.Sprintf("%s/h/%d", recv.URL, i), ContentType: hooks.ContentJSON, Secret: hookSecret}}
		if err := s.CreateHook(ctx, h); err != nil {
			return nil, err
		}
	}
	var ds []*Daemon
	defer func() {
		for _, d := range ds {
			d.Kill()
		}
	}()
	for range n {
		d, err := e.StartDaemon(db, repos, "--secret-key-file", keyFile)
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
		if err := d.Pause(); err != nil {
			return nil, err
		}
	}
	for i := 1; i <= f.pushes; i++ {
		p := &hooks.Push{GitDir: gitDir, Pusher: "bench", ReceivedAt: time.Now(),
			Updates: []hooks.RefUpdate{{Before: ids[i-1], After: ids[i], Ref: "refs/heads/main"}}}
		if err := s.EnqueuePush(ctx, p); err != nil {
			return nil, err
		}
	}
	want := f.hooks * f.pushes
	base := recv.Count()
	all := recv.Expect(base + int64(want))
	cpu0, err := daemonsCPU(ds, cluster)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	for _, d := range ds {
		if err := d.Resume(); err != nil {
			return nil, err
		}
	}
	if !isPG(db) {
		wake.Notify(wake.SocketPath(db))
	}
	received, err := waitFor(all, 3*time.Minute, fmt.Sprintf("%s: the receiver having %d deliveries", name, want))
	if err != nil {
		return nil, fmt.Errorf("%w (got %d)\n%s", err, recv.Count()-base, ds[0].Log())
	}
	recorded, err := ds[0].WaitDeliveries(int64(want), time.Minute)
	if err != nil {
		return nil, err
	}
	cpu1, err := daemonsCPU(ds, cluster)
	if err != nil {
		return nil, err
	}
	r := &shared{drained: drained{deliveries: want, received: received.Sub(t0), recorded: recorded.Sub(t0),
		cpu: cpu1[0] - cpu0[0]}, serverCPU: cpu1[1] - cpu0[1]}
	time.Sleep(100 * time.Millisecond) // let a duplicate, if any, arrive
	r.extra = recv.Count() - base - int64(want)
	for range pushes {
		took, err := e.pushToAll(ds[0], recv, gitDir, f.hooks, dir)
		if err != nil {
			return nil, err
		}
		r.latency = append(r.latency, took)
	}
	for _, d := range ds {
		if k := d.Errors(); k > 0 {
			return nil, fmt.Errorf("%s: a daemon logged %d errors:\n%s", name, k, d.Log())
		}
	}
	for _, d := range ds {
		if err := d.Stop(); err != nil {
			return nil, err
		}
	}
	ds = nil
	return r, nil
}

// daemonsCPU returns the CPU time the daemons have used, and the
// PostgreSQL server's (its postmaster and every backend), if cluster is set.
func daemonsCPU(ds []*Daemon, cluster *pgcluster.Cluster) ([2]time.Duration, error) {
	var out [2]time.Duration
	for _, d := range ds {
		c, err := CPUTime(d.PID())
		if err != nil {
			return out, err
		}
		out[0] += c
	}
	if cluster != nil {
		c, err := treeCPU(cluster.PID())
		if err != nil {
			return out, err
		}
		out[1] = c
	}
	return out, nil
}

// treeCPU returns the CPU time of process pid and of its live children
// (a PostgreSQL server's backends: the daemons' pooled connections live
// through a drain).
func treeCPU(pid int) (time.Duration, error) {
	total, err := CPUTime(pid)
	if err != nil {
		return 0, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, ent := range entries {
		child, err := strconv.Atoi(ent.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", child))
		if err != nil {
			continue
		}
		st := string(b)
		i := strings.LastIndexByte(st, ')')
		if f := strings.Fields(st[i+1:]); len(f) > 1 && f[1] == strconv.Itoa(pid) {
			if c, err := parseStatCPU(st); err == nil {
				total += c
			}
		}
	}
	return total, nil
}
