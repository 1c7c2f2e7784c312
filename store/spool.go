package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/forgehook/forgehook/hooks"
)

// A spool is a directory of pushes the post-receive hook could not write to
// the database (busy past the busy timeout, read-only, full, deleted): one
// file per push, written atomically, each with an id. The daemon drains
// spools into the database in file-name order, which is the order the pushes
// were received in.

// SpoolDir returns the spool beside the database at dbPath.
func SpoolDir(dbPath string) string { return dbPath + ".spool" }

// RepoSpoolDir returns the spool inside the repository at gitDir: the
// fallback when SpoolDir cannot be written.
func RepoSpoolDir(gitDir string) string { return filepath.Join(gitDir, "forgehook-spool") }

// Modes of spools and their files: like the database, owner and group only.
const (
	spoolDirMode  fs.FileMode = 0o770
	spoolFileMode fs.FileMode = 0o660
	spoolExt                  = ".push"
	drainBatch                = 256 // spooled pushes recorded per transaction
)

// spooledPush is the content of one spool file.
type spooledPush struct {
	ID         string            `json:"id"`
	GitDir     string            `json:"git_dir"`
	Pusher     string            `json:"pusher"`
	Updates    []hooks.RefUpdate `json:"updates"`
	ReceivedAt int64             `json:"received_at"` // unix milliseconds
}

// SpoolPush writes p to a new file in dir and returns its path. dir is
// created (mode 0770, in its parent's group) if missing; the file (0660) is
// written to a temporary name, synced and renamed, so a reader sees it whole
// or not at all. A permission problem is reported as an *AccessError.
func SpoolPush(dir string, p *hooks.Push) (string, error) {
	gid, err := makeSpoolDir(dir)
	if err != nil {
		return "", ExplainAccess(dir, fmt.Errorf("spool push: %w", err))
	}
	sp := spooledPush{ID: hooks.NewGUID(), GitDir: p.GitDir, Pusher: p.Pusher, Updates: p.Updates,
		ReceivedAt: millis(p.ReceivedAt)}
	b, err := json.Marshal(sp)
	if err != nil {
		return "", fmt.Errorf("spool push: %w", err)
	}
	path := filepath.Join(dir, fmt.Sprintf("%016x-%s%s", p.ReceivedAt.UnixNano(), sp.ID, spoolExt))
	if err := writeAtomic(path, b, gid); err != nil {
		return "", ExplainAccess(path, fmt.Errorf("spool push: %w", err))
	}
	return path, nil
}

// makeSpoolDir creates dir if needed and returns the group its files get.
func makeSpoolDir(dir string) (gid int, err error) {
	if err := os.Mkdir(dir, spoolDirMode); err == nil {
		// Whatever the umask; the group of the parent, where the database is
		// shared (best effort: a setgid parent gives it anyway).
		if fi, err := os.Stat(filepath.Dir(dir)); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				_ = os.Chown(dir, -1, int(st.Gid))
			}
		}
		if err := os.Chmod(dir, spoolDirMode|fs.ModeSetgid); err != nil {
			return 0, err
		}
	} else if !errors.Is(err, fs.ErrExist) {
		return 0, err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return 0, err
	}
	if !fi.IsDir() {
		return 0, fmt.Errorf("%s is not a directory", dir)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return -1, nil
	}
	return int(st.Gid), nil
}

// writeAtomic writes b to path through a synced temporary file in the same
// directory, then syncs the directory.
func writeAtomic(path string, b []byte, gid int) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if gid >= 0 {
		_ = f.Chown(-1, gid) // the daemon may be another user of the group
	}
	if err := f.Chmod(spoolFileMode); err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes the entries of dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Pending reports whether dir holds spooled pushes. A missing dir costs one
// failed open.
func Pending(dir string) bool {
	d, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer d.Close()
	for {
		names, err := d.Readdirnames(64)
		for _, n := range names {
			if strings.HasSuffix(n, spoolExt) {
				return true
			}
		}
		if err != nil {
			return false
		}
	}
}

// DrainSpool records the pushes spooled in dir, oldest first, as queued
// pushes, and removes each file once the transaction that recorded it has
// committed. A push whose id was recorded before (its file outlived a
// crash) is not recorded again, only removed. A file that cannot be read as
// a spooled push is renamed to NAME.bad and reported in the error; the
// others are still drained. It returns how many pushes it recorded.
func (db *DB) DrainSpool(ctx context.Context, dir string) (int, error) {
	names, err := spoolFiles(dir)
	if err != nil || len(names) == 0 {
		return 0, err
	}
	var total int
	var bad []error
	for batch := range slices.Chunk(names, drainBatch) {
		var paths []string
		var pushes []spooledPush
		for _, name := range batch {
			path := filepath.Join(dir, name)
			sp, err := readSpooled(path)
			if err != nil {
				bad = append(bad, err)
				_ = os.Rename(path, path+".bad")
				continue
			}
			paths, pushes = append(paths, path), append(pushes, sp)
		}
		n, err := db.recordSpooled(ctx, pushes)
		if err != nil {
			return total, errors.Join(append(bad, fmt.Errorf("drain spool %s: %w", dir, err))...)
		}
		total += n
		for _, p := range paths {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				bad = append(bad, fmt.Errorf("drain spool: %w", err))
			}
		}
		_ = syncDir(dir)
	}
	return total, errors.Join(bad...)
}

// spoolFiles returns the names of the spooled pushes in dir, in order; none
// if dir does not exist.
func spoolFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, ExplainAccess(dir, fmt.Errorf("drain spool: %w", err))
	}
	var names []string
	for _, e := range entries { // ReadDir sorts by name
		if strings.HasSuffix(e.Name(), spoolExt) && e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// readSpooled reads and checks one spool file.
func readSpooled(path string) (spooledPush, error) {
	var sp spooledPush
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, &sp)
	}
	if err == nil && (sp.ID == "" || sp.GitDir == "") {
		err = errors.New("no id or git dir")
	}
	if err != nil {
		return sp, fmt.Errorf("spooled push %s (renamed to .bad): %w", path, err)
	}
	return sp, nil
}

// recordSpooled records, in one transaction, each of list whose id was not
// recorded before, and returns how many it recorded.
func (db *DB) recordSpooled(ctx context.Context, list []spooledPush) (int, error) {
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
			p := &hooks.Push{GitDir: sp.GitDir, Pusher: sp.Pusher, Updates: sp.Updates, ReceivedAt: fromMillis(sp.ReceivedAt)}
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
