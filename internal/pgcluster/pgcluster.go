// Package pgcluster runs a throwaway PostgreSQL cluster with Debian's server
// binaries: made in its own temporary directory, listening only on a unix
// socket there, tuned for speed over durability (fsync off), and removed
// when stopped. The tests (internal/pgtest) and the benchmarks
// (internal/bench) use it.
package pgcluster

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
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// BinDir is where Debian's postgresql package puts the server binaries.
// FORGEHOOK_PG_BINDIR overrides it.
const BinDir = "/usr/lib/postgresql/15/bin"

// clusterUser is the unix account the server runs as when this process runs
// as root, which PostgreSQL refuses to run as.
const clusterUser = "fhpg"

// Cluster is a running server.
type Cluster struct {
	dir  string // the cluster's temporary directory: data/ and the socket
	user string // the database superuser: the unix account the server runs as
	cmd  *exec.Cmd
}

// PID returns the server's (the postmaster's) process id.
func (c *Cluster) PID() int { return c.cmd.Process.Pid }

// DSN returns the URL (postgres://…) of database name on the cluster's socket.
func (c *Cluster) DSN(name string) string {
	q := url.Values{"host": {c.dir}, "sslmode": {"disable"}}
	return "postgres://" + url.PathEscape(c.user) + "@/" + name + "?" + q.Encode()
}

// Exec runs one statement (CREATE DATABASE, say) on the maintenance database.
func (c *Cluster) Exec(ctx context.Context, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// Start makes a cluster in a new temporary directory and starts its
// server, or says why it could not: no server binaries, no account to run
// it as, a server that did not come up.
func Start() (*Cluster, error) {
	c, err := start()
	if err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// start is Start; a cluster it returns with an error may hold files to remove.
func start() (*Cluster, error) {
	bin := os.Getenv("FORGEHOOK_PG_BINDIR")
	if bin == "" {
		bin = BinDir
	}
	for _, p := range []string{"initdb", "postgres"} {
		if _, err := os.Stat(filepath.Join(bin, p)); err != nil {
			return &Cluster{}, fmt.Errorf("needs the PostgreSQL server (Debian package postgresql): %w", err)
		}
	}
	dir, err := os.MkdirTemp("", "forgehook-pg-")
	if err != nil {
		return &Cluster{}, err
	}
	c := &Cluster{dir: dir}
	cred, name, err := serverUser()
	if err != nil {
		return c, err
	}
	c.user = name
	if err := os.Chmod(dir, 0o755); err != nil {
		return c, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return c, err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", name, "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync")
	prepare(initdb, cred)
	if out, err := initdb.CombinedOutput(); err != nil {
		return c, fmt.Errorf("initdb: %v\n%s", err, out)
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
		return c, err
	}
	defer logf.Close()
	c.cmd.Stdout, c.cmd.Stderr = logf, logf
	if err := c.cmd.Start(); err != nil {
		return c, fmt.Errorf("start postgres: %w", err)
	}
	if err := c.waitReady(30 * time.Second); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		return c, fmt.Errorf("postgres did not start: %v\n%s", err, log)
	}
	return c, nil
}

// waitReady waits until the server accepts connections, or fails after timeout.
func (c *Cluster) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := c.Exec(context.Background(), "SELECT 1")
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(wait)
	}
}

// Stop shuts the server down (fast mode: sessions are ended) and removes
// the cluster's files.
func (c *Cluster) Stop() {
	if c == nil {
		return
	}
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
	if c.dir != "" {
		os.RemoveAll(c.dir)
	}
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
