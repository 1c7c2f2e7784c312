package sqlite

import (
	"context"
	"database/sql"

	"github.com/forgehook/forgehook/store/internal/hookrules"
)

// siblingHooks returns the hooks of owner/repo (repo "" for organization
// hooks) other than the hook except.
func siblingHooks(ctx context.Context, tx *sql.Tx, owner, repo string, except int64) ([]hookrules.Sibling, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, url, events FROM hooks
		WHERE owner = ? AND repo = ? AND id <> ? ORDER BY id`, owner, repo, except)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return hookrules.ScanSiblings(rows)
}
