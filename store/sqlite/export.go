package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/forgehook/forgehook/store/dump"
)

// Export calls fn with one consistent snapshot of the whole database (see
// package dump), read in one read transaction: writers go on meanwhile, and
// fn sees none of their writes.
func (db *DB) Export(ctx context.Context, fn func(src dump.Source) error) error {
	return db.view(ctx, func(tx *sql.Tx) error {
		return fn(exporter{tx})
	})
}

// exporter reads a snapshot through its transaction.
type exporter struct{ tx *sql.Tx }

var _ dump.Source = exporter{}

// Count returns how many rows t holds.
func (e exporter) Count(ctx context.Context, t dump.Table) (int64, error) {
	var n int64
	if err := e.tx.QueryRowContext(ctx, `SELECT count(*) FROM `+t.Name).Scan(&n); err != nil {
		return 0, fmt.Errorf("export %s: %w", t.Name, err)
	}
	return n, nil
}

// Rows calls fn with each row of t, in the order of its primary key.
func (e exporter) Rows(ctx context.Context, t dump.Table, fn func(row []any) error) error {
	names := t.ColumnNames()
	rows, err := e.tx.QueryContext(ctx, `SELECT `+strings.Join(names, ", ")+` FROM `+t.Name+` ORDER BY `+names[0])
	if err != nil {
		return fmt.Errorf("export %s: %w", t.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		row := make([]any, len(t.Columns))
		ptrs := make([]any, len(row))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("export %s: %w", t.Name, err)
		}
		for i, c := range t.Columns {
			if row[i], err = dump.Convert(c.Kind, row[i]); err != nil {
				return fmt.Errorf("export %s.%s: %w", t.Name, c.Name, err)
			}
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export %s: %w", t.Name, err)
	}
	return nil
}

// Counters returns AUTOINCREMENT's counters and meta's lease_seq.
func (e exporter) Counters(ctx context.Context) (dump.Counters, error) {
	c := dump.Counters{LastIDs: map[string]int64{}}
	if err := e.tx.QueryRowContext(ctx, `SELECT lease_seq FROM meta WHERE id = 1`).Scan(&c.LeaseSeq); err != nil {
		return c, fmt.Errorf("export counters: %w", err)
	}
	rows, err := e.tx.QueryContext(ctx, `SELECT name, seq FROM sqlite_sequence`)
	if err != nil {
		return c, fmt.Errorf("export counters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var seq int64
		if err := rows.Scan(&name, &seq); err != nil {
			return c, fmt.Errorf("export counters: %w", err)
		}
		c.LastIDs[name] = seq
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("export counters: %w", err)
	}
	return c, nil
}

// PushesAfter returns how many pushes were recorded after push id: those a
// copy of a snapshot whose last push was id does not hold.
func (db *DB) PushesAfter(ctx context.Context, id int64) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM pushes WHERE id > ?`, id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count pushes: %w", err)
	}
	return n, nil
}
