package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/seal"
	"github.com/forgehook/forgehook/store/sqlite"
	"github.com/forgehook/forgehook/store/storetest"
)

// MustOpenDB opens a new database in a temporary directory, with its clock
// pinned to a storetest.Clock, and closes it when the test ends.
func MustOpenDB(tb testing.TB) (*sqlite.DB, *storetest.Clock) {
	tb.Helper()
	db := MustOpenDBAt(tb, filepath.Join(tb.TempDir(), "forgehook.db"))
	c := storetest.NewClock()
	db.Now = c.Now
	return db, c
}

// testKeys is the secret key of every test database, in memory: every
// handle on one file must share it, as processes share the key file.
var testKeys = sync.OnceValue(func() *seal.Keyring {
	k, err := seal.New()
	if err != nil {
		panic(err)
	}
	return k
})

// MustOpenDBAt opens the database at path, with testKeys, and closes it
// when the test ends.
func MustOpenDBAt(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	db.Secrets = testKeys()
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

func TestOpen(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "forgehook.db")
		db, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		// Reopening an up-to-date database keeps its data and schema.
		MustOpenDBAt(t, path)
		raw := mustRawDB(t, path)
		var v int
		if err := raw.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if want := sqlite.SchemaVersion(); v != want || want < 1 {
			t.Fatalf("user_version=%d, want %d", v, want)
		}
		var mode string
		if err := raw.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" {
			t.Fatalf("journal_mode=%q, want wal", mode)
		}
	})

	t.Run("ConnectionSettings", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		for _, tt := range []struct {
			read       bool
			name, want string
		}{
			{false, "journal_mode", "wal"},
			{false, "synchronous", "2"}, // FULL
			{false, "foreign_keys", "1"},
			{false, "busy_timeout", "5000"},
			{true, "query_only", "1"},
			{true, "busy_timeout", "5000"},
		} {
			pragma := db.WritePragma
			if tt.read {
				pragma = db.ReadPragma
			}
			got, err := pragma(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s (read pool %v)=%s, want %s", tt.name, tt.read, got, tt.want)
			}
		}
	})

	t.Run("ConcurrentFirstOpen", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "forgehook.db")
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() {
				db, err := sqlite.Open(path)
				if err != nil {
					errs <- err
					return
				}
				errs <- db.EnqueuePush(context.Background(), &hooks.Push{GitDir: "/r", Pusher: "u"})
				db.Close()
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("ErrNewerSchema", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "forgehook.db")
		db, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		raw := mustRawDB(t, path)
		if _, err := raw.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, sqlite.SchemaVersion()+1)); err != nil {
			t.Fatal(err)
		}
		if _, err := sqlite.Open(path); err == nil {
			t.Fatal("Open succeeded on a newer schema, want an error")
		}
	})

	t.Run("PathWithURIDelimiters", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a?b#c%d.db")
		db := MustOpenDBAt(t, path)
		if err := db.EnqueuePush(context.Background(), &hooks.Push{GitDir: "/r", Pusher: "u"}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("database file: %v", err)
		}
	})
}

