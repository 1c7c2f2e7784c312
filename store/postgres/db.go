// Package postgres implements forgehook's storage interfaces (declared in
// package hooks) on PostgreSQL, for sites where several daemons and git
// servers share one queue. It behaves as the SQLite store does (the
// conformance suite store/storetest holds both to it); what differs is how
// claims stay apart: each claim is one UPDATE … RETURNING over rows taken
// FOR UPDATE SKIP LOCKED, after transaction-scoped advisory locks have
// given the claim the hooks (and repositories) whose order it must keep.
package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/forgehook/forgehook/store/internal/sealing"
)

// DefaultMaxHooksPerEvent is GitHub's limit on hooks of one repository (or
// organization) that subscribe to the same event.
const DefaultMaxHooksPerEvent = 20

// DB is a forgehook database on PostgreSQL. It implements the same
// interfaces as the SQLite store. Its methods are safe for concurrent use,
// also by several processes and machines on one database.
type DB struct {
	// Now returns the current time; time.Now by default. Times are stored in
	// unix milliseconds, taken from this clock and not the server's.
	Now func() time.Time
	// MaxHooksPerEvent bounds how many hooks of one repository (or
	// organization) may subscribe to one event; DefaultMaxHooksPerEvent if zero.
	MaxHooksPerEvent int
	// Secrets seals hook secrets before they are stored and opens them when
	// they are read; without it a hook with a secret can be neither stored
	// nor read.
	Secrets sealing.Sealer
	// Node names the git server whose repositories this process reads (see
	// forgehook's --node): pushes are recorded as of it, and only the pushes
	// of its node are claimed. "" is a node like any other.
	Node string

	pool *pgxpool.Pool
	dsn  string
}

// Open connects to the database at dsn (a postgres:// URL or a key=value
// connection string) and brings its schema up to date.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db := &DB{Now: time.Now, MaxHooksPerEvent: DefaultMaxHooksPerEvent, pool: pool, dsn: dsn}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	return db, nil
}

// Close closes the database's connections, waiting for queries in progress.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// DSN returns the connection string the database was opened with.
func (db *DB) DSN() string { return db.dsn }

// update runs fn in a transaction and commits it if fn returns nil.
func (db *DB) update(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// now returns the current time at the precision it is stored with.
func (db *DB) now() time.Time {
	now := time.Now
	if db.Now != nil {
		now = db.Now
	}
	return fromMillis(now().UnixMilli())
}

func (db *DB) maxHooksPerEvent() int {
	if db.MaxHooksPerEvent <= 0 {
		return DefaultMaxHooksPerEvent
	}
	return db.MaxHooksPerEvent
}

// millis returns t as stored: unix milliseconds.
func millis(t time.Time) int64 { return t.UnixMilli() }

// fromMillis returns the time stored as ms, in UTC.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// nullMillis returns the time stored as a nullable ms, or the zero time.
func nullMillis(ms *int64) time.Time {
	if ms == nil {
		return time.Time{}
	}
	return fromMillis(*ms)
}

// queryer is the pool or a transaction.
type queryer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}
