package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/internal/sealing"
)

// DeleteHookWithMeta deletes hook id as DeleteHook does and, in the same
// transaction, queues meta (its meta event) to be sent once to the hook as
// the row had it: its URL, content type, secret (sealed again, for the
// farewell's row) and TLS setting. It returns ENOTFOUND for an unknown hook.
func (db *DB) DeleteHookWithMeta(ctx context.Context, id int64, meta *hooks.Event) error {
	now := db.now()
	err := db.update(ctx, func(tx *sql.Tx) error {
		h, err := db.findHook(ctx, tx, id)
		if err != nil {
			return err
		}
		if meta.GUID == "" {
			meta.GUID = hooks.NewGUID()
		}
		var fid int64
		err = tx.QueryRowContext(ctx, `INSERT INTO farewells (hook_id, owner, repo, repo_id, owner_id,
			url, content_type, secret, secret_sealed, insecure_ssl, guid, name, action, payload,
			created_at, state, run_at) VALUES (?, ?, ?, ?, ?, ?, ?, '', 0, ?, ?, ?, ?, ?, ?, 0, ?) RETURNING id`,
			h.ID, h.Owner, h.Repo, meta.RepoID, meta.OwnerID, h.Config.URL, string(h.Config.ContentType),
			h.Config.InsecureSSL, meta.GUID, meta.Name, meta.Action, meta.Payload, millis(now), millis(now),
		).Scan(&fid)
		if err != nil {
			return err
		}
		stored, sealed, err := sealing.SealFarewell(db.Secrets, fid, h.Config.Secret)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE farewells SET secret = ?, secret_sealed = ? WHERE id = ?`,
			stored, sealed, fid); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM hooks WHERE id = ?`, id)
		return changedRow(res, err, errNotFound())
	})
	return wrap("delete hook", err)
}

// claimFarewells leases up to n farewells that are due or whose lease
// expired, oldest first, as jobs with Farewell set: Hook is the deleted hook
// as it was, Event its meta event.
func (db *DB) claimFarewells(ctx context.Context, tx *sql.Tx, owner string, n int, now, until time.Time) ([]*hooks.Job, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, `UPDATE farewells
		SET state = 1, lease_owner = ?1, lease_token = (SELECT lease_seq + 1 FROM meta), lease_until = ?2
		WHERE id IN (SELECT id FROM farewells
			WHERE state = 0 AND run_at <= ?3 OR state = 1 AND lease_until < ?3
			ORDER BY run_at, id LIMIT ?4)
		RETURNING id, hook_id, owner, repo, repo_id, owner_id, url, content_type, secret, secret_sealed,
			insecure_ssl, guid, name, action, payload, created_at, lease_token`,
		owner, millis(until), millis(now), n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var jobs []*hooks.Job
	var lost []int64 // farewells whose secret no longer opens (its key was retired): dropped
	for rows.Next() {
		var (
			h       = &hooks.Hook{Name: "web", Active: true}
			e       = &hooks.Event{}
			j       = &hooks.Job{Hook: h, Event: e, Attempt: 1, Farewell: true}
			secret  string
			sealed  bool
			created int64
		)
		err := rows.Scan(&j.ID, &h.ID, &h.Owner, &h.Repo, &e.RepoID, &e.OwnerID, &h.Config.URL,
			&h.Config.ContentType, &secret, &sealed, &h.Config.InsecureSSL, &e.GUID, &e.Name, &e.Action,
			&e.Payload, &created, &j.Lease.Token)
		if err != nil {
			return nil, err
		}
		if h.Config.Secret, err = sealing.OpenFarewell(db.Secrets, j.ID, secret, sealed); err != nil {
			lost = append(lost, j.ID)
			continue
		}
		e.Owner, e.Repo, e.CreatedAt = h.Owner, h.Repo, fromMillis(created)
		j.Lease.Owner, j.Lease.Until = owner, until
		jobs = append(jobs, j)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(lost) > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM farewells WHERE id IN (SELECT value FROM json_each(?))`, jsonIDs(lost)); err != nil {
			return nil, err
		}
	}
	return jobs, nil
}

// finishFarewell records the outcome of farewell job j: given back unsent
// (JobQueued) it is queued again, otherwise it is done with and deleted.
// A farewell whose lease was lost is left alone.
func finishFarewell(ctx context.Context, tx *sql.Tx, o *hooks.Outcome) error {
	j := o.Job
	if o.State == hooks.JobQueued {
		_, err := tx.ExecContext(ctx, `UPDATE farewells SET state = 0, lease_owner = NULL, lease_until = NULL
			WHERE id = ? AND state = 1 AND lease_token = ?`, j.ID, j.Lease.Token)
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM farewells WHERE id = ? AND lease_token = ?`, j.ID, j.Lease.Token)
	return err
}
