package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/internal/spoolfile"
)

var _ hooks.SpoolDrainer = (*DB)(nil)

// DrainSpool records the pushes spooled in dir (see
// store/internal/spoolfile), oldest first, as queued pushes, and removes
// each file once the transaction that recorded it has committed. A push
// whose id was recorded before (its file outlived a crash, or another daemon
// drained the same shared spool) is not recorded again, only removed. A file
// that cannot be read as a spooled push is renamed to NAME.bad and reported
// in the error; the others are still drained. It returns how many pushes it
// recorded.
func (db *DB) DrainSpool(ctx context.Context, dir string) (int, error) {
	return spoolfile.Drain(ctx, dir, db.recordSpooled)
}

// recordSpooled records, in one transaction, each of list whose id was not
// recorded before, and returns how many it recorded. Two daemons draining
// one spool at once wait on each other's ids (ON CONFLICT on the primary
// key) and record each push once.
func (db *DB) recordSpooled(ctx context.Context, list []spoolfile.Push) (int, error) {
	var n int
	err := db.update(ctx, func(tx pgx.Tx) error {
		n = 0
		now := db.now()
		for _, sp := range list {
			tag, err := tx.Exec(ctx, `INSERT INTO spooled_pushes (id, push_id, drained_at) VALUES ($1, 0, $2)
				ON CONFLICT (id) DO NOTHING`, sp.ID, millis(now))
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				continue // recorded by an earlier drain
			}
			p := sp.Push()
			if err := db.insertPush(ctx, tx, p, now); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE spooled_pushes SET push_id = $1 WHERE id = $2`, p.ID, sp.ID); err != nil {
				return err
			}
			n++
		}
		if n > 0 {
			return notify(ctx, tx, chanPushes)
		}
		return nil
	})
	return n, wrap("drain spool", err)
}
