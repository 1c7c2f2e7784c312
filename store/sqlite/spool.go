package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/internal/spoolfile"
)

var _ hooks.SpoolDrainer = (*DB)(nil)

// A spool is a directory of pushes the post-receive hook could not write to
// the database (see package store/internal/spoolfile). The daemon drains
// spools into the database in file-name order, which is the order the pushes
// were received in.

// SpoolDir returns the spool beside the database at dbPath.
func SpoolDir(dbPath string) string { return dbPath + ".spool" }

// RepoSpoolDir returns the spool inside the repository at gitDir: the
// fallback when SpoolDir cannot be written.
func RepoSpoolDir(gitDir string) string { return filepath.Join(gitDir, "forgehook-spool") }

// SpoolPush writes p to a new file in dir and returns its path. dir is
// created (mode 0770, in its parent's group) if missing; the file (0660) is
// written to a temporary name, synced and renamed, so a reader sees it whole
// or not at all. A permission problem is reported as an *AccessError.
func SpoolPush(dir string, p *hooks.Push) (string, error) {
	path, err := spoolfile.Write(dir, p)
	if err != nil {
		if path == "" {
			path = dir
		}
		return "", ExplainAccess(path, fmt.Errorf("spool push: %w", err))
	}
	return path, nil
}

// Pending reports whether dir holds spooled pushes. A missing dir costs one
// failed open.
func Pending(dir string) bool { return spoolfile.Pending(dir) }

// DrainSpool records the pushes spooled in dir, oldest first, as queued
// pushes, and removes each file once the transaction that recorded it has
// committed. A push whose id was recorded before (its file outlived a
// crash) is not recorded again, only removed. A file that cannot be read as
// a spooled push is renamed to NAME.bad and reported in the error; the
// others are still drained. It returns how many pushes it recorded.
func (db *DB) DrainSpool(ctx context.Context, dir string) (int, error) {
	n, err := spoolfile.Drain(ctx, dir, db.recordSpooled)
	return n, ExplainAccess(dir, err)
}

// recordSpooled records, in one transaction, each of list whose id was not
// recorded before, and returns how many it recorded.
func (db *DB) recordSpooled(ctx context.Context, list []spoolfile.Push) (int, error) {
	var n int
	err := db.update(ctx, func(tx *sql.Tx) error {
		n = 0 // a retried transaction starts over
		now := db.now()
		for _, sp := range list {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM spooled_pushes WHERE id = ?`, sp.ID).Scan(&one)
			if err == nil {
				continue // recorded by an earlier drain
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			p := sp.Push()
			if err := insertPush(ctx, tx, p, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO spooled_pushes (id, push_id, drained_at) VALUES (?, ?, ?)`,
				sp.ID, p.ID, millis(now)); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
