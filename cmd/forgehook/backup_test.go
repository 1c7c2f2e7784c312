package main_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// TestBackup_RestoredCopyDeliversPendingPushes takes a backup while pushes
// go on and the daemon retries deliveries to a receiver that is down, then
// restores it into a fresh directory as the README says: a daemon on the
// copy delivers every push recorded before the backup started.
func TestBackup_RestoredCopyDeliversPendingPushes(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "vault")
	recv := hookstest.NewReceiver(t, "")
	var up atomic.Bool
	recv.Respond = func(*http.Request) int {
		if up.Load() {
			return http.StatusOK
		}
		return http.StatusServiceUnavailable
	}
	retry := []string{"--retry-schedule", strings.Repeat("500ms,", 99) + "500ms"}
	d := e.MustStart(retry...)
	e.MustCreateHook("acme", "vault", recv.URL, "json", "")
	c := e.WS.MustClone(bare, "work")
	pushed := map[string]bool{}
	push := func(i int) string {
		sha := c.Commit(fmt.Sprintf("commit %d", i), map[string]string{"n.txt": fmt.Sprint(i)})
		c.Push("origin", "main")
		pushed[sha] = true
		return sha
	}
	var before []string
	for i := range 5 {
		before = append(before, push(i))
	}

	file := filepath.Join(t.TempDir(), "forgehook.backup")
	backup := e.command("backup", "--db", e.DB, file)
	out := &strings.Builder{}
	backup.Stdout, backup.Stderr = out, out
	if err := backup.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- backup.Wait() }()
	during := 0
	for finished := false; !finished; {
		push(5 + during) // the burst goes on while the copy is made
		during++
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("backup: %v\n%s", err, out)
			}
			finished = true
		default:
		}
	}
	if !strings.Contains(out.String(), "backed up") || strings.Contains(out.String(), "pages") {
		t.Errorf("backup said %q; want one summary line and no progress line off a terminal", out)
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v; want mode 0600", fi, err)
	}
	again := e.command("backup", "--db", e.DB, file)
	if msg, err := again.CombinedOutput(); err == nil || !strings.Contains(string(msg), "--force") {
		t.Errorf("a second backup onto FILE: %v, %q; want a refusal that names --force", err, msg)
	}
	if n := len(recv.All()); n != 0 {
		t.Fatalf("the receiver took %d deliveries while it was down", n)
	}
	d.Stop()

	// Restore: the copy over the database of a fresh directory, no stale
	// -wal or -shm beside it, mode 0660; then start the daemon.
	restored := filepath.Join(t.TempDir(), "forgehook.db")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(restored, b, 0o660); err != nil {
		t.Fatal(err)
	}
	e.DB = restored
	up.Store(true)
	e.MustStart(retry...)

	deadline := time.Now().Add(60 * time.Second)
	for {
		got := map[string]bool{}
		for _, ev := range pushEvents(t, recv.All()) {
			if !pushed[ev.GetAfter()] {
				t.Fatalf("delivered a push of %s, which was never pushed", ev.GetAfter())
			}
			got[ev.GetAfter()] = true
		}
		var missing []string
		for _, sha := range before {
			if !got[sha] {
				missing = append(missing, sha)
			}
		}
		if len(missing) == 0 {
			t.Logf("%d pushes during the backup; %d distinct pushes delivered after restoring", during, len(got))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pushes recorded before the backup and never delivered from the restored copy: %v", missing)
		}
		waitBrief()
	}
}
