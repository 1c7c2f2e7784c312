package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/redact"
	"github.com/forgehook/forgehook/internal/seal"
	"github.com/forgehook/forgehook/store/postgres"
	"github.com/forgehook/forgehook/store/sqlite"
)

// database is what the commands use of a store, SQLite or PostgreSQL: the
// hooks interfaces and the administration both stores offer.
type database interface {
	hooks.HookService
	hooks.AccountService
	hooks.DeliveryService
	hooks.DeliveryQueue
	hooks.PushQueue
	hooks.RefStates
	hooks.Tokens
	hooks.StatsReader
	hooks.SpoolDrainer
	CreateToken(ctx context.Context, login string, repos []string) (string, error)
	ListTokens(ctx context.Context) ([]*hooks.Token, error)
	RevokeToken(ctx context.Context, id int64) error
	HasSealedSecrets(ctx context.Context) (bool, error)
	SealSecrets(ctx context.Context) (int, error)
	ResealSecrets(ctx context.Context) (int, error)
	PruneDeliveries(ctx context.Context, olderThan time.Time) (int, error)
	Close() error
}

var (
	_ database = (*sqlite.DB)(nil)
	_ database = (*postgres.DB)(nil)
)

// storage is an opened database: exactly one of SQLite and PG is set.
type storage struct {
	database
	SQLite *sqlite.DB   // a SQLite file
	PG     *postgres.DB // a PostgreSQL database shared by daemons and git servers
	Name   string       // for messages: the file, or the URL without its password
}

// isPostgres reports whether --db names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func isPostgres(db string) bool { return postgres.IsURL(db) }

// dbName returns db as messages show it: a URL's password masked.
func dbName(db string) string { return redact.Setting("db", db) }

// openDB opens the database db names, creating (and migrating) a SQLite file
// only if create is set; a PostgreSQL database is always migrated.
func openDB(ctx context.Context, db string, create bool) (*storage, error) {
	if isPostgres(db) {
		pg, err := postgres.Open(ctx, db)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dbName(db), err)
		}
		return &storage{database: pg, PG: pg, Name: dbName(db)}, nil
	}
	if !create {
		if _, err := os.Stat(db); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no database %s: pass the daemon's --db (or set FORGEHOOK_DB)", db)
		}
	}
	s, err := sqlite.Open(db)
	if err != nil {
		return nil, err
	}
	return &storage{database: s, SQLite: s, Name: db}, nil
}

// setSecrets gives the store the keys that seal and open hook secrets.
func (s *storage) setSecrets(k *seal.Keyring) {
	if s.PG != nil {
		s.PG.Secrets = k
	} else {
		s.SQLite.Secrets = k
	}
}

// sqliteOnlyDB returns, if db is a PostgreSQL database, an error saying that
// command works on SQLite files only and what to do instead; else nil.
func sqliteOnlyDB(db, command, instead string) error {
	if isPostgres(db) {
		return fmt.Errorf("%s: %s is a PostgreSQL database: %s", command, dbName(db), instead)
	}
	return nil
}
