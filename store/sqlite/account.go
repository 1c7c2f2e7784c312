package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

var _ hooks.AccountService = (*DB)(nil)

// An account is an organization when it owns an organization hook.
const accountQuery = `SELECT id, login, created_at,
	EXISTS (SELECT 1 FROM hooks WHERE hooks.owner = accounts.login AND hooks.repo = '')
	FROM accounts WHERE login = ?`

// EnsureAccount returns the account for login, creating it if needed. Logins
// are exact (case-sensitive). Org is true when the account owns an
// organization hook.
func (db *DB) EnsureAccount(ctx context.Context, login string) (*hooks.Account, error) {
	if login == "" {
		return nil, hooks.Invalid("Account", "login", "missing_field", "Login must not be empty")
	}
	a, err := scanAccount(db.read.QueryRowContext(ctx, accountQuery, login))
	if !errors.Is(err, sql.ErrNoRows) {
		return a, wrap("find account", err)
	}
	err = db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO accounts (login, created_at) VALUES (?, ?)
			ON CONFLICT (login) DO NOTHING`, login, millis(db.now()))
		if err != nil {
			return err
		}
		a, err = scanAccount(tx.QueryRowContext(ctx, accountQuery, login))
		return err
	})
	return a, wrap("create account", err)
}

func scanAccount(row *sql.Row) (*hooks.Account, error) {
	var a hooks.Account
	var created int64
	if err := row.Scan(&a.ID, &a.Login, &created, &a.Org); err != nil {
		return nil, err
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
	const query = `SELECT id, created_at FROM repos WHERE owner = ? AND name = ?`
	var id, created int64
	err := db.read.QueryRowContext(ctx, query, owner, name).Scan(&id, &created)
	if errors.Is(err, sql.ErrNoRows) {
		err = db.update(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO repos (owner, name, created_at) VALUES (?, ?, ?)
				ON CONFLICT (owner, name) DO NOTHING`, owner, name, millis(db.now()))
			if err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, query, owner, name).Scan(&id, &created)
		})
	}
	if err != nil {
		return 0, time.Time{}, wrap("ensure repository", err)
	}
	return id, fromMillis(created), nil
}
