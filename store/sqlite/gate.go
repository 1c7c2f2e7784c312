package sqlite

import (
	"context"
	"time"
)

// writeGate orders this process's write transactions and keeps a process
// that writes back to back (the daemon) from starving other processes (the
// post-receive hook) of SQLite's write lock. SQLite does not queue writers:
// a process waiting in the busy handler polls, at most every 100ms, and only
// gets the lock if it happens to be free. A daemon that commits one batch
// after another would starve the hook until its busy timeout fails the push.
//
// Where the system has open file description locks (Linux), every write
// transaction announces itself with a shared lock on the gate file,
// <db>.gate, from before BEGIN until after COMMIT. Before a write that
// follows its previous one closely, the gate looks for another handle's
// announcement and, while there is one, leaves the lock free, for up to
// maxYield: so the hook never waits for more than one of the daemon's
// transactions, and the daemon runs at full speed when nobody else writes.
// Elsewhere, or if the gate file cannot be opened, the gate leaves the lock
// free after each write transaction for share times as long as it was held:
// under saturation that caps this process at 1/(1+share) of the lock.
type writeGate struct {
	sem    chan struct{} // one token: the right to write
	share  float64
	path   string    // the gate file
	file   gateFile  // nil until the first write, or if there is none
	tried  bool      // the gate file was opened (or failed to)
	lastAt time.Time // when the previous write transaction ended
	freeAt time.Time // without a gate file, the next write may begin then
	// All fields but sem are guarded by sem.
}

// gateFile announces write transactions to other handles on the database
// and sees theirs.
type gateFile interface {
	announce() error
	withdraw() error
	othersWriting() (bool, error)
	close() error
}

// Pacing limits. A write that begins within backToBack of the previous one
// gives way to announced writers of other handles, for at most maxYield
// (SQLite's busy handler sleeps up to 100ms between tries), checking every
// yieldPoll.
const (
	backToBack = time.Second
	maxYield   = 110 * time.Millisecond
	yieldPoll  = 200 * time.Microsecond
)

func newWriteGate(path string, share float64) *writeGate {
	return &writeGate{sem: make(chan struct{}, 1), share: share, path: path}
}

// enter waits for the right to write and, after a recent write, for other
// handles' writers (or the pause after the previous write), or for ctx to
// end. It then announces the write.
func (g *writeGate) enter(ctx context.Context) error {
	select {
	case g.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if !g.tried {
		g.tried = true
		g.file = openGateFile(g.path)
	}
	var err error
	if g.file != nil {
		err = g.yield(ctx)
	} else if d := time.Until(g.freeAt); d > 0 {
		err = sleep(ctx, d)
	}
	if err != nil {
		<-g.sem
		return err
	}
	if g.file != nil && g.file.announce() != nil {
		g.file.close() // cannot announce: pace by time from now on
		g.file = nil
	}
	return nil
}

// yield waits while another handle has announced a write, if this one wrote
// recently, for at most maxYield.
func (g *writeGate) yield(ctx context.Context) error {
	if time.Since(g.lastAt) > backToBack {
		return nil
	}
	deadline := time.Now().Add(maxYield)
	for {
		busy, err := g.file.othersWriting()
		if err != nil || !busy || time.Now().After(deadline) {
			return nil
		}
		if err := sleep(ctx, yieldPoll); err != nil {
			return err
		}
	}
}

// leave withdraws the announcement and gives up the right to write after a
// transaction that held the lock for held.
func (g *writeGate) leave(held time.Duration) {
	now := time.Now()
	g.lastAt = now
	if g.file != nil {
		if g.file.withdraw() != nil {
			g.file.close()
			g.file = nil
		}
	}
	if g.file == nil {
		g.freeAt = now.Add(time.Duration(float64(held) * g.share))
	}
	<-g.sem
}

// close releases the gate file.
func (g *writeGate) close() error {
	g.sem <- struct{}{}
	defer func() { <-g.sem }()
	if g.file == nil {
		return nil
	}
	err := g.file.close()
	g.file, g.tried = nil, true
	return err
}

// sleep waits for d or for ctx to end.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
