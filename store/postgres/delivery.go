package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

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
func (db *DB) FindDeliveries(ctx context.Context, hookID, before int64, limit int) ([]*hooks.Delivery, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	return db.queryDeliveries(ctx, "find deliveries", `SELECT `+deliveryColumns+deliveriesFrom+`
		WHERE d.hook_id = $1 AND d.id < $2 ORDER BY d.id DESC`+limitClause(limit), hookID, before)
}

// SearchDeliveries returns the attempts of any hook that match f, newest
// first, as the SQLite store does.
func (db *DB) SearchDeliveries(ctx context.Context, f hooks.DeliveryFilter) ([]*hooks.Delivery, error) {
	var w where
	if f.ID != 0 {
		w.add("d.id = ", f.ID)
	}
	if f.HookID != 0 {
		w.add("d.hook_id = ", f.HookID)
	}
	if f.Owner != "" {
		w.add("e.owner = ", f.Owner)
		if f.Repo != "" {
			w.add("e.repo = ", f.Repo)
		}
	}
	if f.Failed {
		w.cond = append(w.cond, "NOT (d.status_code BETWEEN 200 AND 299)")
	}
	if !f.Since.IsZero() {
		w.add("d.delivered_at >= ", millis(f.Since))
	}
	return db.queryDeliveries(ctx, "search deliveries", `SELECT `+deliveryColumns+deliveriesFrom+`
		WHERE `+w.sql()+` ORDER BY d.id DESC`+limitClause(f.Limit), w.args...)
}

// limitClause is " LIMIT n", or "" for n <= 0 (no limit).
func limitClause(n int) string {
	if n <= 0 {
		return ""
	}
	return " LIMIT " + strconv.Itoa(n)
}

func (db *DB) queryDeliveries(ctx context.Context, op, q string, args ...any) ([]*hooks.Delivery, error) {
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*hooks.Delivery, error) { return scanDelivery(r) })
	return list, wrap(op, err)
}

// FindDelivery returns attempt id of hook hookID with its request payload
// (the event's), headers and response, or ENOTFOUND.
func (db *DB) FindDelivery(ctx context.Context, hookID, id int64) (*hooks.Delivery, error) {
	var (
		reqHeaders, respHeaders *string
		body                    string
		payload                 []byte
	)
	d, err := scanDelivery(db.pool.QueryRow(ctx, `SELECT `+deliveryColumns+`,
		d.request_headers, d.response_headers, d.response_body, e.payload`+deliveriesFrom+`
		WHERE d.id = $1 AND d.hook_id = $2`, id, hookID),
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
	err := db.update(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO jobs (event_id, hook_id, state, run_at, attempts,
			redelivery, created_at, updated_at)
			SELECT event_id, hook_id, 0, $1, 0, true, $1, $1 FROM deliveries WHERE id = $2 AND hook_id = $3`,
			now, id, hookID)
		if err := changedRow(tag, err, errNotFound()); err != nil {
			return err
		}
		return notify(ctx, tx, chanJobs)
	})
	return wrap("redeliver", err)
}

// scanDelivery reads one row of deliveryColumns followed by extra columns.
func scanDelivery(s pgx.Row, extra ...any) (*hooks.Delivery, error) {
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

func unmarshalHeaders(s *string, h *map[string]string) error {
	if s == nil {
		return nil
	}
	return json.Unmarshal([]byte(*s), h)
}
