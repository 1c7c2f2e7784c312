package storetest

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/internal/spoolfile"
)

// MustSpoolPush spools a push of ref, received at at, into dir as the
// post-receive hook does when it cannot write the store, and returns its file.
func MustSpoolPush(tb testing.TB, dir, ref string, at time.Time) string {
	tb.Helper()
	p := &hooks.Push{GitDir: "/srv/git/o/r.git", Pusher: "alice", ReceivedAt: at,
		Updates: []hooks.RefUpdate{{Before: hooks.ZeroSHA, After: strings.Repeat("1", 40), Ref: ref}}}
	path, err := spoolfile.Write(dir, p)
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

func (s suite) testDrainSpool(t *testing.T) {
	ctx := context.Background()

	t.Run("in order of receipt, then the files are gone", func(t *testing.T) {
		db, clock := s.open(t)
		dir := filepath.Join(t.TempDir(), "spool")
		if spoolfile.Pending(dir) {
			t.Fatal("pending before anything was spooled")
		}
		t0 := clock.Now()
		// Spooled out of order: the drain follows the receipt times.
		MustSpoolPush(t, dir, "refs/heads/c", t0.Add(2*time.Second))
		MustSpoolPush(t, dir, "refs/heads/a", t0)
		MustSpoolPush(t, dir, "refs/heads/b", t0.Add(time.Second))
		if !spoolfile.Pending(dir) {
			t.Fatal("not pending after spooling")
		}
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm() != 0o770 {
			t.Fatalf("spool dir mode %v (%v), want 0770", fi.Mode(), err)
		}
		n, err := db.DrainSpool(ctx, dir)
		if err != nil || n != 3 {
			t.Fatalf("drained %d (%v), want 3", n, err)
		}
		ps := MustClaimPushes(t, db, "boot", 10)
		var refs []string
		for _, p := range ps {
			refs = append(refs, p.Updates[0].Ref)
		}
		if got := strings.Join(refs, ","); got != "refs/heads/a,refs/heads/b,refs/heads/c" {
			t.Fatalf("recorded %s, want a,b,c", got)
		}
		if !ps[0].ReceivedAt.Equal(t0) || ps[0].Pusher != "alice" {
			t.Fatalf("recorded %+v, want received at %v by alice", ps[0], t0)
		}
		if spoolfile.Pending(dir) {
			t.Fatal("still pending after the drain")
		}
	})

	t.Run("a file drained twice makes one push", func(t *testing.T) {
		db, clock := s.open(t)
		other := s.again(t, db)
		dir := filepath.Join(t.TempDir(), "spool")
		path := MustSpoolPush(t, dir, "refs/heads/main", clock.Now())
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := db.DrainSpool(ctx, dir); err != nil || n != 1 {
			t.Fatalf("drained %d (%v), want 1", n, err)
		}
		// As if the daemon crashed after the commit, before the remove, and
		// another daemon (another handle) drains the file.
		if err := os.WriteFile(path, b, 0o660); err != nil {
			t.Fatal(err)
		}
		if n, err := other.DrainSpool(ctx, dir); err != nil || n != 0 {
			t.Fatalf("drained %d again (%v), want 0", n, err)
		}
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("the file drained twice is still there: %v", err)
		}
		if ps := MustClaimPushes(t, db, "boot", 10); len(ps) != 1 {
			t.Fatalf("%d pushes recorded, want 1", len(ps))
		}
	})

	t.Run("a bad file is set aside, the others are drained", func(t *testing.T) {
		db, clock := s.open(t)
		dir := filepath.Join(t.TempDir(), "spool")
		MustSpoolPush(t, dir, "refs/heads/main", clock.Now())
		bad := filepath.Join(dir, "0000000000000000-x.push")
		if err := os.WriteFile(bad, []byte("{not json"), 0o660); err != nil {
			t.Fatal(err)
		}
		n, err := db.DrainSpool(ctx, dir)
		if n != 1 || err == nil || !strings.Contains(err.Error(), bad) {
			t.Fatalf("drained %d, err %v; want 1 and an error naming %s", n, err, bad)
		}
		if _, err := os.Stat(bad + ".bad"); err != nil {
			t.Fatalf("bad file not set aside: %v", err)
		}
		if ps := MustClaimPushes(t, db, "boot", 10); len(ps) != 1 {
			t.Fatalf("%d pushes recorded, want 1", len(ps))
		}
	})

	t.Run("no spool drains nothing", func(t *testing.T) {
		db, _ := s.open(t)
		if n, err := db.DrainSpool(ctx, filepath.Join(t.TempDir(), "missing")); err != nil || n != 0 {
			t.Fatalf("drained %d (%v), want 0 and no error", n, err)
		}
	})
}
