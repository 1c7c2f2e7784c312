package postgres

import "github.com/jackc/pgx/v5/pgxpool"

// Pool returns db's connection pool, for tests that read the schema.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }
