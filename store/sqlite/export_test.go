package sqlite

import "context"

// DisableGateFile makes db pace its writes by time, as where the system has
// no open file description locks.
func (db *DB) DisableGateFile() {
	db.gate.close()
}

// WritePragma returns the value of a pragma on db's write connection.
func (db *DB) WritePragma(name string) (string, error) {
	var v string
	err := db.write.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&v)
	return v, err
}

// ReadPragma returns the value of a pragma on a connection of db's read pool.
func (db *DB) ReadPragma(name string) (string, error) {
	var v string
	err := db.read.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&v)
	return v, err
}

// BusyTimeout is how long SQLite waits for a lock before it gives up.
const BusyTimeout = busyTimeout

// WaitTokenUses waits for the tokens' last-used writes in flight.
func (db *DB) WaitTokenUses() { db.uses.wg.Wait() }

// SetBackupPacing sets the pages per backup step and the restarts before
// the rest is copied at once, until the test ends.
func SetBackupPacing(tb interface{ Cleanup(func()) }, pages, restarts int) {
	oldPages, oldRestarts := backupStepPages, backupRestarts
	backupStepPages, backupRestarts = pages, restarts
	tb.Cleanup(func() { backupStepPages, backupRestarts = oldPages, oldRestarts })
}
