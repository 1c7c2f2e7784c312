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
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// BinDir is where Debian's postgresql package puts the server binaries.
// FORGEHOOK_PG_BINDIR overrides it.
const BinDir = "/usr/lib/postgresql/15/bin"

// clusterUser is the unix account the server runs as when the tests run as
// root, which PostgreSQL refuses to run as.
const clusterUser = "fhpg"

// cluster is the running server of this test binary.
type cluster struct {
	dir  string // the cluster's temporary directory: data/ and the socket
	user string // the database superuser: the unix account the server runs as
	cmd  *exec.Cmd
	err  error // why it could not start, for every test that asks
	n    atomic.Int64
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
		running.stop()
	}
	return code
}

// MustDSN returns the URL (postgres://…) of a new, empty database for this
// test, on the cluster it starts on first use. The database is dropped when
// the test ends.
func MustDSN(tb testing.TB) string {
	tb.Helper()
	once.Do(func() { running = start() })
	c := running
	if c.err != nil {
		unavailable(tb, c.err.Error())
	}
	name := "t_" + strconv.FormatInt(c.n.Add(1), 10)
	ctx := context.Background()
	if err := c.exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		// WITH (FORCE) ends the sessions a failed test may have left open.
		if err := c.exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return c.dsn(name)
}

// dsn returns the URL of database name on the cluster's socket.
func (c *cluster) dsn(name string) string {
	q := url.Values{"host": {c.dir}, "sslmode": {"disable"}}
	return "postgres://" + url.PathEscape(c.user) + "@/" + name + "?" + q.Encode()
}

// exec runs one statement on the maintenance database.
func (c *cluster) exec(ctx context.Context, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.dsn("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// start makes and starts the cluster; its err says why it could not.
func start() *cluster {
	bin := os.Getenv("FORGEHOOK_PG_BINDIR")
	if bin == "" {
		bin = BinDir
	}
	for _, p := range []string{"initdb", "postgres"} {
		if _, err := os.Stat(filepath.Join(bin, p)); err != nil {
			return &cluster{err: fmt.Errorf("needs the PostgreSQL server (Debian package postgresql): %w", err)}
		}
	}
	dir, err := os.MkdirTemp("", "forgehook-pg-")
	if err != nil {
		return &cluster{err: err}
	}
	c := &cluster{dir: dir}
	cred, name, err := serverUser()
	if err != nil {
		c.err = err
		return c
	}
	c.user = name
	if err := os.Chmod(dir, 0o755); err != nil {
		c.err = err
		return c
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			c.err = err
			return c
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", name, "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync")
	prepare(initdb, cred)
	if out, err := initdb.CombinedOutput(); err != nil {
		c.err = fmt.Errorf("initdb: %v\n%s", err, out)
		return c
	}
	// No TCP at all: only the socket in dir, which only this machine reaches.
	c.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", dir,
		"-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=32MB",
		"-c", "log_min_messages=warning", "-c", "logging_collector=off")
	prepare(c.cmd, cred)
	// If the test binary dies without Main, the server stops at once too.
	c.cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		c.err = err
		return c
	}
	defer logf.Close()
	c.cmd.Stdout, c.cmd.Stderr = logf, logf
	if err := c.cmd.Start(); err != nil {
		c.err = fmt.Errorf("start postgres: %w", err)
		return c
	}
	if err := c.waitReady(30 * time.Second); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		c.stop()
		c.err = fmt.Errorf("postgres did not start: %v\n%s", err, log)
	}
	return c
}

// waitReady waits until the server accepts connections, or fails after timeout.
func (c *cluster) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := c.exec(context.Background(), "SELECT 1")
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(wait)
	}
}

// stop shuts the server down (fast mode: sessions are ended) and removes
// the cluster's files.
func (c *cluster) stop() {
	if c.cmd != nil && c.cmd.Process != nil {
		_ = c.cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { _ = c.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = c.cmd.Process.Kill()
			<-done
		}
	}
	os.RemoveAll(c.dir)
}

// serverUser returns the credentials to run the server with (nil: as this
// process) and the name of that unix account, creating the account
// clusterUser when running as root.
func serverUser() (*syscall.Credential, string, error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil {
			return nil, "", err
		}
		return nil, u.Username, nil
	}
	if _, err := user.Lookup(clusterUser); err != nil {
		out, err := exec.Command("/usr/sbin/useradd", "--system", "--user-group", "--shell", "/usr/sbin/nologin",
			"--home-dir", "/nonexistent", "--no-create-home", clusterUser).CombinedOutput()
		if err != nil {
			return nil, "", fmt.Errorf("useradd %s: %v: %s", clusterUser, err, strings.TrimSpace(string(out)))
		}
	}
	u, err := user.Lookup(clusterUser)
	if err != nil {
		return nil, "", err
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, "", err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, clusterUser, nil
}

// prepare makes cmd run as cred (if set) with a minimal environment.
func prepare(cmd *exec.Cmd, cred *syscall.Credential) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C", "TZ=UTC"}
	cmd.Dir = "/"
}

// unavailable skips outside CI and fails in CI, where every test must run.
func unavailable(tb testing.TB, reason string) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatalf("pgtest: %s (CI is set, so this is a failure, not a skip)", reason)
	}
	tb.Skipf("pgtest: %s", reason)
}
