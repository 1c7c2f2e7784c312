package main_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// TestPostgres_EveryCommandWorksOnASharedDatabase runs forgehook on a
// PostgreSQL --db: token, install, a push through the hook, the daemon's
// delivery woken by LISTEN/NOTIFY, the meta event of a deleted hook, the
// admin CLI, doctor; backup refuses
// with what to use instead.
func TestPostgres_EveryCommandWorksOnASharedDatabase(t *testing.T) {
	t.Parallel()
	e := MustNewPGEnv(t)
	bare := e.MustRepo("acme", "widgets")
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
	cmd := e.command("backup", "--db", e.DB, t.TempDir()+"/copy.db")
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); !ok || !strings.Contains(string(out), "pg_dump") {
		t.Errorf("backup on PostgreSQL: err %v, output %q; want a failure naming pg_dump", err, out)
	}
}
