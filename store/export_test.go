package store

import "context"

// SetWriteShare changes how long db leaves SQLite's write lock free after a
// write transaction, relative to how long it held it, where it paces by
// time (see DisableGateFile); 0 turns that pacing off.
func (db *DB) SetWriteShare(share float64) { db.gate.share = share }

// DisableGateFile makes db pace its writes by time, as where the system has
// no open file description locks.
func (db *DB) DisableGateFile() {
	db.gate.close()
}

// GateFileOpen reports whether db announces its writes on the gate file.
func (db *DB) GateFileOpen() bool { return db.gate.file != nil }

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
