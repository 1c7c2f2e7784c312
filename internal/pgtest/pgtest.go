// Package pgtest runs a throwaway PostgreSQL cluster for tests: one per test
// binary, started on first use with Debian's server binaries, listening only
// on a unix socket in its own temporary directory, with a fresh database per
// test. A test binary that uses it calls Main from TestMain, which stops the
// cluster and removes its files when the tests end.
//
// Without the server binaries, or run as root without useradd, a test that
// asks for a database is skipped with the reason; with the environment
// variable CI set, it fails instead.
package pgtest

import (
	"context"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/forgehook/forgehook/internal/pgcluster"
)

// cluster is the server of this test binary, or why it could not start.
type cluster struct {
	*pgcluster.Cluster
	err error // for every test that asks
	n   atomic.Int64
}

var (
	once    sync.Once
	running *cluster
)

// Main runs the tests of m and then stops the cluster, if one was started,
// and exits. Call it from TestMain.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is Main for a TestMain with more to clean up: it runs the tests of m,
// stops the cluster, if one was started, and returns the exit code.
func Run(m *testing.M) int {
	code := m.Run()
	if running != nil {
		running.Stop()
	}
	return code
}

// MustDSN returns the URL (postgres://…) of a new, empty database for this
// test, on the cluster it starts on first use. The database is dropped when
// the test ends.
func MustDSN(tb testing.TB) string {
	tb.Helper()
	once.Do(func() { running = &cluster{}; running.Cluster, running.err = pgcluster.Start() })
	c := running
	if c.err != nil {
		unavailable(tb, c.err.Error())
	}
	name := "t_" + strconv.FormatInt(c.n.Add(1), 10)
	ctx := context.Background()
	if err := c.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		// WITH (FORCE) ends the sessions a failed test may have left open.
		if err := c.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return c.DSN(name)
}

// unavailable skips outside CI and fails in CI, where every test must run.
func unavailable(tb testing.TB, reason string) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatalf("pgtest: %s (CI is set, so this is a failure, not a skip)", reason)
	}
	tb.Skipf("pgtest: %s", reason)
}
