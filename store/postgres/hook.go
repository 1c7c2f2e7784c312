package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/internal/hookrules"
	"github.com/forgehook/forgehook/store/internal/sealing"
)

var _ hooks.HookService = (*DB)(nil)

const hookColumns = `id, owner, repo, name, events, active, url, content_type, secret, secret_sealed,
	insecure_ssl, created_at, updated_at, last_code, last_status, last_message, branch_filter, headers, signature, template,
	fail_streak, failing_since, breaker_until, breaker_trips`

// FindHookByID returns hook id, or ENOTFOUND.
func (db *DB) FindHookByID(ctx context.Context, id int64) (*hooks.Hook, error) {
	h, err := db.scanHook(db.pool.QueryRow(ctx, `SELECT `+hookColumns+` FROM hooks WHERE id = $1`, id))
	return h, wrap("find hook", err)
}

// FindHooks returns the hooks matching f ordered by id, and how many match f
// without its Offset and Limit. Owner and Repo are exact (case-sensitive).
func (db *DB) FindHooks(ctx context.Context, f hooks.HookFilter) ([]*hooks.Hook, int, error) {
	var w where
	if f.ID != 0 {
		w.add("id = ", f.ID)
	}
	if f.Owner != "" {
		w.add("owner = ", f.Owner)
	}
	if f.Global {
		w.cond = append(w.cond, "owner = '' AND repo = ''")
	} else if f.Org {
		w.cond = append(w.cond, "repo = ''")
	} else if f.Repo != "" {
		w.add("repo = ", f.Repo)
	}
	if f.URL != "" {
		w.add("url = ", f.URL)
	}
	var (
		list []*hooks.Hook
		n    int
	)
	err := db.view(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM hooks WHERE `+w.sql(), w.args...).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		q := `SELECT ` + hookColumns + ` FROM hooks WHERE ` + w.sql() + ` ORDER BY id`
		args := w.args
		if f.Limit > 0 {
			q += ` LIMIT ` + strconv.Itoa(f.Limit)
		}
		q += ` OFFSET ` + strconv.Itoa(max(f.Offset, 0))
		rows, err := tx.Query(ctx, q, args...)
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
	rows, err := db.pool.Query(ctx, `SELECT `+hookColumns+` FROM hooks
		WHERE (owner = $1 AND (repo = $2 OR repo = '') OR owner = '' AND repo = '') AND active ORDER BY id`, owner, repo)
	if err != nil {
		return nil, wrap("hooks for repository", err)
	}
	list, err := db.scanHooks(rows)
	return list, wrap("hooks for repository", err)
}

// hookLock is the advisory lock namespace that serializes the changes to
// the hooks of one repository, so that GitHub's rules (checked against the
// others) hold when two daemons create hooks at once.
const hookLock = 0x686b // "hk"

// lockRepoHooks takes the advisory lock of owner/repo's hooks until tx ends.
func lockRepoHooks(ctx context.Context, tx pgx.Tx, owner, repo string) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, hookLock, owner+"/"+repo)
	return err
}

// CreateHook validates h, stores it and sets its ID, timestamps and last
// response ("unused"). It fails with EINVALID as the SQLite store does.
func (db *DB) CreateHook(ctx context.Context, h *hooks.Hook) error {
	if err := h.Validate(); err != nil {
		return err
	}
	events, err := json.Marshal(h.Events)
	if err != nil {
		return fmt.Errorf("create hook: %w", err)
	}
	now := db.now()
	err = db.update(ctx, func(tx pgx.Tx) error {
		if err := lockRepoHooks(ctx, tx, h.Owner, h.Repo); err != nil {
			return err
		}
		others, err := siblingHooks(ctx, tx, h.Owner, h.Repo, 0)
		if err != nil {
			return err
		}
		if err := hookrules.CheckCreate(h, others, db.maxHooksPerEvent()); err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO hooks (owner, repo, name, events, active, url,
			content_type, secret, insecure_ssl, created_at, updated_at, last_status, branch_filter, signature, template)
			VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $9, $9, 'unused', $10, $11, $12) RETURNING id`,
			h.Owner, h.Repo, h.Name, string(events), h.Active, h.Config.URL,
			string(h.Config.ContentType), h.Config.InsecureSSL, millis(now),
			h.Config.BranchFilter, h.Config.Signature, hooks.StoredTemplate(h.Config.Template),
		).Scan(&h.ID)
		if err != nil {
			return err
		}
		return db.setSealed(ctx, tx, h)
	})
	if err != nil {
		h.ID = 0
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
	err := db.update(ctx, func(tx pgx.Tx) error {
		var owner, repo string
		if err := tx.QueryRow(ctx, `SELECT owner, repo FROM hooks WHERE id = $1`, id).Scan(&owner, &repo); err != nil {
			return err
		}
		if err := lockRepoHooks(ctx, tx, owner, repo); err != nil {
			return err
		}
		var err error
		if h, err = db.scanHook(tx.QueryRow(ctx, `SELECT `+hookColumns+` FROM hooks WHERE id = $1 FOR UPDATE`, id)); err != nil {
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
		_, err = tx.Exec(ctx, `UPDATE hooks SET name = $1, events = $2, active = $3, url = $4,
			content_type = $5, insecure_ssl = $6, updated_at = $7, branch_filter = $8, signature = $9, template = $10
			WHERE id = $11`,
			h.Name, string(events), h.Active, h.Config.URL, string(h.Config.ContentType),
			h.Config.InsecureSSL, millis(h.UpdatedAt), h.Config.BranchFilter, h.Config.Signature,
			hooks.StoredTemplate(h.Config.Template), h.ID)
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
	tag, err := db.pool.Exec(ctx, `DELETE FROM hooks WHERE id = $1`, id)
	return wrap("delete hook", changedRow(tag, err, errNotFound()))
}

// setHealth stores hook id's health through tx; zero times are stored as
// NULL.
func setHealth(ctx context.Context, tx pgx.Tx, id int64, h hooks.HookHealth) error {
	_, err := tx.Exec(ctx, healthSQL, healthArgs(id, h)...)
	return err
}

// healthSQL stores a hook's health; healthArgs are its arguments.
const healthSQL = `UPDATE hooks SET fail_streak = $1, failing_since = $2, breaker_until = $3, breaker_trips = $4
	WHERE id = $5`

// healthArgs returns healthSQL's arguments for hook id's health h.
func healthArgs(id int64, h hooks.HookHealth) []any {
	return []any{h.Failures, optMillis(h.FailingSince), optMillis(h.OpenUntil), h.Trips, id}
}

// optMillis returns t as nullable ms: nil for the zero time.
func optMillis(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	ms := millis(t)
	return &ms
}

// siblingHooks returns the hooks of owner/repo other than the hook except.
func siblingHooks(ctx context.Context, tx pgx.Tx, owner, repo string, except int64) ([]hookrules.Sibling, error) {
	rows, err := tx.Query(ctx, `SELECT id, url, events FROM hooks
		WHERE owner = $1 AND repo = $2 AND id <> $3 ORDER BY id`, owner, repo, except)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return hookrules.ScanSiblings(rows)
}

func (db *DB) scanHooks(rows pgx.Rows) ([]*hooks.Hook, error) {
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

// scanHook reads one row of hookColumns and opens the hook's secret and
// headers.
func (db *DB) scanHook(s pgx.Row) (*hooks.Hook, error) {
	var (
		h                hooks.Hook
		events, secret   string
		headers          string
		contentType      string
		tmpl             string
		sealed           bool
		created, updated int64
		code             *int
		message          *string
		since, open      *int64
	)
	err := s.Scan(&h.ID, &h.Owner, &h.Repo, &h.Name, &events, &h.Active, &h.Config.URL,
		&contentType, &secret, &sealed, &h.Config.InsecureSSL, &created, &updated,
		&code, &h.LastResponse.Status, &message, &h.Config.BranchFilter, &headers, &h.Config.Signature, &tmpl,
		&h.Health.Failures, &since, &open, &h.Health.Trips)
	if err != nil {
		return nil, err
	}
	h.Config.ContentType = hooks.ContentType(contentType)
	if h.Config.Secret, err = sealing.Open(db.Secrets, h.ID, secret, sealed); err != nil {
		return nil, err
	}
	if h.Config.Headers, err = sealing.OpenHeaders(db.Secrets, h.ID, headers); err != nil {
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
	if code != nil {
		h.LastResponse.Code = *code
	}
	if message != nil {
		h.LastResponse.Message = *message
	}
	h.Health.FailingSince, h.Health.OpenUntil = nullMillis(since), nullMillis(open)
	return &h, nil
}

// where builds a WHERE clause with numbered placeholders.
type where struct {
	cond []string
	args []any
}

// add adds the condition expr $n, with arg as $n.
func (w *where) add(expr string, arg any) {
	w.args = append(w.args, arg)
	w.cond = append(w.cond, expr+"$"+strconv.Itoa(len(w.args)))
}

func (w *where) sql() string {
	if len(w.cond) == 0 {
		return "true"
	}
	return strings.Join(w.cond, " AND ")
}

// view runs fn in a read-only transaction, which sees one snapshot.
func (db *DB) view(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	return fn(tx)
}
