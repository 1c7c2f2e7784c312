package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/forgehook/forgehook/hooks"
)

var _ hooks.Daemons = (*DB)(nil)

// serverMillis is the database server's clock in unix milliseconds: the
// daemons of several machines compare their reports on one clock.
const serverMillis = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`

// forgetAfter is how long a daemon that stopped reporting stays listed.
const forgetAfter = 24 * time.Hour

// Beat records that the daemon owner, on node, is alive; its first beat
// registers it. A daemon beats before it claims anything.
func (db *DB) Beat(ctx context.Context, owner, node string) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO daemons (owner, node, started_at, last_seen)
		VALUES ($1, $2, `+serverMillis+`, `+serverMillis+`)
		ON CONFLICT (owner) DO UPDATE SET node = excluded.node, last_seen = excluded.last_seen`, owner, node)
	return wrap("daemon beat", err)
}

// RecoverDeadLeases makes claimable at once every job, farewell and push leased by
// an owner that has not beaten within deadAfter, or never has (a daemon
// beats before it claims, so such an owner was a process from before
// daemons beat). It returns how many it freed. Daemons silent for a day are
// forgotten.
func (db *DB) RecoverDeadLeases(ctx context.Context, deadAfter time.Duration) (int, error) {
	now := millis(db.now())
	var n int64
	err := db.update(ctx, func(tx pgx.Tx) error {
		n = 0
		const dead = `state = 1 AND lease_owner IS NOT NULL AND lease_owner NOT IN (
			SELECT owner FROM daemons WHERE last_seen >= ` + serverMillis + ` - $1)`
		tag, err := tx.Exec(ctx, `UPDATE jobs SET state = 0, lease_owner = NULL, lease_until = NULL, updated_at = $2
			WHERE `+dead, deadAfter.Milliseconds(), now)
		if err != nil {
			return err
		}
		n += tag.RowsAffected()
		if tag, err = tx.Exec(ctx, `UPDATE pushes SET state = 0, lease_owner = NULL, lease_until = NULL
			WHERE `+dead, deadAfter.Milliseconds()); err != nil {
			return err
		}
		n += tag.RowsAffected()
		if tag, err = tx.Exec(ctx, `UPDATE farewells SET state = 0, lease_owner = NULL, lease_until = NULL
			WHERE `+dead, deadAfter.Milliseconds()); err != nil {
			return err
		}
		n += tag.RowsAffected()
		if _, err := tx.Exec(ctx, `DELETE FROM daemons WHERE last_seen < `+serverMillis+` - $1`,
			forgetAfter.Milliseconds()); err != nil {
			return err
		}
		if n > 0 {
			return notify(ctx, tx, chanJobs)
		}
		return nil
	})
	if err != nil {
		return 0, wrap("recover dead leases", err)
	}
	return int(n), nil
}

// Retire removes the daemon owner, which is stopping, from the daemons: the
// leases it still holds are freed by the next daemon that looks.
func (db *DB) Retire(ctx context.Context, owner string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM daemons WHERE owner = $1`, owner)
	return wrap("retire daemon", err)
}

// Daemons returns the daemons that reported, most recent first.
func (db *DB) Daemons(ctx context.Context) ([]*hooks.Daemon, error) {
	rows, err := db.pool.Query(ctx, `SELECT owner, node, started_at, last_seen FROM daemons ORDER BY last_seen DESC, owner`)
	if err != nil {
		return nil, wrap("list daemons", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*hooks.Daemon, error) {
		var d hooks.Daemon
		var started, seen int64
		if err := r.Scan(&d.Owner, &d.Node, &started, &seen); err != nil {
			return nil, err
		}
		d.StartedAt, d.LastSeen = fromMillis(started), fromMillis(seen)
		return &d, nil
	})
	return list, wrap("list daemons", err)
}
