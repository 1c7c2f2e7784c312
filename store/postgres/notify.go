package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The channels the store notifies after a commit that queued work.
const (
	chanJobs   = "forgehook_jobs"   // jobs were queued
	chanPushes = "forgehook_pushes" // a push was recorded
)

// notify queues a notification on channel, sent by the server when tx commits.
func notify(ctx context.Context, tx pgx.Tx, channel string) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, '')`, channel)
	return err
}

// Listen calls wake whenever a process sharing the database (a git
// server's post-receive hook, another daemon, an API call) queued a push or
// jobs, and once after each (re)connection, since notifications sent while
// disconnected are lost. It holds one connection, reconnecting after a loss
// with a growing pause, until ctx ends; then it returns ctx's error.
// Polling remains the fallback: a lost notification only delays work.
func (db *DB) Listen(ctx context.Context, wake func()) error {
	for pause := 100 * time.Millisecond; ; pause = min(2*pause, 5*time.Second) {
		err := db.listen(ctx, wake, func() { pause = 100 * time.Millisecond })
		if ctx.Err() != nil {
			return ctx.Err()
		}
		_ = err // the loss is retried; the poll covers the gap
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// listen is one connection's life of Listen; connected is called once it
// listens.
func (db *DB) listen(ctx context.Context, wake, connected func()) error {
	pooled, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A listening connection is this loop's alone: out of the pool, closed after.
	conn := pooled.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	for _, ch := range []string{chanJobs, chanPushes} {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return fmt.Errorf("listen: %w", err)
		}
	}
	connected()
	wake()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		wake()
	}
}
