package sqlite

import (
	"context"
	"database/sql"

	"github.com/forgehook/forgehook/hooks"
)

var _ hooks.StatsReader = (*DB)(nil)

// ReadStats returns the figures metrics report, from one snapshot. The
// pushes ever recorded are the pushes table's AUTOINCREMENT sequence, which
// pruning does not lower. Each count reads a partial index of unfinished
// rows, so a scrape costs little however long the history is.
func (db *DB) ReadStats(ctx context.Context) (*hooks.Stats, error) {
	s := &hooks.Stats{}
	now := millis(db.now())
	err := db.view(ctx, func(tx *sql.Tx) error {
		var recorded sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'pushes'`).Scan(&recorded); err != nil && err != sql.ErrNoRows {
			return err
		}
		s.PushesRecorded = recorded.Int64
		// One query per state, so that each reads its partial index.
		var pushQueued, pushLeased, due, leased sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT
				(SELECT count(*) FROM pushes WHERE state = 0) + (SELECT count(*) FROM pushes WHERE state = 1),
				(SELECT min(received_at) FROM pushes WHERE state = 0), (SELECT min(received_at) FROM pushes WHERE state = 1),
				(SELECT count(*) FROM jobs WHERE state = 0) + (SELECT count(*) FROM jobs WHERE state = 1),
				(SELECT min(run_at) FROM jobs WHERE state = 0), (SELECT min(run_at) FROM jobs WHERE state = 1)`).
			Scan(&s.Pushes.Depth, &pushQueued, &pushLeased, &s.Deliveries.Depth, &due, &leased); err != nil {
			return err
		}
		if due.Valid && due.Int64 > now {
			due.Valid = false // waiting for a retry, not late
		}
		s.Pushes.Oldest = nullMillis(earliest(pushQueued, pushLeased))
		s.Deliveries.Oldest = nullMillis(earliest(due, leased))
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM hooks`).Scan(&s.Hooks)
	})
	if err != nil {
		return nil, wrap("read stats", err)
	}
	return s, nil
}

// earliest returns the earlier of two nullable times.
func earliest(a, b sql.NullInt64) sql.NullInt64 {
	if !a.Valid || (b.Valid && b.Int64 < a.Int64) {
		return b
	}
	return a
}
