package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

var _ hooks.Tokens = (*DB)(nil)

// Tokens are TokenPrefix followed by 40 hex digits (160 random bits).
const (
	TokenPrefix = "fh_"
	tokenLength = len(TokenPrefix) + 40
)

// lastUsedResolution is how stale a token's last-used time may get: an
// authenticated request writes it at most this often.
const lastUsedResolution = time.Minute

// CreateToken makes a new random API token for login, allowed to administer
// repos ("owner/name" or "owner/*"; none means every repository), and returns
// it. Only its sha256 is stored: the token cannot be shown again.
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
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", wrap("create token", err)
	}
	token := TokenPrefix + hex.EncodeToString(b[:])
	err = db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO tokens (hash, login, repos, created_at)
			VALUES (?, ?, ?, ?)`, hashToken(token), login, string(reposJSON), millis(db.now()))
		return err
	})
	if err != nil {
		return "", wrap("create token", err)
	}
	return token, nil
}

// Authenticate returns the principal that owns token, or EUNAUTHORIZED ("Bad
// credentials"). It records when the token was last used, to the minute.
func (db *DB) Authenticate(ctx context.Context, token string) (*hooks.Principal, error) {
	if len(token) != tokenLength || !strings.HasPrefix(token, TokenPrefix) {
		return nil, errBadCredentials()
	}
	var (
		id       int64
		p        hooks.Principal
		repos    string
		lastUsed sql.NullInt64
	)
	err := db.read.QueryRowContext(ctx, `SELECT id, login, repos, last_used_at FROM tokens
		WHERE hash = ?`, hashToken(token)).Scan(&id, &p.Login, &repos, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errBadCredentials()
	} else if err != nil {
		return nil, wrap("authenticate", err)
	}
	if err := json.Unmarshal([]byte(repos), &p.Repos); err != nil {
		return nil, wrap("authenticate", err)
	}
	now := db.now()
	if stale := now.Add(-lastUsedResolution); !lastUsed.Valid || fromMillis(lastUsed.Int64).Before(stale) {
		err := db.update(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE tokens SET last_used_at = ?
				WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`, millis(now), id, millis(stale))
			return err
		})
		if err != nil {
			return nil, wrap("authenticate: record use", err)
		}
	}
	return &p, nil
}

// ListTokens returns every API token, oldest first, without the token or
// its hash.
func (db *DB) ListTokens(ctx context.Context) ([]*hooks.Token, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, login, repos, created_at, last_used_at
		FROM tokens ORDER BY id`)
	if err != nil {
		return nil, wrap("list tokens", err)
	}
	defer rows.Close()
	var list []*hooks.Token
	for rows.Next() {
		var (
			t        hooks.Token
			repos    string
			created  int64
			lastUsed sql.NullInt64
		)
		if err := rows.Scan(&t.ID, &t.Login, &repos, &created, &lastUsed); err != nil {
			return nil, wrap("list tokens", err)
		}
		if err := json.Unmarshal([]byte(repos), &t.Repos); err != nil {
			return nil, wrap("list tokens", err)
		}
		t.CreatedAt, t.LastUsedAt = fromMillis(created), nullMillis(lastUsed)
		list = append(list, &t)
	}
	return list, wrap("list tokens", rows.Err())
}

// RevokeToken deletes token id, so that it no longer authenticates, or
// returns ENOTFOUND.
func (db *DB) RevokeToken(ctx context.Context, id int64) error {
	err := db.update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE id = ?`, id)
		return changedRow(res, err, errNotFound())
	})
	return wrap("revoke token", err)
}

func errBadCredentials() error { return hooks.Errorf(hooks.EUNAUTHORIZED, "Bad credentials") }

// hashToken returns the hex sha256 of token, as stored.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
