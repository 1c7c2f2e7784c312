package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/internal/outcome"
)

// FinishJobs records outcomes in one transaction, as the SQLite store does:
// each attempt made is stored as a delivery (setting its ID) and becomes its
// hook's last response; each job then moves to its new state if it still
// holds the lease it was claimed with. Attempts of hooks deleted meanwhile
// are dropped. An outcome's Health is stored with its hook, and its Disable
// makes the hook inactive with that last response. A farewell (the meta
// event of a deleted hook) leaves no record: it is deleted once tried, or
// queued again if given back. The statements go to the server in one batch.
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
	err := db.update(ctx, func(tx pgx.Tx) error {
		var hookIDs, eventIDs []int64
		for _, r := range rows {
			if d := r.O.Delivery; d != nil && !r.O.Job.Farewell {
				hookIDs, eventIDs = append(hookIDs, d.HookID), append(eventIDs, d.EventID)
			}
		}
		// Kept from being deleted until the commit: FOR KEY SHARE.
		liveHooks, err := existing(ctx, tx, `SELECT id FROM hooks WHERE id = ANY($1) ORDER BY id FOR KEY SHARE`, hookIDs)
		if err != nil {
			return err
		}
		liveEvents, err := existing(ctx, tx, `SELECT id FROM events WHERE id = ANY($1) ORDER BY id FOR KEY SHARE`, eventIDs)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		last := map[int64]*hooks.Delivery{}  // each hook's newest attempt in the batch
		health := map[int64]*hooks.Outcome{} // each hook's newest outcome with a health change
		for i, r := range rows {
			if r.O.Job.Farewell { // its hook is gone: no delivery record
				continue
			}
			if d := r.O.Delivery; d != nil && liveHooks[d.HookID] && liveEvents[d.EventID] {
				b.Queue(`INSERT INTO deliveries (job_id, event_id, hook_id, guid,
					repo_id, event, action, redelivery, url, delivered_at, duration_ns, status, status_code,
					request_headers, response_headers, response_body)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
					r.O.Job.ID, d.EventID, d.HookID, d.GUID, d.RepoID, d.Event, d.Action, d.Redelivery, d.URL,
					millis(d.DeliveredAt), int64(d.Duration), d.Status, d.StatusCode, r.ReqHeaders,
					r.RespHeaders, d.ResponseBody).QueryRow(func(row pgx.Row) error { return row.Scan(&ids[i]) })
				last[d.HookID] = d
				if r.O.Health != nil {
					health[d.HookID] = r.O
				}
			}
		}
		// Jobs, then hooks, in id order: two daemons finishing at once take
		// their row locks in one order.
		order := make([]int, len(rows))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int { return cmp.Compare(rows[a].O.Job.ID, rows[b].O.Job.ID) })
		for _, i := range order {
			r, j := rows[i], rows[i].O.Job
			if j.Farewell {
				queueFinishFarewell(b, r.O)
				continue
			}
			b.Queue(`UPDATE jobs SET state = $1, run_at = coalesce($2, run_at),
				attempts = attempts - $3, lease_owner = NULL, lease_until = NULL, updated_at = $4
				WHERE id = $5 AND state = 1 AND lease_token = $6`,
				r.State, r.RunAt, r.Give, millis(now), j.ID, j.Lease.Token)
		}
		lastIDs := make([]int64, 0, len(last))
		for id := range last {
			lastIDs = append(lastIDs, id)
		}
		slices.Sort(lastIDs)
		for _, id := range lastIDs {
			d := last[id]
			status, message := "misconfigured", d.Status
			if d.OK() {
				status, message = "active", "OK"
			}
			var code *int
			if d.StatusCode != 0 {
				code = &d.StatusCode
			}
			b.Queue(`UPDATE hooks SET last_code = $1, last_status = $2, last_message = $3 WHERE id = $4`,
				code, status, message, id)
			if o := health[id]; o != nil {
				b.Queue(healthSQL, healthArgs(id, *o.Health)...)
				if lr := o.Disable; lr != nil {
					// The hook was not edited: its updated_at is left alone.
					var code *int
					if lr.Code != 0 {
						code = &lr.Code
					}
					b.Queue(`UPDATE hooks SET active = false, last_code = $1, last_status = $2, last_message = $3
						WHERE id = $4`, code, lr.Status, lr.Message, id)
				}
			}
		}
		return tx.SendBatch(ctx, b).Close()
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

// existing returns which ids the query (over $1, the ids) returns.
func existing(ctx context.Context, tx pgx.Tx, query string, ids []int64) (map[int64]bool, error) {
	m := make(map[int64]bool, len(ids))
	if len(ids) == 0 {
		return m, nil
	}
	rows, err := tx.Query(ctx, query, ids)
	if err != nil {
		return nil, err
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	for _, id := range found {
		m[id] = true
	}
	return m, err
}
