package main_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/internal/gittest"
	"github.com/forgehook/forgehook/internal/pgtest"
)

// binary is the forgehook binary under test, built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "forgehook-bin")
	if err == nil {
		err = os.Chmod(dir, 0o755) // hooks run it as the git servers' users
	}
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "forgehook")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build forgehook:", err)
		os.Exit(1)
	}
	code := pgtest.Run(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// Env is one forgehook installation: a repos root, a database, git
// workspaces, an admin token, and (once started) a daemon.
type Env struct {
	T      testing.TB
	WS     *gittest.Workspace
	Root   string // the repos root
	DB     string
	Token  string
	Daemon *Daemon
	// Prepare, if set, adjusts every forgehook command before it starts
	// (MustRun, MustStart): to run it as another user, say.
	Prepare func(cmd *exec.Cmd)
}

// command returns a forgehook command, prepared.
func (e *Env) command(args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	if e.Prepare != nil {
		e.Prepare(cmd)
	}
	return cmd
}

// MustNewEnv returns an installation in a temporary directory, with the
// pusher set to "ada".
func MustNewEnv(tb testing.TB) *Env {
	tb.Helper()
	ws := gittest.NewWorkspace(tb)
	ws.Env = append(ws.Env, "FORGEHOOK_PUSHER=ada")
	e := &Env{T: tb, WS: ws, Root: filepath.Join(ws.Dir, "repos"), DB: filepath.Join(ws.Dir, "forgehook.db")}
	if err := os.MkdirAll(e.Root, 0o755); err != nil {
		tb.Fatal(err)
	}
	e.Token = e.MustToken("ada")
	return e
}

// MustNewPGEnv is MustNewEnv on a new PostgreSQL database (see
// pgtest.MustDSN), with a secret key file every command is given.
func MustNewPGEnv(tb testing.TB) *Env {
	tb.Helper()
	dsn := pgtest.MustDSN(tb)
	ws := gittest.NewWorkspace(tb)
	ws.Env = append(ws.Env, "FORGEHOOK_PUSHER=ada")
	e := &Env{T: tb, WS: ws, Root: filepath.Join(ws.Dir, "repos"), DB: dsn}
	if err := os.MkdirAll(e.Root, 0o755); err != nil {
		tb.Fatal(err)
	}
	keyFile := filepath.Join(ws.Dir, "forgehook.key")
	e.Prepare = func(cmd *exec.Cmd) { cmd.Env = append(os.Environ(), "FORGEHOOK_SECRET_KEY_FILE="+keyFile) }
	e.Token = e.MustToken("ada")
	return e
}

// MustRun runs the forgehook binary and returns its stdout.
func (e *Env) MustRun(args ...string) string {
	e.T.Helper()
	cmd := e.command(args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		e.T.Fatalf("forgehook %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return string(out)
}

// MustToken creates an API token for login, limited to repos if any are given.
func (e *Env) MustToken(login string, repos ...string) string {
	e.T.Helper()
	args := []string{"token", "create", "--db", e.DB, "--user", login}
	for _, r := range repos {
		args = append(args, "--repo", r)
	}
	lines := strings.Split(strings.TrimSpace(e.MustRun(args...)), "\n")
	return lines[len(lines)-1]
}

// MustRepo creates the bare repository owner/name with forgehook installed.
func (e *Env) MustRepo(owner, name string) string {
	e.T.Helper()
	dir := e.WS.MustInitBare(e.Root, owner, name)
	e.MustRun("install", "--db", e.DB, "--repos", e.Root, dir)
	return dir
}

// Daemon is a running "forgehook serve".
type Daemon struct {
	cmd  *exec.Cmd
	URL  string
	mu   sync.Mutex
	logs bytes.Buffer
	done chan struct{}
}

// Logs returns what the daemon logged so far.
func (d *Daemon) Logs() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.logs.String()
}

// MustStart starts the daemon with extra flags and waits until /healthz answers.
func (e *Env) MustStart(extra ...string) *Daemon {
	e.T.Helper()
	args := append([]string{"serve", "--listen", "127.0.0.1:0", "--db", e.DB, "--repos", e.Root}, extra...)
	cmd := e.command(args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		e.T.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.T.Fatal(err)
	}
	d := &Daemon{cmd: cmd, done: make(chan struct{})}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			d.mu.Lock()
			d.logs.WriteString(line + "\n")
			d.mu.Unlock()
			if addr, ok := listenAddr(line); ok {
				select {
				case urls <- "http://" + addr:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() { _ = cmd.Wait(); close(d.done) }()
	e.T.Cleanup(func() { d.Kill() })
	select {
	case d.URL = <-urls:
	case <-d.done:
		e.T.Fatalf("forgehook serve exited:\n%s", d.Logs())
	case <-time.After(20 * time.Second):
		e.T.Fatalf("forgehook serve did not start:\n%s", d.Logs())
	}
	for deadline := time.Now().Add(wait); ; {
		resp, err := http.Get(d.URL + "/healthz")
		if err == nil && resp.StatusCode == 200 {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			e.T.Fatalf("healthz: %v\n%s", err, d.Logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.Daemon = d
	return d
}

// listenAddr returns the address of the daemon's start line, in the text
// or the JSON log format.
func listenAddr(line string) (string, bool) {
	if _, rest, ok := strings.Cut(line, " listen=http://"); ok {
		addr, _, _ := strings.Cut(rest, " ")
		return addr, true
	}
	if _, rest, ok := strings.Cut(line, `"listen":"http://`); ok {
		addr, _, _ := strings.Cut(rest, `"`)
		return addr, true
	}
	return "", false
}

// Stop sends SIGTERM and waits for the daemon to exit.
func (d *Daemon) Stop() {
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(30 * time.Second):
		d.Kill()
	}
}

// Kill sends SIGKILL and waits for the daemon to exit.
func (d *Daemon) Kill() {
	_ = d.cmd.Process.Kill()
	<-d.done
}

// Client returns a go-github client for the running daemon, with BaseURL
// set directly (enterprise false) or through WithEnterpriseURLs.
func (e *Env) Client(enterprise bool) *github.Client {
	e.T.Helper()
	return e.ClientWithToken(enterprise, e.Token)
}

// ClientWithToken is Client with another token.
func (e *Env) ClientWithToken(enterprise bool, token string) *github.Client {
	e.T.Helper()
	c := github.NewClient(nil).WithAuthToken(token)
	if enterprise {
		var err error
		if c, err = c.WithEnterpriseURLs(e.Daemon.URL+"/", e.Daemon.URL+"/"); err != nil {
			e.T.Fatal(err)
		}
		return c
	}
	u, err := url.Parse(e.Daemon.URL + "/")
	if err != nil {
		e.T.Fatal(err)
	}
	c.BaseURL = u
	return c
}

// MustCreateHook creates a repository hook through go-github.
func (e *Env) MustCreateHook(owner, repo, target, contentType, secret string, events ...string) *github.Hook {
	e.T.Helper()
	cfg := &github.HookConfig{URL: github.String(target), ContentType: github.String(contentType)}
	if secret != "" {
		cfg.Secret = github.String(secret)
	}
	if len(events) == 0 {
		events = []string{"push"}
	}
	h, _, err := e.Client(false).Repositories.CreateHook(context.Background(), owner, repo,
		&github.Hook{Config: cfg, Events: events, Active: github.Bool(true)})
	if err != nil {
		e.T.Fatalf("create hook: %v", err)
	}
	return h
}

// waitUntil polls cond until it holds, failing the test after wait.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, wait)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
