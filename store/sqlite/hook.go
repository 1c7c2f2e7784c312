package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/internal/hookrules"
)

var _ hooks.HookService = (*DB)(nil)

const hookColumns = `id, owner, repo, name, events, active, url, content_type, secret, secret_sealed,
	insecure_ssl, created_at, updated_at, last_code, last_status, last_message, branch_filter, headers, signature, template,
	fail_streak, failing_since, breaker_until, breaker_trips`

// FindHookByID returns hook id, or ENOTFOUND.
func (db *DB) FindHookByID(ctx context.Context, id int64) (*hooks.Hook, error) {
	h, err := db.findHook(ctx, db.read, id)
	return h, wrap("find hook", err)
}

// FindHooks returns the hooks matching f ordered by id, and how many match f
// without its Offset and Limit. Owner and Repo are exact (case-sensitive).
func (db *DB) FindHooks(ctx context.Context, f hooks.HookFilter) ([]*hooks.Hook, int, error) {
	var where []string
	var args []any
	if f.ID != 0 {
		where, args = append(where, "id = ?"), append(args, f.ID)
	}
	if f.Owner != "" {
		where, args = append(where, "owner = ?"), append(args, f.Owner)
	}
	if f.Global {
		where = append(where, "owner = '' AND repo = ''")
	} else if f.Org {
		where = append(where, "repo = ''")
	} else if f.Repo != "" {
		where, args = append(where, "repo = ?"), append(args, f.Repo)
	}
	if f.URL != "" {
		where, args = append(where, "url = ?"), append(args, f.URL)
	}
	cond := "1"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // no limit
	}
	var (
		list []*hooks.Hook
		n    int
	)
	err := db.view(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM hooks WHERE `+cond, args...).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+hookColumns+` FROM hooks WHERE `+cond+
			` ORDER BY id LIMIT ? OFFSET ?`, append(args, limit, max(f.Offset, 0))...)
		if err != nil {
			return err
		}
		list, err = db.scanHooks(rows)
		return err
	})
	if err != nil {
		return nil, 0, wrap("find hooks", err)
	}
	return list, n, nil
}

// HooksFor returns the active hooks that receive events of repository
// owner/repo, ordered by id: its own, its owner's organization hooks and the
// global hooks.
func (db *DB) HooksFor(ctx context.Context, owner, repo string) ([]*hooks.Hook, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+hookColumns+` FROM hooks
		WHERE (owner = ? AND (repo = ? OR repo = '') OR owner = '' AND repo = '') AND active ORDER BY id`, owner, repo)
	if err != nil {
		return nil, wrap("hooks for repository", err)
	}
	list, err := db.scanHooks(rows)
	return list, wrap("hooks for repository", err)
}

// CreateHook validates h, stores it and sets its ID, timestamps and last
// response ("unused"). It fails with EINVALID if h breaks a rule of
// Hook.Validate, duplicates a hook of the same repository (same URL,
// overlapping events), or would pass hooks.MaxHooksPerRepo or
// MaxHooksPerEvent.
func (db *DB) CreateHook(ctx context.Context, h *hooks.Hook) error {
	if err := h.Validate(); err != nil {
		return err
	}
	events, err := json.Marshal(h.Events)
	if err != nil {
		return fmt.Errorf("create hook: %w", err)
	}
	now := db.now()
	err = db.update(ctx, func(tx *sql.Tx) error {
		others, err := siblingHooks(ctx, tx, h.Owner, h.Repo, 0)
		if err != nil {
			return err
		}
		if err := hookrules.CheckCreate(h, others, db.maxHooksPerEvent()); err != nil {
			return err
		}
		// The secret is sealed for the row's id, known once the row is in:
		// the plain text never reaches SQLite.
		err = tx.QueryRowContext(ctx, `INSERT INTO hooks (owner, repo, name, events, active, url,
			content_type, secret, insecure_ssl, created_at, updated_at, last_status, branch_filter, signature, template)
			VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, 'unused', ?, ?, ?) RETURNING id`,
			h.Owner, h.Repo, h.Name, string(events), h.Active, h.Config.URL,
			string(h.Config.ContentType), h.Config.InsecureSSL, millis(now), millis(now),
			h.Config.BranchFilter, h.Config.Signature, hooks.StoredTemplate(h.Config.Template),
		).Scan(&h.ID)
		if err != nil {
			return err
		}
		return db.setSealed(ctx, tx, h)
	})
	if err != nil {
		return wrap("create hook", err)
	}
	h.CreatedAt, h.UpdatedAt = now, now
	h.LastResponse = hooks.LastResponse{Status: "unused"}
	return nil
}

// UpdateHook applies upd to hook id and returns the result. It fails with
// ENOTFOUND for an unknown hook, and with EINVALID as CreateHook does.
func (db *DB) UpdateHook(ctx context.Context, id int64, upd hooks.HookUpdate) (*hooks.Hook, error) {
	var h *hooks.Hook
	err := db.update(ctx, func(tx *sql.Tx) error {
		var err error
		if h, err = db.findHook(ctx, tx, id); err != nil {
			return err
		}
		if err := upd.Apply(h); err != nil {
			return err
		}
		others, err := siblingHooks(ctx, tx, h.Owner, h.Repo, h.ID)
		if err != nil {
			return err
		}
		if err := hookrules.Check(h, others, db.maxHooksPerEvent()); err != nil {
			return err
		}
		events, err := json.Marshal(h.Events)
		if err != nil {
			return err
		}
		h.UpdatedAt = db.now()
		_, err = tx.ExecContext(ctx, `UPDATE hooks SET name = ?, events = ?, active = ?, url = ?,
			content_type = ?, insecure_ssl = ?, updated_at = ?, branch_filter = ?, signature = ?, template = ? WHERE id = ?`,
			h.Name, string(events), h.Active, h.Config.URL, string(h.Config.ContentType),
			h.Config.InsecureSSL, millis(h.UpdatedAt), h.Config.BranchFilter, h.Config.Signature, hooks.StoredTemplate(h.Config.Template), h.ID)
		if err != nil {
			return err
		}
		if err := setHealth(ctx, tx, h.ID, h.Health); err != nil {
			return err
		}
		return db.setSealed(ctx, tx, h)
	})
	if err != nil {
		return nil, wrap("update hook", err)
	}
	return h, nil
}

// DeleteHook removes hook id with its jobs and delivery history, or returns
// ENOTFOUND.
func (db *DB) DeleteHook(ctx context.Context, id int64) error {
	err := db.update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM hooks WHERE id = ?`, id)
		return changedRow(res, err, errNotFound())
	})
	return wrap("delete hook", err)
}

