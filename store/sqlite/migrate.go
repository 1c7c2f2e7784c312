package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one embedded schema change; applying it moves the schema to
// its version, which PRAGMA user_version records.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in order. Their file names are
// NNNN_name.sql, numbered from 0001 without gaps.
var migrations = sync.OnceValues(func() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for i, name := range names { // fs.Glob sorts
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 4 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", base)
		}
		if v != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d", base, i+1)
		}
		b, err := migrationFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: base, sql: string(b)})
	}
	return out, nil
})

// SchemaVersion returns the schema version this package migrates databases to.
func SchemaVersion() int {
	ms, _ := migrations()
	return len(ms)
}

// migrate brings the schema up to date. An up-to-date database costs one
// pragma read; otherwise the missing migrations run in one transaction, which
// re-reads the version so that two processes opening a new file at once
// migrate it once.
//
// Migrations run with foreign keys off, as SQLite's procedure for rebuilding
// a table asks: dropping a table that others reference would otherwise
// delete their rows. PRAGMA foreign_keys cannot change inside a transaction,
// so it is turned off on the write connection around it, and the references
// are checked before the commit.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	v, err := firstVersion(ctx, db.write)
	if err != nil {
		return err
	}
	if v == len(ms) {
		return nil
	}
	if v > len(ms) {
		return fmt.Errorf("schema version %d is newer than this forgehook's (%d)", v, len(ms))
	}
	conn, err := db.write.Conn(ctx) // the pool's one connection, held until Close
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return fmt.Errorf("migrate: foreign keys off: %w", err)
	}
	err = db.updateOn(ctx, conn, func(tx *sql.Tx) error {
		v, err := userVersion(ctx, tx)
		if err != nil {
			return err
		}
		if v > len(ms) {
			return fmt.Errorf("schema version %d is newer than this forgehook's (%d)", v, len(ms))
		}
		if v == len(ms) {
			return nil // another process migrated meanwhile
		}
		for _, m := range ms[v:] {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migrate %s: %w", m.name, err)
			}
		}
		if err := foreignKeyCheck(ctx, tx); err != nil {
			return err
		}
		// A pragma takes no parameters; the version is a number we produced.
		if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(len(ms))); err != nil {
			return fmt.Errorf("set schema version: %w", err)
		}
		return nil
	})
	// Open fails, and closes the connection, if foreign keys stay off.
	if _, ferr := conn.ExecContext(ctx, "PRAGMA foreign_keys = ON"); ferr != nil && err == nil {
		err = fmt.Errorf("migrate: foreign keys on: %w", ferr)
	}
	return err
}

// foreignKeyCheck fails if a row references a row that does not exist.
func foreignKeyCheck(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return fmt.Errorf("foreign key check: %w", err)
		}
		return fmt.Errorf("foreign key check: %s row %d references a missing %s row", table, rowid.Int64, parent)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	return nil
}

// firstVersion reads the schema version on a new connection. Opening a
// connection switches the file to WAL mode, which fails at once, without
// waiting out the busy timeout, while another process is doing the same to a
// new file; so a busy error is retried for as long as the busy timeout.
func firstVersion(ctx context.Context, db *sql.DB) (int, error) {
	deadline := time.Now().Add(busyTimeout)
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		v, err := userVersion(ctx, db)
		var se sqlite3.Error
		if err == nil || !errors.As(err, &se) || se.Code != sqlite3.ErrBusy || time.Now().After(deadline) {
			return v, err
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func userVersion(ctx context.Context, q queryRower) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
