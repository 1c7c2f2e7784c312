package postgres

import "strings"

// IsURL reports whether db is a PostgreSQL connection URL (postgres:// or
// postgresql://), which is how forgehook's --db tells a PostgreSQL database
// from a SQLite file.
func IsURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}
