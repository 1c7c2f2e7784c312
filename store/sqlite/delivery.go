package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

var _ hooks.DeliveryService = (*DB)(nil)

// deliveryColumns are read from deliveries d JOIN events e.
const deliveryColumns = `d.id, d.guid, d.hook_id, d.event_id, d.repo_id, e.owner, e.repo, d.event, d.action,
	d.redelivery, d.url, d.delivered_at, d.duration_ns, d.status, d.status_code`

// deliveriesFrom is the FROM clause deliveryColumns need.
const deliveriesFrom = ` FROM deliveries d JOIN events e ON e.id = d.event_id`

// FindDeliveries returns up to limit attempts of hook hookID, newest first,
// with ids below before (0: from the newest). limit <= 0 means no limit.
// Payloads, headers and response bodies are not loaded.
func (db *DB) FindDeliveries(ctx context.Context, hookID, before int64, limit int) ([]*hooks.Delivery, error) {
	if limit <= 0 {
		limit = -1
	}
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+deliveryColumns+deliveriesFrom+`
		WHERE d.hook_id = ? AND d.id < ? ORDER BY d.id DESC LIMIT ?`, hookID, before, limit)
	if err != nil {
		return nil, wrap("find deliveries", err)
	}
	defer rows.Close()
	list, err := scanDeliveries(rows)
	return list, wrap("find deliveries", err)
}

// FindDelivery returns attempt id of hook hookID with its request payload
// (the event's), headers and response, or ENOTFOUND.
func (db *DB) FindDelivery(ctx context.Context, hookID, id int64) (*hooks.Delivery, error) {
	var (
		reqHeaders, respHeaders sql.NullString
		body                    string
		payload                 []byte
	)
	d, err := scanDelivery(db.read.QueryRowContext(ctx, `SELECT `+deliveryColumns+`,
		d.request_headers, d.response_headers, d.response_body, e.payload`+deliveriesFrom+`
		WHERE d.id = ? AND d.hook_id = ?`, id, hookID),
		&reqHeaders, &respHeaders, &body, &payload)
	if err != nil {
		return nil, wrap("find delivery", err)
	}
	d.ResponseBody, d.Payload = body, payload
	if err := unmarshalHeaders(reqHeaders, &d.RequestHeaders); err != nil {
		return nil, fmt.Errorf("find delivery: request headers: %w", err)
	}
	if err := unmarshalHeaders(respHeaders, &d.ResponseHeaders); err != nil {
		return nil, fmt.Errorf("find delivery: response headers: %w", err)
	}
	return d, nil
}

// Redeliver queues the event of attempt id of hook hookID again for that
// hook, due now, as a redelivery under the same GUID, or returns ENOTFOUND.
func (db *DB) Redeliver(ctx context.Context, hookID, id int64) error {
	now := millis(db.now())
	err := db.update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO jobs (event_id, hook_id, state, run_at, attempts,
			redelivery, created_at, updated_at)
			SELECT event_id, hook_id, 0, ?, 0, 1, ?, ? FROM deliveries WHERE id = ? AND hook_id = ?`,
			now, now, now, id, hookID)
		return changedRow(res, err, errNotFound())
	})
	return wrap("redeliver", err)
}

func scanDeliveries(rows *sql.Rows) ([]*hooks.Delivery, error) {
	defer rows.Close()
	var list []*hooks.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, d)
	}
	return list, rows.Err()
}

// scanDelivery reads one row of deliveryColumns followed by extra columns.
func scanDelivery(s scanner, extra ...any) (*hooks.Delivery, error) {
	var d hooks.Delivery
	var delivered, duration int64
	dest := []any{&d.ID, &d.GUID, &d.HookID, &d.EventID, &d.RepoID, &d.Owner, &d.Repo, &d.Event, &d.Action,
		&d.Redelivery, &d.URL, &delivered, &duration, &d.Status, &d.StatusCode}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	d.DeliveredAt = fromMillis(delivered)
	d.Duration = time.Duration(duration)
	return &d, nil
}

func unmarshalHeaders(s sql.NullString, h *map[string]string) error {
	if !s.Valid {
		return nil
	}
	return json.Unmarshal([]byte(s.String), h)
}
