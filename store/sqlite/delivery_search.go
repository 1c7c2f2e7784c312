package sqlite

import (
	"context"
	"strings"

	"github.com/forgehook/forgehook/hooks"
)

// SearchDeliveries returns the attempts of any hook that match f, newest
// first. Owner and Repo are exact and select by the event's repository, so
// the attempts of organization hooks for that repository are included.
// Payloads, headers and response bodies are not loaded.
func (db *DB) SearchDeliveries(ctx context.Context, f hooks.DeliveryFilter) ([]*hooks.Delivery, error) {
	where := []string{"1"}
	var args []any
	if f.ID != 0 {
		where, args = append(where, "d.id = ?"), append(args, f.ID)
	}
	if f.HookID != 0 {
		where, args = append(where, "d.hook_id = ?"), append(args, f.HookID)
	}
	if f.Owner != "" {
		where, args = append(where, "e.owner = ?"), append(args, f.Owner)
		if f.Repo != "" {
			where, args = append(where, "e.repo = ?"), append(args, f.Repo)
		}
	}
	if f.Failed {
		where = append(where, "NOT (d.status_code BETWEEN 200 AND 299)")
	}
	if !f.Since.IsZero() {
		where, args = append(where, "d.delivered_at >= ?"), append(args, millis(f.Since))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+deliveryColumns+deliveriesFrom+`
		WHERE `+strings.Join(where, " AND ")+` ORDER BY d.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, wrap("search deliveries", err)
	}
	list, err := scanDeliveries(rows)
	return list, wrap("search deliveries", err)
}
