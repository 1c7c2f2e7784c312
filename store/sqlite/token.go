package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/internal/apitoken"
)

var _ hooks.Tokens = (*DB)(nil)

// TokenPrefix starts every token; 40 hex digits (160 random bits) follow.
const TokenPrefix = apitoken.Prefix

// lastUsedResolution is how stale a token's last-used time may get.
const lastUsedResolution = apitoken.LastUsedResolution

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
	token, err := apitoken.New()
	if err != nil {
		return "", wrap("create token", err)
	}
	err = db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO tokens (hash, login, repos, created_at)
			VALUES (?, ?, ?, ?)`, apitoken.Hash(token), login, string(reposJSON), millis(db.now()))
		return err
	})
	if err != nil {
		return "", wrap("create token", err)
	}
	return token, nil
}

// Authenticate returns the principal that owns token, or EUNAUTHORIZED ("Bad
// credentials"). It only reads, so it neither waits for nor fails on a
// write-locked database; when the token was last used is recorded to the
// minute in the background (see recordUse).
func (db *DB) Authenticate(ctx context.Context, token string) (*hooks.Principal, error) {
	if !apitoken.WellFormed(token) {
		return nil, errBadCredentials()
	}
	var (
		id       int64
		p        hooks.Principal
		repos    string
		lastUsed sql.NullInt64
	)
	err := db.read.QueryRowContext(ctx, `SELECT id, login, repos, last_used_at FROM tokens
		WHERE hash = ?`, apitoken.Hash(token)).Scan(&id, &p.Login, &repos, &lastUsed)
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
		db.recordUse(id, now, stale)
	}
	return &p, nil
}

// tokenUses tracks the tokens' last-used writes: at most one in flight per
// token, with the newest use made meanwhile queued behind it. Close waits
// for them.
type tokenUses struct {
	mu      sync.Mutex
	running map[int64]bool
	next    map[int64]tokenUse
	wg      sync.WaitGroup
}

// tokenUse is a use to record: at now, if the last one is older than stale.
type tokenUse struct{ now, stale time.Time }

// recordUse records in the background that token id was used at now, if
// its last use is older than stale. It is bookkeeping: uses made while the
// token's write is in flight coalesce into one write of the newest, and a
// write that fails, because another process held the write lock past the
// busy timeout, say, is given up.
func (db *DB) recordUse(id int64, now, stale time.Time) {
	u := &db.uses
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.running[id] {
		if u.next == nil {
			u.next = map[int64]tokenUse{}
		}
		// A queued use within the minute stands, as a stored one would.
		if q, ok := u.next[id]; !ok || q.now.Before(stale) {
			u.next[id] = tokenUse{now, stale}
		}
		return
	}
	if u.running == nil {
		u.running = map[int64]bool{}
	}
	u.running[id] = true
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		for use := (tokenUse{now, stale}); ; {
			db.writeUse(id, use)
			u.mu.Lock()
			next, ok := u.next[id]
			delete(u.next, id)
			if !ok {
				delete(u.running, id)
			}
			u.mu.Unlock()
			if !ok {
				return
			}
			use = next
		}
	}()
}

// writeUse writes one use of token id, waiting no longer than the busy
// timeout; an error is dropped (see recordUse).
func (db *DB) writeUse(id int64, use tokenUse) {
	ctx, cancel := context.WithTimeout(context.Background(), busyTimeout)
	defer cancel()
	_ = db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE tokens SET last_used_at = ?
			WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`, millis(use.now), id, millis(use.stale))
		return err
	})
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
