package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/internal/outcome"
)

// FinishJobs records outcomes in one transaction. Each attempt made is stored
// as a delivery (setting its ID) and becomes its hook's last response. Each
// job then moves, if it still holds the lease it was claimed with: to
// succeeded, failed, queued again at RetryAt (JobRetry), or queued with its
// due time unchanged and the claim's attempt given back (JobQueued: released
// without an attempt). A job whose lease was lost keeps its state; its
// attempt is still stored. Attempts of hooks deleted meanwhile are dropped.
// An outcome's Health is stored with its hook, and its Disable makes the
// hook inactive with that last response. A farewell (the meta event of a
// deleted hook) leaves no record: it is deleted once tried, or queued again
// if given back.
func (db *DB) FinishJobs(ctx context.Context, outcomes []*hooks.Outcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	now := db.now()
	rows := make([]outcome.Row, len(outcomes))
	for i, o := range outcomes {
		if err := rows[i].Prepare(o, now); err != nil {
			return fmt.Errorf("finish jobs: %w", err)
		}
	}
	ids := make([]int64, len(outcomes))
	err := db.update(ctx, func(tx *sql.Tx) error {
		// An attempt of a hook (or event) deleted meanwhile has nowhere to go.
		hookIDs, eventIDs := make([]int64, 0, len(rows)), make([]int64, 0, len(rows))
		for _, r := range rows {
			if d := r.O.Delivery; d != nil {
				hookIDs, eventIDs = append(hookIDs, d.HookID), append(eventIDs, d.EventID)
			}
		}
		liveHooks, err := existing(ctx, tx, "hooks", hookIDs)
		if err != nil {
			return err
		}
		liveEvents, err := existing(ctx, tx, "events", eventIDs)
		if err != nil {
			return err
		}
		insert, err := tx.PrepareContext(ctx, `INSERT INTO deliveries (job_id, event_id, hook_id, guid,
			repo_id, event, action, redelivery, url, delivered_at, duration_ns, status, status_code,
			request_headers, response_headers, response_body)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
		if err != nil {
			return err
		}
		defer insert.Close()
		move, err := tx.PrepareContext(ctx, `UPDATE jobs SET state = ?, run_at = coalesce(?, run_at),
			attempts = attempts - ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
			WHERE id = ? AND state = 1 AND lease_token = ?`)
		if err != nil {
			return err
		}
		defer move.Close()
		last := map[int64]*hooks.Delivery{}  // each hook's newest attempt in the batch
		health := map[int64]*hooks.Outcome{} // each hook's newest outcome with a health change
		for i, r := range rows {
			if r.O.Job.Farewell { // its hook is gone: no delivery record
				if err := finishFarewell(ctx, tx, r.O); err != nil {
					return err
				}
				continue
			}
			if d := r.O.Delivery; d != nil && liveHooks[d.HookID] && liveEvents[d.EventID] {
				err := insert.QueryRowContext(ctx, r.O.Job.ID, d.EventID, d.HookID, d.GUID, d.RepoID,
					d.Event, d.Action, d.Redelivery, d.URL, millis(d.DeliveredAt), int64(d.Duration),
					d.Status, d.StatusCode, r.ReqHeaders, r.RespHeaders, d.ResponseBody).Scan(&ids[i])
				if err != nil {
					return err
				}
				last[d.HookID] = d
				if r.O.Health != nil {
					health[d.HookID] = r.O
				}
			}
			j := r.O.Job
			if _, err := move.ExecContext(ctx, r.State, r.RunAt, r.Give, millis(now), j.ID, j.Lease.Token); err != nil {
				return err
			}
		}
		for hookID, d := range last {
			if err := setLastResponse(ctx, tx, hookID, d); err != nil {
				return err
			}
		}
		for hookID, o := range health {
			if err := setHealth(ctx, tx, hookID, *o.Health); err != nil {
				return err
			}
			if o.Disable != nil {
				if err := disableHook(ctx, tx, hookID, *o.Disable); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return wrap("finish jobs", err)
	}
	for i, o := range outcomes {
		if o.Delivery != nil {
			o.Delivery.ID = ids[i]
		}
	}
	return nil
}

// disableHook makes hook id inactive with lr as its last response: why the
// dispatcher disabled it. Its updated_at is left alone: the hook was not
// edited.
func disableHook(ctx context.Context, tx *sql.Tx, id int64, lr hooks.LastResponse) error {
	code := sql.NullInt64{Int64: int64(lr.Code), Valid: lr.Code != 0}
	_, err := tx.ExecContext(ctx, `UPDATE hooks SET active = 0, last_code = ?, last_status = ?, last_message = ?
		WHERE id = ?`, code, lr.Status, lr.Message, id)
	return err
}

// existing returns which of ids are rows of table (hooks or events).
func existing(ctx context.Context, tx *sql.Tx, table string, ids []int64) (map[int64]bool, error) {
	m := make(map[int64]bool, len(ids))
	if len(ids) == 0 {
		return m, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM `+table+` WHERE id IN (SELECT value FROM json_each(?))`, jsonIDs(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		m[id] = true
	}
	return m, rows.Err()
}

// setLastResponse makes d hook's last response, as GitHub shows it: active
// and "OK" after a 2xx, else misconfigured with the attempt's status text.
// A zero status code (no HTTP response) is stored as NULL.
func setLastResponse(ctx context.Context, tx *sql.Tx, hookID int64, d *hooks.Delivery) error {
	status, message := "misconfigured", d.Status
	if d.OK() {
		status, message = "active", "OK"
	}
	code := sql.NullInt64{Int64: int64(d.StatusCode), Valid: d.StatusCode != 0}
	_, err := tx.ExecContext(ctx, `UPDATE hooks SET last_code = ?, last_status = ?, last_message = ?
		WHERE id = ?`, code, status, message, hookID)
	return err
}
