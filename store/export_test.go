package store

import "context"

// SetWriteShare changes how long db leaves SQLite's write lock free after a
// write transaction, relative to how long it held it; 0 turns pacing off.
func (db *DB) SetWriteShare(share float64) { db.gate.share = share }

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
