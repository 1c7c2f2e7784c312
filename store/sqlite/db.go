// Package sqlite implements forgehook's storage interfaces (declared in
// package hooks) on one SQLite file: hooks, accounts, the push and delivery
// queues, delivery history and API tokens.
//
// The daemon and the post-receive hook write the same file from two
// processes, so every write transaction starts with BEGIN IMMEDIATE and
// waits out a busy database for up to five seconds instead of failing.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// DefaultMaxHooksPerEvent is GitHub's limit on hooks of one repository (or
// organization) that subscribe to the same event.
const DefaultMaxHooksPerEvent = 20

// DB is a forgehook database. It implements hooks.HookService,
// hooks.AccountService, hooks.PushQueue, hooks.DeliveryQueue,
// hooks.DeliveryService and hooks.Tokens. Its methods are safe for
// concurrent use, also by several processes on the same file.
type DB struct {
	// Now returns the current time; time.Now by default. Times are stored in
	// unix milliseconds.
	Now func() time.Time
	// MaxHooksPerEvent bounds how many hooks of one repository (or
	// organization) may subscribe to one event; DefaultMaxHooksPerEvent if zero.
	MaxHooksPerEvent int
	// Secrets seals hook secrets before they are stored and opens them when
	// they are read. Without it (as in the post-receive hook, which never
	// reads hooks) a hook with a secret can be neither stored nor read.
	Secrets Sealer

	path  string
	write *sql.DB    // one connection: every write transaction, in BEGIN IMMEDIATE
	read  *sql.DB    // query-only connections for reads outside transactions
	gate  *writeGate // paces write transactions so other processes get the lock
	uses  tokenUses  // tokens' last-used writes in flight
}

// writeShare is how long, relative to how long it held SQLite's write lock,
// the daemon leaves the lock free after a write transaction where the gate
// cannot see other processes' writers (see writeGate).
const writeShare = 1.0

// Connection parameters (mattn/go-sqlite3 DSN keys). FULL makes every commit
// durable on power loss; batched transactions keep that cheap.
const (
	writeParams = "_journal_mode=WAL&_busy_timeout=5000&_foreign_keys=on&_txlock=immediate&_synchronous=FULL&_stmt_cache_size=64"
	readParams  = "_busy_timeout=5000&_foreign_keys=on&_txlock=deferred&_query_only=1&_stmt_cache_size=64"
	readConns   = 4
	busyTimeout = 5 * time.Second // as _busy_timeout
)

// Open opens the database file at path, creating it if needed, and brings its
// schema up to date. When the schema is current that costs one pragma read,
// so Open is cheap enough for the post-receive hook to call on every push.
//
// A new file gets mode 0660 whatever the umask, and so do the -wal and -shm
// files SQLite makes beside it: the daemon and the hook may run as two users
// sharing a group, which a setgid directory gives every new file. An
// existing file keeps its mode. A permission problem is reported as an
// *AccessError (see ExplainAccess).
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("open database: empty path")
	}
	if err := createFile(path, dbMode); err != nil {
		return nil, ExplainAccess(path, fmt.Errorf("open database: %w", err))
	}
	return open(path, writeParams)
}

// OpenExisting is Open for a database that must exist already: it never
// creates the file, and fails with an error matching fs.ErrNotExist if
// there is none (the post-receive hook must not replace a deleted database
// with an empty one that no daemon reads).
func OpenExisting(path string) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, ExplainAccess(path, fmt.Errorf("open database: %w", err))
	}
	return open(path, writeParams+"&mode=rw") // SQLite's URI parameter: no create, even in a race
}

// open opens the existing file at path with the write connection's params.
func open(path, params string) (*DB, error) {
	write, err := sql.Open("sqlite3", dsn(path, params))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	// One writer connection: writers of this process queue in database/sql
	// instead of spinning in SQLite's busy handler, and it stays open.
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)

	db := &DB{Now: time.Now, MaxHooksPerEvent: DefaultMaxHooksPerEvent, path: path, write: write,
		gate: newWriteGate(path+".gate", writeShare)}
	if err := db.migrate(context.Background()); err != nil {
		write.Close()
		db.gate.close()
		return nil, ExplainAccess(path, fmt.Errorf("open database %s: %w", path, err))
	}
	// sql.Open does not connect: the hook, which never reads, never pays for this pool.
	db.read, err = sql.Open("sqlite3", dsn(path, readParams))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.read.SetMaxOpenConns(readConns)
	db.read.SetMaxIdleConns(readConns)
	return db, nil
}

// Close closes the database. It waits for queries in progress, and for
// tokens' last-used writes, to finish.
func (db *DB) Close() error {
	db.uses.wg.Wait()
	rerr := db.read.Close()
	if err := db.write.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	if rerr != nil {
		return fmt.Errorf("close database: %w", rerr)
	}
	if err := db.gate.close(); err != nil {
		return fmt.Errorf("close database: gate: %w", err)
	}
	return nil
}

// Path returns the path of the database file.
func (db *DB) Path() string { return db.path }

// dsn turns a file path into a SQLite URI with params. Characters that a URI
// would read as delimiters or escapes are percent-encoded.
func dsn(path, params string) string {
	return "file:" + uriEscaper.Replace(path) + "?" + params
}

var uriEscaper = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// update runs fn in a write transaction (BEGIN IMMEDIATE) and commits it if
// fn returns nil. Write transactions of this process run one at a time,
// paced by the write gate. A permission problem comes back explained, as
// an *AccessError.
func (db *DB) update(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.updateOn(ctx, db.write, fn)
}

// txBeginner is the write pool, or its connection taken out with Conn.
type txBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// updateOn is update on w, which is db.write or its connection.
func (db *DB) updateOn(ctx context.Context, w txBeginner, fn func(tx *sql.Tx) error) (err error) {
	defer func() { err = ExplainAccess(db.path, err) }()
	if err := db.gate.enter(ctx); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	var start time.Time
	defer func() {
		var held time.Duration
		if !start.IsZero() {
			held = time.Since(start)
		}
		db.gate.leave(held)
	}()
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	start = time.Now() // the write lock is ours from here
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// view runs fn in a read transaction, which sees one snapshot of the database.
func (db *DB) view(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
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
func nullMillis(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return fromMillis(ms.Int64)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}
