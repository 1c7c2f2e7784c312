package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/forgehook/forgehook/store/sqlite"
	"github.com/forgehook/forgehook/store/storetest"
)

// TestConformance runs the stores' conformance suite on SQLite files.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Opener{
		New: func(t *testing.T, c storetest.Config) storetest.Store {
			return configure(MustOpenDBAt(t, filepath.Join(t.TempDir(), "forgehook.db")), c)
		},
		Again: func(t *testing.T, s storetest.Store, c storetest.Config) storetest.Store {
			return configure(MustOpenDBAt(t, s.(*sqlite.DB).Path()), c)
		},
		Settle: func(s storetest.Store) { s.(*sqlite.DB).WaitTokenUses() },
	})
}

// configure sets db up as c asks.
func configure(db *sqlite.DB, c storetest.Config) *sqlite.DB {
	db.Now = c.Now
	if c.MaxHooksPerEvent != 0 {
		db.MaxHooksPerEvent = c.MaxHooksPerEvent
	}
	return db
}