// mustRawDB opens path directly, for looking underneath the sqlite.
func mustRawDB(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

// TestDB_TwoProcesses writes the same file through two handles at once, as
// the post-receive hook and the daemon do, and expects no busy errors.
func TestDB_TwoProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "forgehook.db")
	daemon := MustOpenDBAt(t, path)
	ctx := context.Background()
	h := storetest.MustCreateHook(t, daemon, "o", "r", "http://example.com/hook")

	const pushes = 100
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	// The hook process: open, enqueue, close, over and over, from two "pushes" at once.
	for range 2 {
		wg.Go(func() {
			for range pushes / 2 {
				db, err := sqlite.Open(path)
				if err != nil {
					errs <- err
					return
				}
				err = db.EnqueuePush(ctx, &hooks.Push{GitDir: "/srv/git/o/r.git", Pusher: "u",
					Updates: []hooks.RefUpdate{{Before: hooks.ZeroSHA, After: hooks.ZeroSHA, Ref: "refs/heads/main"}}})
				if cerr := db.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	// The daemon: turn pushes into events and deliver them, until every push is done.
	wg.Go(func() {
		done := 0
		deadline := time.Now().Add(30 * time.Second)
		for done < pushes && time.Now().Before(deadline) {
			ps, err := daemon.ClaimPushes(ctx, "daemon", 16, time.Minute)
			if err != nil {
				errs <- err
				return
			}
			for _, p := range ps {
				e := &hooks.Event{Owner: "o", Repo: "r", Name: hooks.EventPush, Payload: []byte(`{}`), Targets: []int64{h.ID}}
				if err := storetest.CompletePush(ctx, daemon, p, []*hooks.Event{e}); err != nil {
					errs <- err
					return
				}
				done++
			}
			jobs, err := daemon.ClaimJobs(ctx, "daemon", 64, nil, time.Minute)
			if err != nil {
				errs <- err
				return
			}
			var outcomes []*hooks.Outcome
			for _, j := range jobs {
				outcomes = append(outcomes, &hooks.Outcome{Job: j, State: hooks.JobSucceeded,
					Delivery: &hooks.Delivery{GUID: j.Event.GUID, Status: "OK", StatusCode: 200}})
			}
			if err := daemon.FinishJobs(ctx, outcomes); err != nil {
				errs <- err
				return
			}
		}
		if done != pushes {
			errs <- fmt.Errorf("daemon completed %d pushes, want %d", done, pushes)
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestDB_HookNotStarved saturates the database with the daemon's claims and
// finishes, back to back, and expects the post-receive hook's pushes to get
// through quickly anyway. Without the write gate they wait out the busy
// timeout and fail. The gate either sees the hook's announced write (gate
// file) or, without one, paces the daemon by time: both must do.
func TestDB_HookNotStarved(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	t.Run("gate file", func(t *testing.T) { testHookNotStarved(t, true) })
	t.Run("paced by time", func(t *testing.T) { testHookNotStarved(t, false) })
}

func testHookNotStarved(t *testing.T, gateFile bool) {
	path := filepath.Join(t.TempDir(), "forgehook.db")
	daemon := MustOpenDBAt(t, path)
	if !gateFile {
		daemon.DisableGateFile()
	}
	ctx := context.Background()
	var targets []int64
	for i := range 8 {
		targets = append(targets, storetest.MustCreateHook(t, daemon, "o", "r", fmt.Sprintf("http://example.com/%d", i)).ID)
	}
	for range 100 {
		storetest.MustEnqueueEvent(t, daemon, targets...)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(stop)
	wg.Go(func() { // every attempt fails and is due again at once: endless work
		for {
			select {
			case <-stop:
				return
			default:
			}
			jobs, err := daemon.ClaimJobs(ctx, "daemon", 64, nil, time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			outcomes := make([]*hooks.Outcome, len(jobs))
			for i, j := range jobs {
				outcomes[i] = &hooks.Outcome{Job: j, State: hooks.JobRetry, RetryAt: time.Unix(0, 0),
					Delivery: &hooks.Delivery{Status: "Invalid HTTP Response: 500", StatusCode: 500}}
			}
			if err := daemon.FinishJobs(ctx, outcomes); err != nil {
				t.Error(err)
				return
			}
		}
	})

	var slowest time.Duration
	for range 20 {
		start := time.Now()
		db, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		err = db.EnqueuePush(ctx, &hooks.Push{GitDir: "/srv/git/o/r.git", Pusher: "u"})
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		slowest = max(slowest, time.Since(start))
		time.Sleep(10 * time.Millisecond)
	}
	// Starved, the hook would wait out SQLite's busy timeout and fail; it
	// must get the lock well before (asserted against the mechanism's own
	// bound, not a wall-clock figure: the machine may be busy).
	if slowest >= sqlite.BusyTimeout/2 {
		t.Fatalf("slowest push took %v, want well under the busy timeout %v", slowest, sqlite.BusyTimeout)
	}
	t.Logf("slowest push: %v", slowest)
}

func TestOpenExisting_NeverCreates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "forgehook.db")
	if _, err := sqlite.OpenExisting(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("OpenExisting of a missing file: %v, want ErrNotExist", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("OpenExisting created %s", path)
	}
	MustOpenDBAt(t, path)
	db, err := sqlite.OpenExisting(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}
