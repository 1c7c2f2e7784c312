package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// storeRefOutcomes records the updates of d that failed this time (to be
// retried, or failed for good) and those read on a retry.
func storeRefOutcomes(ctx context.Context, tx *sql.Tx, d hooks.PushEvents) error {
	for _, f := range d.Failed {
		state := stateQueued
		if f.Final {
			state = stateFailed
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO push_refs (push_id, idx, ref, state, run_at, attempts, error)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (push_id, idx) DO UPDATE SET state = excluded.state,
			run_at = excluded.run_at, attempts = excluded.attempts, error = excluded.error`,
			d.Push.ID, f.Index, f.Ref, state, millis(f.RetryAt), f.Attempts, f.Reason); err != nil {
			return err
		}
	}
	for _, idx := range d.Read {
		if _, err := tx.ExecContext(ctx, `UPDATE push_refs SET state = 2 WHERE push_id = ? AND idx = ?`,
			d.Push.ID, idx); err != nil {
			return err
		}
	}
	return nil
}

// FailedRefs returns up to limit ref updates that failed for good, newest
// push first, with the reason.
func (db *DB) FailedRefs(ctx context.Context, limit int) ([]*hooks.RefFailure, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT r.push_id, p.git_dir, r.idx, r.ref, r.attempts, r.error,
		p.received_at FROM push_refs r JOIN pushes p ON p.id = r.push_id
		WHERE r.state = 3 ORDER BY r.push_id DESC, r.idx LIMIT ?`, limit)
	if err != nil {
		return nil, wrap("failed refs", err)
	}
	defer rows.Close()
	var out []*hooks.RefFailure
	for rows.Next() {
		f := &hooks.RefFailure{Final: true}
		var received int64
		if err := rows.Scan(&f.PushID, &f.GitDir, &f.Index, &f.Ref, &f.Attempts, &f.Reason, &received); err != nil {
			return nil, wrap("failed refs", err)
		}
		f.ReceivedAt = fromMillis(received)
		out = append(out, f)
	}
	return out, wrap("failed refs", rows.Err())
}

// OldestUnhandledPush returns when the oldest push that is queued, leased or
// waiting for a retry was recorded, or the zero time if there is none.
func (db *DB) OldestUnhandledPush(ctx context.Context) (time.Time, error) {
	var received sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT min(received_at) FROM pushes WHERE state IN (0, 1)`).Scan(&received)
	if err != nil || !received.Valid {
		return time.Time{}, wrap("oldest unhandled push", err)
	}
	return fromMillis(received.Int64), nil
}
