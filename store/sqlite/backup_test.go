package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/sqlite"
)

// mustEnqueueBigPush records a push whose row takes about two pages.
func mustEnqueueBigPush(tb testing.TB, db *sqlite.DB, i int) {
	tb.Helper()
	p := &hooks.Push{GitDir: "/srv/git/o/" + strings.Repeat("r", 8000) + ".git", Pusher: "alice", Updates: []hooks.RefUpdate{
		{Before: hooks.ZeroSHA, After: strings.Repeat(string(rune('a'+i%6)), 40), Ref: "refs/heads/main"}}}
	if err := db.EnqueuePush(context.Background(), p); err != nil {
		tb.Error(err)
	}
}

// countPushes counts the pushes in the database file at path.
func countPushes(tb testing.TB, path string) int {
	tb.Helper()
	var n int
	if err := mustRawDB(tb, path).QueryRow(`SELECT count(*) FROM pushes`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestDB_Backup(t *testing.T) {
	t.Run("consistent copy while another handle writes", func(t *testing.T) {
		sqlite.SetBackupPacing(t, 16, 5)
		dir := t.TempDir()
		path := filepath.Join(dir, "forgehook.db")
		db := MustOpenDBAt(t, path)
		const before = 150
		for i := range before {
			mustEnqueueBigPush(t, db, i)
		}
		hook := MustOpenDBAt(t, path) // the post-receive hook's handle

		var during, calls, lastDone, lastTotal atomic.Int64
		backingUp := make(chan struct{})
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-backingUp
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				mustEnqueueBigPush(t, hook, i)
				during.Add(1)
			}
		}()
		out := filepath.Join(dir, "copy.db")
		err := db.Backup(context.Background(), out, func(done, total int) {
			if calls.Add(1) == 1 {
				close(backingUp)
			}
			lastDone.Store(int64(done))
			lastTotal.Store(int64(total))
		})
		wrote := during.Load()
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		if calls.Load() < 2 || lastDone.Load() != lastTotal.Load() || lastTotal.Load() == 0 {
			t.Errorf("progress: %d calls, last %d/%d; want several steps ending at done == total", calls.Load(), lastDone.Load(), lastTotal.Load())
		}
		if wrote == 0 {
			t.Error("no push was recorded while the backup ran; want writers to go on")
		}
		fi, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
		}
		var check string
		if err := mustRawDB(t, out).QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Fatalf("integrity_check = %q, %v; want ok", check, err)
		}
		if n, all := countPushes(t, out), countPushes(t, path); n < before || n > all {
			t.Errorf("copy has %d pushes; want at least the %d recorded before the backup, at most the %d in the database", n, before, all)
		}
		copyDB := MustOpenDBAt(t, out)
		if _, err := copyDB.ClaimPushes(context.Background(), "restored", 1, 0); err != nil {
			t.Errorf("claim from the copy: %v", err)
		}
	})

	t.Run("cancelled backup leaves the old file", func(t *testing.T) {
		sqlite.SetBackupPacing(t, 1, 1000)
		dir := t.TempDir()
		db := MustOpenDBAt(t, filepath.Join(dir, "forgehook.db"))
		for i := range 20 {
			mustEnqueueBigPush(t, db, i)
		}
		out := filepath.Join(dir, "copy.db")
		if err := os.WriteFile(out, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		err := db.Backup(ctx, out, func(done, total int) { cancel() })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if b, err := os.ReadFile(out); err != nil || string(b) != "old" {
			t.Errorf("copy.db = %q, %v; want the old file untouched", b, err)
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.Contains(e.Name(), ".tmp-") {
				t.Errorf("left %s behind", e.Name())
			}
		}
	})
}
