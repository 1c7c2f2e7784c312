package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

const eventColumns = `id, guid, owner, repo, repo_id, owner_id, name, action, payload, created_at`

// insertEvent stores e, setting its ID (and GUID and CreatedAt when unset),
// and queues one job per target hook that still exists, due at now.
func insertEvent(ctx context.Context, tx *sql.Tx, e *hooks.Event, now time.Time) error {
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
	err := tx.QueryRowContext(ctx, `INSERT INTO events (guid, owner, repo, repo_id, owner_id, name,
		action, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.GUID, e.Owner, e.Repo, e.RepoID, e.OwnerID, e.Name, e.Action, payload, millis(e.CreatedAt),
	).Scan(&e.ID)
	if err != nil {
		return err
	}
	if len(e.Targets) == 0 {
		return nil
	}
	targets, err := json.Marshal(e.Targets)
	if err != nil {
		return err
	}
	// Hooks deleted since the targets were chosen are skipped; a target
	// listed twice gets one job.
	_, err = tx.ExecContext(ctx, `INSERT INTO jobs (event_id, hook_id, state, run_at, attempts,
		redelivery, created_at, updated_at)
		SELECT ?1, id, 0, ?2, 0, 0, ?2, ?2 FROM hooks WHERE id IN (SELECT value FROM json_each(?3))
		ORDER BY id
		ON CONFLICT DO NOTHING`, e.ID, millis(now), string(targets))
	return err
}

// LatestEvent returns the newest event named name of owner/repo, or
// ENOTFOUND. Owner and repo are exact (case-sensitive).
func (db *DB) LatestEvent(ctx context.Context, owner, repo, name string) (*hooks.Event, error) {
	e, err := scanEvent(db.read.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events
		WHERE owner = ? AND repo = ? AND name = ? ORDER BY id DESC LIMIT 1`, owner, repo, name))
	return e, wrap("latest event", err)
}

func scanEvent(s scanner) (*hooks.Event, error) {
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
