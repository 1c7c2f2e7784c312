package store

// SetWriteShare changes how long db leaves SQLite's write lock free after a
// write transaction, relative to how long it held it; 0 turns pacing off.
func (db *DB) SetWriteShare(share float64) { db.gate.share = share }
