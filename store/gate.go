package store

import (
	"context"
	"time"
)

// writeGate orders this process's write transactions and keeps it from
// holding SQLite's write lock back to back. SQLite does not queue writers:
// a process waiting in the busy handler polls, at most every 100ms, and only
// gets the lock if it happens to be free. A daemon that commits one batch
// after another would starve the post-receive hook until its busy timeout
// fails the push. So after each write transaction the gate leaves the lock
// free for share times as long as it was held. Under light load the pause
// has passed before the next write comes; under saturation it caps this
// process at 1/(1+share) of the lock, and batching makes up the throughput.
type writeGate struct {
	sem    chan struct{} // one token: the right to write
	share  float64
	freeAt time.Time // the next write may begin then; guarded by sem
}

func newWriteGate(share float64) *writeGate {
	return &writeGate{sem: make(chan struct{}, 1), share: share}
}

// enter waits for the right to write and for the pause after the previous
// write, or for ctx to end.
func (g *writeGate) enter(ctx context.Context) error {
	select {
	case g.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if d := time.Until(g.freeAt); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			<-g.sem
			return ctx.Err()
		}
	}
	return nil
}

// leave gives up the right to write after a transaction that held the lock
// for held.
func (g *writeGate) leave(held time.Duration) {
	g.freeAt = time.Now().Add(time.Duration(float64(held) * g.share))
	<-g.sem
}
