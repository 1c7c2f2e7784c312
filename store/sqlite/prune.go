package sqlite

import (
	"context"
	"database/sql"
	"time"
)

// pruneBatch bounds the rows one pruning transaction deletes, so that the
// post-receive hook never waits long for the write lock.
const pruneBatch = 1000

// PruneDeliveries deletes history older than olderThan: finished jobs,
// attempts, finished pushes, and events that no job or attempt refers to
// any more, except the newest event of each name and repository (what
// POST /hooks/{id}/tests sends). It works in small transactions and returns
// how many rows it deleted.
func (db *DB) PruneDeliveries(ctx context.Context, olderThan time.Time) (int, error) {
	cutoff := millis(olderThan)
	steps := []string{
		`DELETE FROM jobs WHERE id IN (SELECT id FROM jobs
			WHERE state IN (2, 3) AND updated_at < ?1 LIMIT ?2)`,
		`DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries
			WHERE delivered_at < ?1 LIMIT ?2)`,
		`DELETE FROM pushes WHERE id IN (SELECT id FROM pushes
			WHERE state IN (2, 3) AND received_at < ?1 LIMIT ?2)`,
		`DELETE FROM events WHERE id IN (SELECT e.id FROM events e
			WHERE e.created_at < ?1
			AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.event_id = e.id)
			AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id)
			AND e.id <> (SELECT max(l.id) FROM events l
				WHERE l.owner = e.owner AND l.repo = e.repo AND l.name = e.name)
			LIMIT ?2)`,
	}
	total := 0
	for _, q := range steps {
		for {
			var n int64
			err := db.update(ctx, func(tx *sql.Tx) error {
				res, err := tx.ExecContext(ctx, q, cutoff, pruneBatch)
				if err != nil {
					return err
				}
				n, err = res.RowsAffected()
				return err
			})
			if err != nil {
				return total, wrap("prune deliveries", err)
			}
			total += int(n)
			if n < pruneBatch {
				break
			}
		}
	}
	return total, nil
}
