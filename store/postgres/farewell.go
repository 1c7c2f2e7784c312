package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/internal/sealing"
)

// DeleteHookWithMeta deletes hook id as DeleteHook does and, in the same
// transaction, queues meta (its meta event) to be sent once to the hook as
// the row had it: its URL, content type, secret (sealed again, for the
// farewell's row) and TLS setting. It returns ENOTFOUND for an unknown hook.
func (db *DB) DeleteHookWithMeta(ctx context.Context, id int64, meta *hooks.Event) error {
	now := millis(db.now())
	err := db.update(ctx, func(tx pgx.Tx) error {
		h, err := db.scanHook(tx.QueryRow(ctx, `SELECT `+hookColumns+` FROM hooks WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		if meta.GUID == "" {
			meta.GUID = hooks.NewGUID()
		}
		var fid int64
		err = tx.QueryRow(ctx, `INSERT INTO farewells (hook_id, owner, repo, repo_id, owner_id,
			url, content_type, secret, secret_sealed, insecure_ssl, guid, name, action, payload,
			created_at, state, run_at) VALUES ($1, $2, $3, $4, $5, $6, $7, '', false, $8, $9, $10, $11, $12, $13, 0, $13)
			RETURNING id`,
			h.ID, h.Owner, h.Repo, meta.RepoID, meta.OwnerID, h.Config.URL, string(h.Config.ContentType),
			h.Config.InsecureSSL, meta.GUID, meta.Name, meta.Action, meta.Payload, now,
		).Scan(&fid)
		if err != nil {
			return err
		}
		stored, sealed, err := sealing.SealFarewell(db.Secrets, fid, h.Config.Secret)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE farewells SET secret = $1, secret_sealed = $2 WHERE id = $3`,
			stored, sealed, fid); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM hooks WHERE id = $1`, id); err != nil {
			return err
		}
		return notify(ctx, tx, chanJobs)
	})
	return wrap("delete hook", err)
}

// claimFarewells leases up to n farewells that are due or whose lease
// expired, oldest first, as jobs with Farewell set: Hook is the deleted hook
// as it was, Event its meta event. A farewell whose secret no longer opens
// (its key was retired) is dropped. Farewells another claim holds locked
// are skipped.
func (db *DB) claimFarewells(ctx context.Context, tx pgx.Tx, owner string, n int, now, until time.Time) ([]*hooks.Job, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `WITH tok AS (SELECT nextval('lease_seq') AS t)
		UPDATE farewells f SET state = 1, lease_owner = $1, lease_token = tok.t, lease_until = $2
		FROM tok
		WHERE f.id IN (SELECT id FROM farewells
			WHERE state = 0 AND run_at <= $3 OR state = 1 AND lease_until < $3
			ORDER BY run_at, id LIMIT $4
			FOR UPDATE SKIP LOCKED)
		RETURNING f.id, f.hook_id, f.owner, f.repo, f.repo_id, f.owner_id, f.url, f.content_type, f.secret,
			f.secret_sealed, f.insecure_ssl, f.guid, f.name, f.action, f.payload, f.created_at, f.lease_token`,
		owner, millis(until), millis(now), n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		jobs []*hooks.Job
		lost []int64
	)
	for rows.Next() {
		var (
			h           = &hooks.Hook{Name: "web", Active: true}
			e           = &hooks.Event{}
			j           = &hooks.Job{Hook: h, Event: e, Attempt: 1, Farewell: true}
			secret      string
			contentType string
			sealed      bool
			created     int64
		)
		err := rows.Scan(&j.ID, &h.ID, &h.Owner, &h.Repo, &e.RepoID, &e.OwnerID, &h.Config.URL,
			&contentType, &secret, &sealed, &h.Config.InsecureSSL, &e.GUID, &e.Name, &e.Action,
			&e.Payload, &created, &j.Lease.Token)
		if err != nil {
			return nil, err
		}
		h.Config.ContentType = hooks.ContentType(contentType)
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
		if _, err := tx.Exec(ctx, `DELETE FROM farewells WHERE id = ANY($1)`, lost); err != nil {
			return nil, err
		}
	}
	return jobs, nil
}

// queueFinishFarewell queues on b the outcome of farewell job o.Job: given
// back unsent (JobQueued) it is queued again, otherwise it is done with and
// deleted. A farewell whose lease was lost is left alone.
func queueFinishFarewell(b *pgx.Batch, o *hooks.Outcome) {
	j := o.Job
	if o.State == hooks.JobQueued {
		b.Queue(`UPDATE farewells SET state = 0, lease_owner = NULL, lease_until = NULL
			WHERE id = $1 AND state = 1 AND lease_token = $2`, j.ID, j.Lease.Token)
		return
	}
	b.Queue(`DELETE FROM farewells WHERE id = $1 AND lease_token = $2`, j.ID, j.Lease.Token)
}
