package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Backup pacing: pages copied per step, and the pause between steps in
// which the daemon and the hook write. A write by another connection makes
// SQLite start the copy over; after backupRestarts of those, the rest is
// copied in one step, which in WAL mode holds a read snapshot only and
// still lets writers go on.
var (
	backupStepPages = 256
	backupPause     = 10 * time.Millisecond
	backupRestarts  = 5
)

// backupMode is the mode of a backup: it holds hook secrets and payloads.
const backupMode = 0o600

// Backup writes a consistent copy of the database to path with SQLite's
// online backup API, a few hundred pages at a time, while other connections
// and processes go on writing. The copy is made in a temporary file beside
// path with mode 0600, synced, and renamed over path, so path is either
// absent, the old file, or the whole copy. progress, if not nil, is called
// after each step with the pages copied and the pages in all.
func (db *DB) Backup(ctx context.Context, path string, progress func(done, total int)) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	name := tmp.Name()
	defer func() {
		if err != nil {
			os.Remove(name)
		}
	}()
	err = errors.Join(tmp.Chmod(backupMode), tmp.Close())
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := db.copyTo(ctx, name, progress); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := syncFile(name); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := syncFile(filepath.Dir(path)); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// copyTo runs the backup into the empty database file at path. The copy
// needs no journal: a failed copy is deleted.
func (db *DB) copyTo(ctx context.Context, path string, progress func(done, total int)) error {
	dst, err := sql.Open("sqlite3", dsn(path, "_journal_mode=OFF&_synchronous=OFF"))
	if err != nil {
		return err
	}
	defer dst.Close()
	dconn, err := dst.Conn(ctx)
	if err != nil {
		return err
	}
	defer dconn.Close()
	sconn, err := db.read.Conn(ctx)
	if err != nil {
		return err
	}
	defer sconn.Close()
	err = dconn.Raw(func(d any) error {
		return sconn.Raw(func(s any) error {
			bk, err := d.(*sqlite3.SQLiteConn).Backup("main", s.(*sqlite3.SQLiteConn), "main")
			if err != nil {
				return err
			}
			if err := stepBackup(ctx, bk, progress); err != nil {
				bk.Close()
				return err
			}
			return bk.Finish()
		})
	})
	if err != nil {
		return err
	}
	return errors.Join(dconn.Close(), dst.Close())
}

// stepBackup copies bk's pages step by step until it is done.
func stepBackup(ctx context.Context, bk *sqlite3.SQLiteBackup, progress func(done, total int)) error {
	restarts, last := 0, -1
	for {
		pages := backupStepPages
		if restarts >= backupRestarts {
			pages = -1 // all that is left, from one snapshot
		}
		done, err := bk.Step(pages)
		if err != nil {
			return err
		}
		left, total := bk.Remaining(), bk.PageCount()
		if progress != nil {
			progress(total-left, total)
		}
		if done {
			return nil
		}
		if last >= 0 && left >= last {
			restarts++ // another connection wrote: the copy started over
		}
		last = left
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backupPause):
		}
	}
}

// syncFile flushes the file or directory at path to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}
