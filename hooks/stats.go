package hooks

import (
	"context"
	"time"
)

// Stats are the figures about stored work that metrics report.
type Stats struct {
	PushesRecorded int64      // pushes ever recorded: only grows, pruning does not lower it
	Pushes         QueueStats // recorded pushes not yet turned into events
	Deliveries     QueueStats // delivery jobs not finished
	Hooks          int        // hooks configured, active or not
}

// QueueStats is how much work waits in one queue.
type QueueStats struct {
	// Depth counts the unfinished items: queued (due or waiting for a
	// retry) and leased.
	Depth int
	// Oldest is when the longest-waiting item started to wait, or the zero
	// time if none waits. For pushes it is when the oldest unhandled push was
	// recorded; for deliveries, when the job that is due or in flight the
	// longest became due (jobs waiting for a retry do not count before it).
	Oldest time.Time
}

// StatsReader reads Stats from storage.
type StatsReader interface {
	// ReadStats returns the figures as of one moment.
	ReadStats(ctx context.Context) (*Stats, error)
}
