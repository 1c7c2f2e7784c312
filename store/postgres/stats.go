package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/forgehook/forgehook/hooks"
)

var _ hooks.StatsReader = (*DB)(nil)

// ReadStats returns the figures metrics report, from one snapshot. The
// pushes ever recorded are the last value of the pushes' id sequence, which
// pruning does not lower.
func (db *DB) ReadStats(ctx context.Context) (*hooks.Stats, error) {
	s := &hooks.Stats{}
	now := millis(db.now())
	err := db.view(ctx, func(tx pgx.Tx) error {
		var recorded, pushQueued, pushLeased, due, leased *int64
		if err := tx.QueryRow(ctx, `SELECT
				pg_sequence_last_value(pg_get_serial_sequence('pushes', 'id')),
				(SELECT count(*) FROM pushes WHERE state IN (0, 1)),
				(SELECT min(received_at) FROM pushes WHERE state = 0), (SELECT min(received_at) FROM pushes WHERE state = 1),
				(SELECT count(*) FROM jobs WHERE state IN (0, 1)),
				(SELECT min(run_at) FROM jobs WHERE state = 0), (SELECT min(run_at) FROM jobs WHERE state = 1),
				(SELECT count(*) FROM hooks)`).
			Scan(&recorded, &s.Pushes.Depth, &pushQueued, &pushLeased, &s.Deliveries.Depth, &due, &leased, &s.Hooks); err != nil {
			return err
		}
		if recorded != nil {
			s.PushesRecorded = *recorded
		}
		if due != nil && *due > now {
			due = nil // waiting for a retry, not late
		}
		s.Pushes.Oldest = nullMillis(earliest(pushQueued, pushLeased))
		s.Deliveries.Oldest = nullMillis(earliest(due, leased))
		return nil
	})
	if err != nil {
		return nil, wrap("read stats", err)
	}
	return s, nil
}

// earliest returns the earlier of two nullable times.
func earliest(a, b *int64) *int64 {
	if a == nil || (b != nil && *b < *a) {
		return b
	}
	return a
}
