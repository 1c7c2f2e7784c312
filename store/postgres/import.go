package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/dump"
)

// importBatch is how many rows Import hands to one COPY.
const importBatch = 1000

// Import copies every table of src into this database, which must be empty,
// in one transaction, and returns how many rows it copied per table. Every
// id is kept, each identity is advanced past the greatest id src handed out,
// and the fencing sequence past src's last token, so nothing handed out
// before comes back. The pushes are recorded as of db.Node, the git server
// whose repositories they are (SQLite's were all on one). src was stopped (no daemon runs on it), so no claim of
// it is live: leased pushes and jobs are queued again, due when they were,
// to be claimed by the daemons of this database. An empty src table reports
// 0. progress, if not nil, is told of each table and batch. A database that
// holds any row fails with ECONFLICT, changing nothing; so does one that
// another session writes while the copy runs (its tables are locked).
func (db *DB) Import(ctx context.Context, src dump.Source, progress dump.Progress) (map[string]int64, error) {
	counts := map[string]int64{}
	err := db.update(ctx, func(tx pgx.Tx) error {
		names := make([]string, len(dump.Tables))
		for i, t := range dump.Tables {
			names[i] = pgx.Identifier{t.Name}.Sanitize()
		}
		if _, err := tx.Exec(ctx, `LOCK TABLE `+strings.Join(names, ", ")+` IN EXCLUSIVE MODE NOWAIT`); err != nil {
			return fmt.Errorf("lock the target's tables (is a daemon using it?): %w", err)
		}
		for i, t := range dump.Tables {
			var has bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+names[i]+`)`).Scan(&has); err != nil {
				return err
			}
			if has {
				return hooks.Errorf(hooks.ECONFLICT, "the target database is not empty: table %s has rows", t.Name)
			}
		}
		for _, t := range dump.Tables {
			n, err := copyTable(ctx, tx, src, t, progress)
			if err != nil {
				return err
			}
			counts[t.Name] = n
		}
		c, err := src.Counters(ctx)
		if err != nil {
			return err
		}
		return settleImport(ctx, tx, c, db.Node)
	})
	if err != nil {
		return nil, wrap("import", err)
	}
	return counts, nil
}

// copyTable copies src's rows of t through tx, importBatch rows to a COPY.
func copyTable(ctx context.Context, tx pgx.Tx, src dump.Source, t dump.Table, progress dump.Progress) (int64, error) {
	total, err := src.Count(ctx, t)
	if err != nil {
		return 0, err
	}
	if progress != nil {
		progress.Table(t, total)
	}
	var n int64
	batch := make([][]any, 0, importBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		got, err := tx.CopyFrom(ctx, pgx.Identifier{t.Name}, t.ColumnNames(), pgx.CopyFromRows(batch))
		if err != nil {
			return fmt.Errorf("copy %s: %w", t.Name, err)
		}
		n += got
		if progress != nil {
			progress.Copied(int(got))
		}
		batch = batch[:0]
		return nil
	}
	err = src.Rows(ctx, t, func(row []any) error {
		if batch = append(batch, row); len(batch) == importBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err == nil && n != total {
		err = fmt.Errorf("copy %s: copied %d rows of %d", t.Name, n, total)
	}
	return n, err
}

// settleImport queues again what was leased, gives the pushes node,
// advances the identities and the fencing sequence past what the source
// handed out, and wakes the daemons.
func settleImport(ctx context.Context, tx pgx.Tx, c dump.Counters, node string) error {
	if _, err := tx.Exec(ctx, `UPDATE pushes SET node = $1`, node); err != nil {
		return fmt.Errorf("set the pushes' node: %w", err)
	}
	for _, table := range []string{"pushes", "jobs", "farewells"} {
		if _, err := tx.Exec(ctx, `UPDATE `+table+` SET state = $1, lease_owner = NULL, lease_token = NULL,
			lease_until = NULL WHERE state = $2`, stateQueued, stateLeased); err != nil {
			return fmt.Errorf("requeue leased %s: %w", table, err)
		}
	}
	for _, t := range dump.Tables {
		if !t.Identity {
			continue
		}
		name := pgx.Identifier{t.Name}.Sanitize()
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), v)
			FROM (SELECT greatest($2::bigint, (SELECT max(id) FROM `+name+`)) AS v) s WHERE v > 0`,
			t.Name, c.LastIDs[t.Name]); err != nil {
			return fmt.Errorf("advance %s ids: %w", t.Name, err)
		}
	}
	if c.LeaseSeq > 0 {
		if _, err := tx.Exec(ctx, `SELECT setval('lease_seq', $1)`, c.LeaseSeq); err != nil {
			return fmt.Errorf("advance fencing tokens: %w", err)
		}
	}
	if err := notify(ctx, tx, chanPushes); err != nil {
		return err
	}
	return notify(ctx, tx, chanJobs)
}
