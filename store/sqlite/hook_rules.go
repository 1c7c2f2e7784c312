package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

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
	var list []hookrules.Sibling
	for rows.Next() {
		var s hookrules.Sibling
		var events string
		if err := rows.Scan(&s.ID, &s.URL, &events); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(events), &s.Events); err != nil {
			return nil, fmt.Errorf("hook %d: events: %w", s.ID, err)
		}
		list = append(list, s)
	}
	return list, rows.Err()
}
