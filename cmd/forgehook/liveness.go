package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// liveness keeps a daemon known alive among the daemons sharing a
// PostgreSQL database, and frees the leases of those that died: it beats
// every timeout/5 and, on each beat, frees the leases of daemons silent
// for timeout. Leases of live daemons run their course. On SQLite there is
// one daemon per file, which frees every lease at start instead.
type liveness struct {
	daemons hooks.Daemons
	owner   string // this daemon's boot id
	node    string
	timeout time.Duration
	logger  *slog.Logger
	cancel  context.CancelFunc
	done    chan struct{}
}

// start registers the daemon and frees the leases of dead ones, before the
// workers claim anything, then beats in the background until stop.
func (l *liveness) start(ctx context.Context) error {
	if err := l.daemons.Beat(ctx, l.owner, l.node); err != nil {
		return err
	}
	if err := l.recover(ctx); err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	l.cancel, l.done = cancel, make(chan struct{})
	go l.run(runCtx)
	return nil
}

func (l *liveness) run(ctx context.Context) {
	defer close(l.done)
	t := time.NewTicker(l.timeout / 5)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := l.daemons.Beat(ctx, l.owner, l.node)
		if err == nil {
			err = l.recover(ctx)
		}
		if err != nil && ctx.Err() == nil {
			l.logger.Warn("daemon liveness: the database did not take this daemon's report; past --daemon-timeout the others free its leases", "err", err)
		}
	}
}

// recover frees the leases of dead daemons, saying so if there were any.
func (l *liveness) recover(ctx context.Context) error {
	n, err := l.daemons.RecoverDeadLeases(ctx, l.timeout)
	if n > 0 {
		l.logger.Info("recovered work leased by daemons that stopped reporting", "count", n, "daemon_timeout", l.timeout.String())
	}
	return err
}

// stop stops beating and retires the daemon: what it still holds is free
// for the others at once. Call it once the workers have stopped.
func (l *liveness) stop() error {
	if l.cancel == nil {
		return nil
	}
	l.cancel()
	<-l.done
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return l.daemons.Retire(ctx, l.owner)
}
