package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/forgehook/forgehook/hooks"
)

const eventColumns = `id, guid, owner, repo, repo_id, owner_id, name, action, payload, created_at`

// insertEvent stores e, setting its ID (and GUID and CreatedAt when unset),
// and queues one job per target hook that still exists, due at now.
func insertEvent(ctx context.Context, tx pgx.Tx, e *hooks.Event, now time.Time) error {
	if e.GUID == "" {
		e.GUID = hooks.NewGUID()
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = now
	}
	payload := e.Payload
	if payload == nil {
		payload = []byte{}
	}
	err := tx.QueryRow(ctx, `INSERT INTO events (guid, owner, repo, repo_id, owner_id, name,
		action, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		e.GUID, e.Owner, e.Repo, e.RepoID, e.OwnerID, e.Name, e.Action, payload, millis(e.CreatedAt),
	).Scan(&e.ID)
	if err != nil || len(e.Targets) == 0 {
		return err
	}
	// Hooks deleted since the targets were chosen are skipped, and kept
	// from being deleted until the commit; a target listed twice gets one job.
	_, err = tx.Exec(ctx, `INSERT INTO jobs (event_id, hook_id, state, run_at, attempts,
		redelivery, created_at, updated_at)
		SELECT $1, id, 0, $2, 0, false, $2, $2 FROM hooks WHERE id = ANY($3)
		ORDER BY id FOR KEY SHARE
		ON CONFLICT DO NOTHING`, e.ID, millis(now), e.Targets)
	return err
}

// EnqueueEvent stores e, sets its ID (and GUID and CreatedAt when unset), and
// queues one job, due now, per target hook that exists.
func (db *DB) EnqueueEvent(ctx context.Context, e *hooks.Event) error {
	now := db.now()
	err := db.update(ctx, func(tx pgx.Tx) error {
		if err := insertEvent(ctx, tx, e, now); err != nil {
			return err
		}
		return notify(ctx, tx, chanJobs)
	})
	if err != nil {
		e.ID = 0 // rolled back
	}
	return wrap("enqueue event", err)
}

// LatestEvent returns the newest event named name of owner/repo, or
// ENOTFOUND. Owner and repo are exact (case-sensitive).
func (db *DB) LatestEvent(ctx context.Context, owner, repo, name string) (*hooks.Event, error) {
	e, err := scanEvent(db.pool.QueryRow(ctx, `SELECT `+eventColumns+` FROM events
		WHERE owner = $1 AND repo = $2 AND name = $3 ORDER BY id DESC LIMIT 1`, owner, repo, name))
	return e, wrap("latest event", err)
}

func scanEvent(s pgx.Row) (*hooks.Event, error) {
	var e hooks.Event
	var created int64
	err := s.Scan(&e.ID, &e.GUID, &e.Owner, &e.Repo, &e.RepoID, &e.OwnerID, &e.Name, &e.Action,
		&e.Payload, &created)
	if err != nil {
		return nil, err
	}
	e.CreatedAt = fromMillis(created)
	return &e, nil
}
