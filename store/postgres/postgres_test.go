package postgres_test

import (
	"context"
	"sync"
	"testing"

	"github.com/forgehook/forgehook/internal/pgtest"
	"github.com/forgehook/forgehook/internal/seal"
	"github.com/forgehook/forgehook/store/postgres"
	"github.com/forgehook/forgehook/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// testKeys is the secret key of every test database.
var testKeys = sync.OnceValue(func() *seal.Keyring {
	k, err := seal.New()
	if err != nil {
		panic(err)
	}
	return k
})

// MustOpen opens the database at dsn and closes it when the test ends.
func MustOpen(tb testing.TB, dsn string) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	db.Secrets = testKeys()
	tb.Cleanup(func() { db.Close() })
	return db
}

// TestConformance runs the stores' conformance suite on a real PostgreSQL
// cluster, a new database per test.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Opener{
		New: func(t *testing.T, c storetest.Config) storetest.Store {
			return configure(MustOpen(t, pgtest.MustDSN(t)), c)
		},
		Again: func(t *testing.T, s storetest.Store, c storetest.Config) storetest.Store {
			return configure(MustOpen(t, s.(*postgres.DB).DSN()), c)
		},
	})
}

// configure sets db up as c asks.
func configure(db *postgres.DB, c storetest.Config) *postgres.DB {
	db.Now = c.Now
	if c.MaxHooksPerEvent != 0 {
		db.MaxHooksPerEvent = c.MaxHooksPerEvent
	}
	return db
}
