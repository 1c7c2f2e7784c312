package postgres

import (
	"context"
	"time"
)

// pruneBatch bounds the rows one pruning statement deletes.
const pruneBatch = 1000

// PruneDeliveries deletes history older than olderThan, as the SQLite store
// does, in small statements, and returns how many rows it deleted.
func (db *DB) PruneDeliveries(ctx context.Context, olderThan time.Time) (int, error) {
	cutoff := millis(olderThan)
	steps := []string{
		`DELETE FROM jobs WHERE id IN (SELECT id FROM jobs
			WHERE state IN (2, 3) AND updated_at < $1 LIMIT $2)`,
		`DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries
			WHERE delivered_at < $1 LIMIT $2)`,
		`DELETE FROM pushes WHERE id IN (SELECT id FROM pushes
			WHERE state IN (2, 3) AND received_at < $1 LIMIT $2)`,
		`DELETE FROM events WHERE id IN (SELECT e.id FROM events e
			WHERE e.created_at < $1
			AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.event_id = e.id)
			AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id)
			AND e.id <> (SELECT max(l.id) FROM events l
				WHERE l.owner = e.owner AND l.repo = e.repo AND l.name = e.name)
			LIMIT $2)`,
	}
	total := 0
	for _, q := range steps {
		for {
			tag, err := db.pool.Exec(ctx, q, cutoff, pruneBatch)
			if err != nil {
				return total, wrap("prune deliveries", err)
			}
			total += int(tag.RowsAffected())
			if tag.RowsAffected() < pruneBatch {
				break
			}
		}
	}
	return total, nil
}
