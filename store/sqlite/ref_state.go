package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/forgehook/forgehook/hooks"
)

var _ hooks.RefStates = (*DB)(nil)

// previousPush is the id of the push to gitDir recorded just before push
// pushID, or 0: the push after which a state valid for pushID was kept.
const previousPush = `(SELECT coalesce(max(id), 0) FROM pushes WHERE git_dir = ?1 AND id < ?2)`

// RefState returns the refs of gitDir just before push pushID, if the kept
// state is that of just after the push recorded before it (or of before
// any push, for the first one).
func (db *DB) RefState(ctx context.Context, gitDir string, pushID int64) (map[string]string, bool, error) {
	var ok bool
	err := db.read.QueryRowContext(ctx, `SELECT after_push = `+previousPush+`
		FROM ref_states WHERE git_dir = ?1`, gitDir, pushID).Scan(&ok)
	if err == sql.ErrNoRows || err == nil && !ok {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, wrap("ref state", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT ref, object FROM ref_state_refs WHERE git_dir = ?`, gitDir)
	if err != nil {
		return nil, false, wrap("ref state", err)
	}
	defer rows.Close()
	refs := map[string]string{}
	for rows.Next() {
		var ref, object string
		if err := rows.Scan(&ref, &object); err != nil {
			return nil, false, wrap("ref state", err)
		}
		refs[ref] = object
	}
	return refs, true, wrap("ref state", rows.Err())
}

// SeedRefState keeps refs as the state of gitDir just before push pushID.
func (db *DB) SeedRefState(ctx context.Context, gitDir string, pushID int64, refs map[string]string) error {
	err := db.update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ref_states (git_dir, after_push) VALUES (?1, `+previousPush+`)
			ON CONFLICT (git_dir) DO UPDATE SET after_push = excluded.after_push`, gitDir, pushID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM ref_state_refs WHERE git_dir = ?`, gitDir); err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO ref_state_refs (git_dir, ref, object) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for ref, object := range refs {
			if _, err := ins.ExecContext(ctx, gitDir, ref, object); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("seed ref state", err)
}

// LaterPushes returns the ref updates of the pushes to gitDir recorded after
// push pushID, oldest first: whatever state they are in, git applied them.
func (db *DB) LaterPushes(ctx context.Context, gitDir string, pushID int64) ([][]hooks.RefUpdate, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, updates FROM pushes WHERE git_dir = ? AND id > ? ORDER BY id`,
		gitDir, pushID)
	if err != nil {
		return nil, wrap("later pushes", err)
	}
	defer rows.Close()
	var out [][]hooks.RefUpdate
	for rows.Next() {
		var id int64
		var b string
		if err := rows.Scan(&id, &b); err != nil {
			return nil, wrap("later pushes", err)
		}
		var ups []hooks.RefUpdate
		if err := json.Unmarshal([]byte(b), &ups); err != nil {
			return nil, fmt.Errorf("later pushes: push %d: updates: %w", id, err)
		}
		out = append(out, ups)
	}
	return out, wrap("later pushes", rows.Err())
}

// advanceRefState moves the kept ref state of p's repository past p, if it
// is that of just before p; otherwise the next push seeds it again.
func advanceRefState(ctx context.Context, tx *sql.Tx, p *hooks.Push) error {
	res, err := tx.ExecContext(ctx, `UPDATE ref_states SET after_push = ?2
		WHERE git_dir = ?1 AND after_push = `+previousPush, p.GitDir, p.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	for _, u := range p.Updates {
		q, args := `INSERT INTO ref_state_refs (git_dir, ref, object) VALUES (?, ?, ?)
			ON CONFLICT (git_dir, ref) DO UPDATE SET object = excluded.object`, []any{p.GitDir, u.Ref, u.After}
		if u.Deleted() {
			q, args = `DELETE FROM ref_state_refs WHERE git_dir = ? AND ref = ?`, []any{p.GitDir, u.Ref}
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}
