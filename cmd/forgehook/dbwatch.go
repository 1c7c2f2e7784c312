package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"syscall"

	"github.com/forgehook/forgehook/store/sqlite"
)

// dbWatch notices the database file being deleted or replaced under the
// running daemon. The daemon keeps using the file it opened, so pushes
// recorded at the path from then on would go where it never reads: it
// refuses to go on silently. Health fails with the reason and one ERROR
// line says what happened and what to do; the spools are not drained into
// the old file (the hook spools instead of creating a new database).
// Reopening another file under a running daemon would be a surprise, so it
// takes a restart.
type dbWatch struct {
	path   string
	id     fileID // of the file the daemon opened
	logger *slog.Logger

	mu     sync.Mutex
	failed bool // the last check failed; guarded by mu
}

// fileID identifies a file: its device and inode.
type fileID struct{ dev, ino uint64 }

func statID(path string) (fileID, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileID{}, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, errors.New("no device and inode")
	}
	return fileID{dev: uint64(st.Dev), ino: st.Ino}, nil
}

// newDBWatch watches the database at path, which the daemon has opened.
func newDBWatch(path string, logger *slog.Logger) (*dbWatch, error) {
	id, err := statID(path)
	if err != nil {
		return nil, fmt.Errorf("watch database: %w", err)
	}
	return &dbWatch{path: path, id: id, logger: logger}, nil
}

// Check returns nil while the database path still names the file the
// daemon opened, and otherwise what happened. It logs one ERROR line when
// the problem appears, and one INFO line if it goes away.
func (w *dbWatch) Check(context.Context) error {
	id, err := statID(w.path)
	var problem error
	restart := fmt.Sprintf("pushes are kept in %s meanwhile; restart forgehook serve to open the file now at the path (a new empty database if there is none) and deliver them",
		sqlite.SpoolDir(w.path))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		problem = fmt.Errorf("database %s was deleted under the running daemon, which still uses the deleted file: restore it (or not) and %s", w.path, restart)
	case err != nil:
		problem = fmt.Errorf("database %s cannot be checked: %v", w.path, err)
	case id != w.id:
		problem = fmt.Errorf("database %s was replaced under the running daemon (inode %d, now %d), which still uses the old file: %s", w.path, w.id.ino, id.ino, restart)
	}
	w.mu.Lock()
	was := w.failed
	w.failed = problem != nil
	w.mu.Unlock()
	switch {
	case problem != nil && !was:
		w.logger.Error(problem.Error())
	case problem == nil && was:
		w.logger.Info("database file is the daemon's again", "db", w.path)
	}
	return problem
}
