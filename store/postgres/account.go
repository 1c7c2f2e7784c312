package postgres

import (
	"context"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

var _ hooks.AccountService = (*DB)(nil)

// EnsureAccount returns the account for login, creating it if needed. Logins
// are exact (case-sensitive). Org is true when the account owns an
// organization hook.
func (db *DB) EnsureAccount(ctx context.Context, login string) (*hooks.Account, error) {
	if login == "" {
		return nil, hooks.Invalid("Account", "login", "missing_field", "Login must not be empty")
	}
	if _, err := db.pool.Exec(ctx, `INSERT INTO accounts (login, created_at) VALUES ($1, $2)
		ON CONFLICT (login) DO NOTHING`, login, millis(db.now())); err != nil {
		return nil, wrap("ensure account", err)
	}
	var a hooks.Account
	var created int64
	err := db.pool.QueryRow(ctx, `SELECT id, login, created_at,
		EXISTS (SELECT 1 FROM hooks WHERE hooks.owner = accounts.login AND hooks.repo = '')
		FROM accounts WHERE login = $1`, login).Scan(&a.ID, &a.Login, &created, &a.Org)
	if err != nil {
		return nil, wrap("ensure account", err)
	}
	a.CreatedAt = fromMillis(created)
	return &a, nil
}

// EnsureRepo returns the id and first-seen time of owner/name, recording it
// if needed. Names are exact (case-sensitive), as repositories on disk are.
func (db *DB) EnsureRepo(ctx context.Context, owner, name string) (int64, time.Time, error) {
	if owner == "" || name == "" {
		return 0, time.Time{}, hooks.Invalid("Repository", "name", "missing_field", "Owner and name must not be empty")
	}
	if _, err := db.pool.Exec(ctx, `INSERT INTO repos (owner, name, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (owner, name) DO NOTHING`, owner, name, millis(db.now())); err != nil {
		return 0, time.Time{}, wrap("ensure repository", err)
	}
	var id, created int64
	err := db.pool.QueryRow(ctx, `SELECT id, created_at FROM repos WHERE owner = $1 AND name = $2`,
		owner, name).Scan(&id, &created)
	if err != nil {
		return 0, time.Time{}, wrap("ensure repository", err)
	}
	return id, fromMillis(created), nil
}
