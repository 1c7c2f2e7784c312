package sqlite

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestWriteGate_Yield checks the gate file: a writer that wrote just before
// waits while another handle's write is announced, for at most maxYield; a
// writer that did not does not wait.
func TestWriteGate_Yield(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("open file description locks are Linux's")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "forgehook.db.gate")
	hook, daemon := newWriteGate(path, 1), newWriteGate(path, 1)
	t.Cleanup(func() { hook.close(); daemon.close() })
	mustEnter := func(g *writeGate) time.Duration {
		t.Helper()
		start := time.Now()
		if err := g.enter(ctx); err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}
	mustEnter(daemon)
	daemon.leave(time.Millisecond) // the daemon just wrote
	if daemon.file == nil {
		t.Fatal("no gate file")
	}

	t.Run("back-to-back writer waits for an announced one", func(t *testing.T) {
		mustEnter(hook)
		const hold = 30 * time.Millisecond
		go func() { time.Sleep(hold); hook.leave(hold) }()
		if took := mustEnter(daemon); took < hold-5*time.Millisecond {
			t.Errorf("the daemon waited %v, want about %v", took, hold)
		}
		daemon.leave(time.Millisecond)
	})
	t.Run("first writer does not wait", func(t *testing.T) {
		fresh := newWriteGate(path, 1) // a new hook process
		defer fresh.close()
		mustEnter(daemon) // announced, held
		if took := mustEnter(fresh); took >= maxYield {
			t.Errorf("the hook waited %v, want no yield (a yield lasts up to %v)", took, maxYield)
		}
		fresh.leave(time.Millisecond)
		daemon.leave(time.Millisecond)
	})
	t.Run("waits at most maxYield", func(t *testing.T) {
		other := newWriteGate(path, 1)
		defer other.close()
		mustEnter(other) // announced and never withdrawn while the daemon enters
		took := mustEnter(daemon)
		daemon.leave(time.Millisecond)
		other.leave(0)
		if took < maxYield-5*time.Millisecond || took >= busyTimeout {
			t.Errorf("the daemon waited %v, want maxYield %v and not until the busy timeout", took, maxYield)
		}
	})
	t.Run("without a gate file, pauses after a write", func(t *testing.T) {
		g := newWriteGate(path, 1)
		g.tried = true // as if the gate file could not be opened
		mustEnter(g)
		g.leave(20 * time.Millisecond)
		if took := mustEnter(g); took < 15*time.Millisecond {
			t.Errorf("waited %v after a write that held the lock 20ms, want about 20ms", took)
		}
		g.leave(0)
	})
}
