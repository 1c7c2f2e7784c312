package main_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
	"github.com/forgehook/forgehook/metrics/metricstest"
)

// TestPostgres_EveryCommandWorksOnASharedDatabase runs forgehook on a
// PostgreSQL --db: token, install, a push through the hook, the daemon's
// delivery woken by LISTEN/NOTIFY, the meta event of a deleted hook, the
// admin CLI, doctor (before and after a daemon runs); backup refuses with
// what to use instead; a daemon that stops retires from the daemons.
func TestPostgres_EveryCommandWorksOnASharedDatabase(t *testing.T) {
	t.Parallel()
	e := MustNewPGEnv(t)
	bare := e.MustRepo("acme", "widgets")
	out, err := e.command("doctor", "--db", e.DB, "--repos", e.Root, "--all").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no daemon runs on this database") {
		t.Errorf("doctor before any daemon ran: err %v, output %q; want the problem that no daemon runs", err, out)
	}
	e.MustStart()
	recv := hookstest.NewReceiver(t, "k")
	h := e.MustCreateHook("acme", "widgets", recv.URL, "json", "k")
	recv.WaitFor(t, "ping", 1, wait)

	c := e.WS.MustClone(bare, "work")
	head := c.Commit("on postgres", map[string]string{"a": "1"})
	if out, err := gitPush(e, c.Dir); err != nil || strings.Contains(out, "forgehook:") {
		t.Fatalf("push: %v; want it recorded without a word from the hook:\n%s", err, out)
	}
	if ev := pushEvents(t, recv.WaitFor(t, "push", 1, wait))[0]; ev.GetAfter() != head {
		t.Fatalf("after = %s, want %s", ev.GetAfter(), head)
	}

	if out := e.MustRun("hook", "list", "--db", e.DB, "--repos", e.Root, "--repo", "acme/widgets"); !strings.Contains(out, recv.URL) {
		t.Errorf("hook list lacks the hook's URL %s:\n%s", recv.URL, out)
	}
	waitUntil(t, "two deliveries listed", func() bool {
		out := e.MustRun("deliveries", "--db", e.DB, "--repos", e.Root, "--hook", itoa(h.GetID()))
		return strings.Contains(out, "push") && strings.Contains(out, "ping")
	})
	// A hook subscribed to meta gets its meta event once it is deleted.
	metaRecv := hookstest.NewReceiver(t, "m")
	mh := e.MustCreateHook("acme", "widgets", metaRecv.URL, "json", "m", "push", "meta")
	metaRecv.WaitFor(t, "ping", 1, wait)
	if _, err := e.Client(false).Repositories.DeleteHook(context.Background(), "acme", "widgets", mh.GetID()); err != nil {
		t.Fatal(err)
	}
	if got := metaRecv.WaitFor(t, "meta", 1, wait)[0]; got.Err != nil ||
		got.Parsed.(*github.MetaEvent).GetHookID() != mh.GetID() {
		t.Errorf("meta event of hook %d on PostgreSQL: %+v (%v)", mh.GetID(), got.Parsed, got.Err)
	}

	if out := e.MustRun("doctor", "--db", e.DB, "--repos", e.Root, "--all"); !strings.Contains(out, "0 problems") {
		t.Errorf("doctor found problems:\n%s", out)
	}
	out, err = e.command("backup", "--db", e.DB, t.TempDir()+"/copy.db").CombinedOutput()
	if _, ok := err.(*exec.ExitError); !ok || !strings.Contains(string(out), "pg_dump") {
		t.Errorf("backup on PostgreSQL: err %v, output %q; want a failure naming pg_dump", err, out)
	}

	// A daemon that stops cleanly leaves the daemons: nothing of it waits for a timeout.
	e.Daemon.Stop()
	if logs := e.Daemon.Logs(); !strings.Contains(logs, "forgehook stopped") {
		t.Fatalf("the daemon did not stop cleanly:\n%s", logs)
	}
	out, err = e.command("doctor", "--db", e.DB, "--repos", e.Root, "--all").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no daemon runs on this database") {
		t.Errorf("doctor after the daemon stopped: err %v, output %q; want the problem that no daemon runs", err, out)
	}
}

