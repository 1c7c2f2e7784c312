package main_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
	_ "github.com/mattn/go-sqlite3"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/hooks/hookstest"
)

// MustPushes returns the ref updates of every push recorded in the
// database at path, in order.
func MustPushes(tb testing.TB, path string) [][]hooks.RefUpdate {
	tb.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000&mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT updates FROM pushes ORDER BY id`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out [][]hooks.RefUpdate
	for rows.Next() {
		var s string
		var ups []hooks.RefUpdate
		if err := rows.Scan(&s); err != nil {
			tb.Fatal(err)
		}
		if err := json.Unmarshal([]byte(s), &ups); err != nil {
			tb.Fatal(err)
		}
		out = append(out, ups)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// runHook runs "forgehook post-receive" in gitDir as git would, with input
// on stdin, and returns its stderr.
func (e *Env) runHook(gitDir string, input io.Reader) string {
	e.T.Helper()
	cmd := e.command("post-receive", "--db", e.DB, "--repos", e.Root)
	cmd.Dir, cmd.Stdin = gitDir, input
	cmd.Env = append(os.Environ(), "GIT_DIR=.", "FORGEHOOK_PUSHER=ada")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		e.T.Fatalf("post-receive: %v\n%s", err, stderr.Bytes())
	}
	return stderr.String()
}

// refLine is one line of post-receive input creating ref at sha.
func refLine(sha, ref string) string { return hooks.ZeroSHA + " " + sha + " " + ref + "\n" }

func TestPostReceive_MalformedLineKeepsTheValidOnes(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "widgets")
	sha := strings.Repeat("a", 40)
	in := refLine(sha, "refs/heads/one") + "this is not a ref update\n" + refLine(sha, "refs/heads/two")
	stderr := e.runHook(bare, strings.NewReader(in))

	if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "line 2") {
		t.Fatalf("stderr %q, want one line about line 2", stderr)
	}
	pushes := MustPushes(t, e.DB)
	if len(pushes) != 1 || len(pushes[0]) != 2 || pushes[0][0].Ref != "refs/heads/one" || pushes[0][1].Ref != "refs/heads/two" {
		t.Fatalf("recorded %v, want one push of refs/heads/one and two", pushes)
	}
}

func TestPostReceive_InputOver8MiBIsRecorded(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "widgets")
	var in strings.Builder
	const n = 2500 // of 3.5 KB: 8.8 MB
	for i := 0; i < n; i++ {
		in.WriteString(refLine(strings.Repeat("b", 40), fmt.Sprintf("refs/tags/%s-%04d", strings.Repeat("t", 3500), i)))
	}
	if in.Len() <= 8<<20 {
		t.Fatalf("input of %d bytes, want more than 8 MiB", in.Len())
	}
	if stderr := e.runHook(bare, strings.NewReader(in.String())); stderr != "" {
		t.Fatalf("stderr %q, want none", stderr)
	}
	if pushes := MustPushes(t, e.DB); len(pushes) != 1 || len(pushes[0]) != n {
		t.Fatalf("recorded %d pushes (first of %d updates), want one of %d", len(pushes), len(first(pushes)), n)
	}
}

func first[T any](s [][]T) []T {
	if len(s) == 0 {
		return nil
	}
	return s[0]
}

func TestPush_12000RefsRecordedWhole(t *testing.T) {
	if testing.Short() {
		t.Skip("big push skipped in -short mode")
	}
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "widgets")
	c := e.WS.MustClone(bare, "widgets")
	c.Commit("one", map[string]string{"a.txt": "a"})
	const n = 12000
	var in strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&in, "create refs/tags/t%05d HEAD\n", i)
	}
	cmd := exec.Command("git", "update-ref", "--stdin")
	cmd.Dir, cmd.Env, cmd.Stdin = c.Dir, e.WS.Env, strings.NewReader(in.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("update-ref: %v\n%s", err, out)
	}
	if out := c.Push("origin", "main", "--tags"); strings.Contains(out, "forgehook:") {
		t.Fatalf("push said %q, want nothing from forgehook", out)
	}
	pushes := MustPushes(t, e.DB)
	if len(pushes) != 1 || len(pushes[0]) != n+1 {
		t.Fatalf("recorded %d pushes (first of %d updates), want one of %d", len(pushes), len(first(pushes)), n+1)
	}
}

// holdWriteLock takes SQLite's write lock on the database at path, as
// another writer would, until the returned func is called.
func holdWriteLock(tb testing.TB, path string) (release func()) {
	tb.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		tb.Fatal(err)
	}
	conn, err := raw.Conn(bg())
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := conn.ExecContext(bg(), "BEGIN IMMEDIATE"); err != nil {
		tb.Fatal(err)
	}
	released := false
	release = func() {
		if released {
			return
		}
		released = true
		if _, err := conn.ExecContext(bg(), "ROLLBACK"); err != nil {
			tb.Error(err)
		}
		conn.Close()
		raw.Close()
	}
	tb.Cleanup(release)
	return release
}

// wantPushDelivered waits for rc to receive the push event of after and
// returns how many it received.
func wantPushDelivered(t *testing.T, rc *hookstest.Receiver, after string) {
	t.Helper()
	waitUntil(t, "push "+after+" delivered", func() bool {
		for _, d := range rc.All() {
			if ev, ok := d.Parsed.(*github.PushEvent); ok && ev.GetAfter() == after {
				return true
			}
		}
		return false
	})
}

func TestPush_WriteLockedDatabaseIsSpooledThenDelivered(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustStart()
	bare := e.MustRepo("acme", "widgets")
	rc := hookstest.NewReceiver(t, "s3cret")
	e.MustCreateHook("acme", "widgets", rc.URL, "json", rc.Secret)
	c := e.WS.MustClone(bare, "widgets")
	sha := c.Commit("while locked", map[string]string{"a.txt": "a"})

	release := holdWriteLock(t, e.DB)
	out := c.Push("origin", "main")
	if !strings.Contains(out, "forgehook: database busy/unwritable") || !strings.Contains(out, "push kept in "+e.DB+".spool/") {
		t.Fatalf("push said %q, want the push kept in %s.spool/", out, e.DB)
	}
	release()
	wantPushDelivered(t, rc, sha)
	var n int
	for _, ups := range MustPushes(t, e.DB) {
		if ups[0].After == sha {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("push %s recorded %d times, want once", sha, n)
	}
	if ents, _ := os.ReadDir(e.DB + ".spool"); len(ents) != 0 {
		t.Fatalf("spool still holds %d files after the drain", len(ents))
	}
}

// mustReadOnly bind-mounts dir read-only over itself until the returned
// func is called. It needs root.
func mustReadOnly(t *testing.T, dir string) (undo func()) {
	t.Helper()
	if os.Geteuid() != 0 && os.Getenv("CI") == "" {
		t.Skip("a read-only mount needs root")
	}
	if out, err := exec.Command("mount", "--bind", dir, dir).CombinedOutput(); err != nil {
		t.Fatalf("mount --bind: %v\n%s", err, out)
	}
	mounted := true
	undo = func() {
		if mounted {
			mounted = false
			if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
				t.Errorf("umount: %v\n%s", err, out)
			}
		}
	}
	t.Cleanup(undo)
	if out, err := exec.Command("mount", "-o", "remount,bind,ro", dir).CombinedOutput(); err != nil {
		t.Fatalf("remount read-only: %v\n%s", err, out)
	}
	return undo
}

func TestPush_ReadOnlyDatabaseDirectorySpoolsInTheRepository(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	dbDir := filepath.Join(e.WS.Dir, "db") // its own mount, apart from the repositories
	if err := os.Mkdir(dbDir, 0o755); err != nil {
		t.Fatal(err)
	}
	e.DB = filepath.Join(dbDir, "forgehook.db")
	e.Token = e.MustToken("ada")
	e.MustStart()
	bare := e.MustRepo("acme", "widgets")
	rc := hookstest.NewReceiver(t, "s3cret")
	e.MustCreateHook("acme", "widgets", rc.URL, "json", rc.Secret)
	c := e.WS.MustClone(bare, "widgets")
	sha := c.Commit("read-only", map[string]string{"a.txt": "a"})

	undo := mustReadOnly(t, dbDir)
	out := c.Push("origin", "main")
	if !strings.Contains(out, "push kept in "+filepath.Join(bare, "forgehook-spool")+"/") {
		t.Fatalf("push said %q, want the push kept in the repository's spool", out)
	}
	undo()
	wantPushDelivered(t, rc, sha)
}

func TestServe_DatabaseDeletedUnderTheDaemon(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	d := e.MustStart()
	bare := e.MustRepo("acme", "widgets")
	c := e.WS.MustClone(bare, "widgets")
	sha := c.Commit("after rm", map[string]string{"a.txt": "a"})

	files, _ := filepath.Glob(e.DB + "*") // rm forgehook.db*: the files, not the spool directory
	for _, f := range files {
		if fi, err := os.Lstat(f); err == nil && !fi.IsDir() {
			os.Remove(f)
		}
	}
	out := c.Push("origin", "main")
	if !strings.Contains(out, "does not exist") || !strings.Contains(out, "push kept in "+e.DB+".spool/") {
		t.Fatalf("push said %q, want the push kept in %s.spool/", out, e.DB)
	}
	if _, err := os.Stat(e.DB); err == nil {
		t.Fatalf("the hook created a new %s", e.DB)
	}
	var body string
	waitUntil(t, "healthz 503", func() bool {
		resp, err := http.Get(d.URL + "/healthz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return resp.StatusCode == http.StatusServiceUnavailable
	})
	if !strings.Contains(body, "was deleted under the running daemon") {
		t.Fatalf("healthz said %q, want the reason", body)
	}
	errorLines := func() int { return strings.Count(d.Logs(), "level=ERROR msg=\"database "+e.DB+" was deleted") }
	waitUntil(t, "the ERROR line", func() bool { return errorLines() > 0 })
	if n := errorLines(); n != 1 {
		t.Fatalf("%d ERROR lines about the deleted database, want 1:\n%s", n, d.Logs())
	}

	// A restarted daemon opens a new database and records the spooled push.
	d.Stop()
	e.MustStart()
	waitUntil(t, "the spooled push recorded", func() bool {
		_, err := os.Stat(e.DB + ".spool")
		ents, _ := os.ReadDir(e.DB + ".spool")
		return err == nil && len(ents) == 0
	})
	if pushes := MustPushes(t, e.DB); len(pushes) != 1 || pushes[0][0].After != sha {
		t.Fatalf("recorded %v, want the push of %s", pushes, sha)
	}
}