// setHealth stores hook id's health; zero times are stored as NULL.
func setHealth(ctx context.Context, tx *sql.Tx, id int64, h hooks.HookHealth) error {
	_, err := tx.ExecContext(ctx, `UPDATE hooks SET fail_streak = ?, failing_since = ?, breaker_until = ?,
		breaker_trips = ? WHERE id = ?`, h.Failures, optMillis(h.FailingSince), optMillis(h.OpenUntil), h.Trips, id)
	return err
}

// optMillis returns t as nullable ms: NULL for the zero time.
func optMillis(t time.Time) sql.NullInt64 {
	return sql.NullInt64{Int64: millis(t), Valid: !t.IsZero()}
}

// findHook loads hook id through q, a pool or a transaction.
func (db *DB) findHook(ctx context.Context, q queryRower, id int64) (*hooks.Hook, error) {
	return db.scanHook(q.QueryRowContext(ctx, `SELECT `+hookColumns+` FROM hooks WHERE id = ?`, id))
}

func (db *DB) scanHooks(rows *sql.Rows) ([]*hooks.Hook, error) {
	defer rows.Close()
	var list []*hooks.Hook
	for rows.Next() {
		h, err := db.scanHook(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, h)
	}
	return list, rows.Err()
}

// scanHook reads one row of hookColumns and opens the hook's secret and headers.
func (db *DB) scanHook(s scanner) (*hooks.Hook, error) {
	var (
		h                             hooks.Hook
		events, secret, headers, tmpl string
		sealed                        bool
		created, updated              int64
		code                          sql.NullInt64
		message                       sql.NullString
		since, open                   sql.NullInt64
	)
	err := s.Scan(&h.ID, &h.Owner, &h.Repo, &h.Name, &events, &h.Active, &h.Config.URL,
		&h.Config.ContentType, &secret, &sealed, &h.Config.InsecureSSL, &created, &updated,
		&code, &h.LastResponse.Status, &message, &h.Config.BranchFilter, &headers, &h.Config.Signature, &tmpl,
		&h.Health.Failures, &since, &open, &h.Health.Trips)
	if err != nil {
		return nil, err
	}
	if h.Config.Secret, err = db.openSecret(h.ID, secret, sealed); err != nil {
		return nil, err
	}
	if h.Config.Headers, err = db.openHeaders(h.ID, headers); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(events), &h.Events); err != nil {
		return nil, fmt.Errorf("hook %d: events: %w", h.ID, err)
	}
	if tmpl != "" {
		if h.Config.Template, err = hooks.ParseTemplate([]byte(tmpl)); err != nil {
			return nil, fmt.Errorf("hook %d: template: %w", h.ID, err)
		}
	}
	h.CreatedAt, h.UpdatedAt = fromMillis(created), fromMillis(updated)
	h.LastResponse.Code = int(code.Int64)
	h.LastResponse.Message = message.String
	h.Health.FailingSince, h.Health.OpenUntil = nullMillis(since), nullMillis(open)
	return &h, nil
}