// TestPostgres_OnlyTheDaemonsOfAPushsNodeBuildItsEvents: a push recorded
// by a hook installed with --node git-a is turned into events by the daemon
// of git-a, not by the one of git-b, which still delivers (the ping here).
func TestPostgres_OnlyTheDaemonsOfAPushsNodeBuildItsEvents(t *testing.T) {
	t.Parallel()
	e := MustNewPGEnv(t)
	bare := e.WS.MustInitBare(e.Root, "acme", "widgets")
	e.MustRun("install", "--db", e.DB, "--repos", e.Root, "--node", "git-a", bare)
	b := e.MustStart("--node", "git-b")
	recv := hookstest.NewReceiver(t, "k")
	e.MustCreateHook("acme", "widgets", recv.URL, "json", "k")
	recv.WaitFor(t, "ping", 1, wait)

	c := e.WS.MustClone(bare, "work")
	head := c.Commit("on git-a", map[string]string{"a": "1"})
	c.Push("origin", "main")
	a := e.MustStart("--node", "git-a")
	if ev := pushEvents(t, recv.WaitFor(t, "push", 1, wait))[0]; ev.GetAfter() != head {
		t.Fatalf("after = %s, want %s", ev.GetAfter(), head)
	}
	handled := func(d *Daemon) float64 {
		v, _ := metricstest.MustScrape(t, d.URL+"/metrics", e.Token).Value("forgehook_pushes_handled_total")
		return v
	}
	// The count follows the events, which may be delivered first.
	waitUntil(t, "the daemon of git-a counts the push handled", func() bool { return handled(a) == 1 })
	if got := handled(b); got != 0 {
		t.Errorf("the daemon of git-b handled %v pushes, want 0: they were git-a's", got)
	}
}

// TestPostgres_UnreachableDatabaseSpoolsInTheRepository: when the hook
// cannot reach PostgreSQL the push still succeeds, kept in the
// repository's spool, which a daemon reading the repository drains into
// the database: the push is delivered.
func TestPostgres_UnreachableDatabaseSpoolsInTheRepository(t *testing.T) {
	t.Parallel()
	e := MustNewPGEnv(t)
	e.MustStart()
	recv := hookstest.NewReceiver(t, "k")
	real := e.DB
	e.DB = "postgres://forgehook@127.0.0.1:1/forgehook?connect_timeout=2" // nothing listens on port 1
	bare := e.MustRepo("acme", "widgets")
	e.DB = real
	e.MustCreateHook("acme", "widgets", recv.URL, "json", "k")
	c := e.WS.MustClone(bare, "work")
	head := c.Commit("still pushed", map[string]string{"x": "1"})
	out, err := gitPush(e, c.Dir)
	if err != nil {
		t.Fatalf("push failed: %v\n%s", err, out)
	}
	if !strings.Contains(out, "forgehook: database unreachable (") || !strings.Contains(out, "push kept in "+bare+"/forgehook-spool/") {
		t.Errorf("push output lacks the hook's line saying the push is kept in the repository:\n%s", out)
	}
	if ev := pushEvents(t, recv.WaitFor(t, "push", 1, wait))[0]; ev.GetAfter() != head {
		t.Fatalf("after = %s, want %s", ev.GetAfter(), head)
	}
}

// TestPostgres_ServeWantsTheSharedKeyFile: on PostgreSQL there is no file
// beside which to keep the secret key, so serve asks for --secret-key-file
// before it connects.
func TestPostgres_ServeWantsTheSharedKeyFile(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	cmd := e.command("serve", "--listen", "127.0.0.1:0", "--repos", e.Root, "--db", "postgres://forgehook@127.0.0.1:1/forgehook")
	cmd.Env = append(os.Environ(), "FORGEHOOK_SECRET_KEY_FILE=")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "pass --secret-key-file") {
		t.Errorf("serve on PostgreSQL without a key file: err %v, output %q; want it to ask for --secret-key-file", err, out)
	}
}
