package postgres

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/internal/apitoken"
)

var _ hooks.Tokens = (*DB)(nil)

// CreateToken makes a new random API token for login, allowed to administer
// repos ("owner/name" or "owner/*"; none means every repository), and returns
// it. Only its sha256 is stored.
func (db *DB) CreateToken(ctx context.Context, login string, repos []string) (string, error) {
	if login == "" {
		return "", hooks.Invalid("Token", "login", "missing_field", "Login must not be empty")
	}
	if repos == nil {
		repos = []string{}
	}
	reposJSON, err := json.Marshal(repos)
	if err != nil {
		return "", wrap("create token", err)
	}
	token, err := apitoken.New()
	if err != nil {
		return "", wrap("create token", err)
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO tokens (hash, login, repos, created_at) VALUES ($1, $2, $3, $4)`,
		apitoken.Hash(token), login, string(reposJSON), millis(db.now()))
	if err != nil {
		return "", wrap("create token", err)
	}
	return token, nil
}

// Authenticate returns the principal that owns token, or EUNAUTHORIZED ("Bad
// credentials"). When the token was last used is recorded to the minute, in
// the same call: PostgreSQL's row locks make that write cheap and never
// wait on another process's writes. A failing write does not fail the call.
func (db *DB) Authenticate(ctx context.Context, token string) (*hooks.Principal, error) {
	if !apitoken.WellFormed(token) {
		return nil, errBadCredentials()
	}
	var (
		id       int64
		p        hooks.Principal
		repos    string
		lastUsed *int64
	)
	err := db.pool.QueryRow(ctx, `SELECT id, login, repos, last_used_at FROM tokens WHERE hash = $1`,
		apitoken.Hash(token)).Scan(&id, &p.Login, &repos, &lastUsed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errBadCredentials()
	} else if err != nil {
		return nil, wrap("authenticate", err)
	}
	if err := json.Unmarshal([]byte(repos), &p.Repos); err != nil {
		return nil, wrap("authenticate", err)
	}
	now := db.now()
	if stale := now.Add(-apitoken.LastUsedResolution); lastUsed == nil || fromMillis(*lastUsed).Before(stale) {
		_, _ = db.pool.Exec(ctx, `UPDATE tokens SET last_used_at = $1
			WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)`, millis(now), id, millis(stale))
	}
	return &p, nil
}

// ListTokens returns every API token, oldest first, without the token or
// its hash.
func (db *DB) ListTokens(ctx context.Context) ([]*hooks.Token, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, login, repos, created_at, last_used_at FROM tokens ORDER BY id`)
	if err != nil {
		return nil, wrap("list tokens", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*hooks.Token, error) {
		var (
			t        hooks.Token
			repos    string
			created  int64
			lastUsed *int64
		)
		if err := r.Scan(&t.ID, &t.Login, &repos, &created, &lastUsed); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(repos), &t.Repos); err != nil {
			return nil, err
		}
		t.CreatedAt, t.LastUsedAt = fromMillis(created), nullMillis(lastUsed)
		return &t, nil
	})
	return list, wrap("list tokens", err)
}

// RevokeToken deletes token id, so that it no longer authenticates, or
// returns ENOTFOUND.
func (db *DB) RevokeToken(ctx context.Context, id int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM tokens WHERE id = $1`, id)
	return wrap("revoke token", changedRow(tag, err, errNotFound()))
}

func errBadCredentials() error { return hooks.Errorf(hooks.EUNAUTHORIZED, "Bad credentials") }
