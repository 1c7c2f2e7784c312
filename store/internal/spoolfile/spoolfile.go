// Package spoolfile is the spool of pushes the post-receive hook could not
// write to the database (busy past the busy timeout, read-only, full,
// deleted, unreachable): a directory with one file per push, written
// atomically, each with an id. Both stores drain spools with Drain, each
// recording the pushes in its own transaction; the files are named so that
// name order is the order the pushes were received in.
package spoolfile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// Modes of spools and their files: like the database, owner and group only.
const (
	dirMode  fs.FileMode = 0o770
	fileMode fs.FileMode = 0o660
	ext                  = ".push"
	batch                = 256 // spooled pushes recorded per transaction
)

// Push is one spooled push: the push and the id that makes a file drained
// twice (after a crash between the commit and the remove) recorded once.
type Push struct {
	ID         string            `json:"id"`
	GitDir     string            `json:"git_dir"`
	Pusher     string            `json:"pusher"`
	Updates    []hooks.RefUpdate `json:"updates"`
	ReceivedAt int64             `json:"received_at"` // unix milliseconds
}

// Push returns the push sp holds, to be recorded as queued.
func (sp Push) Push() *hooks.Push {
	return &hooks.Push{GitDir: sp.GitDir, Pusher: sp.Pusher, Updates: sp.Updates,
		ReceivedAt: time.UnixMilli(sp.ReceivedAt).UTC()}
}

// Write writes p to a new file in dir and returns its path. dir is created
// (mode 0770, in its parent's group) if missing; the file (0660) is written
// to a temporary name, synced and renamed, so a reader sees it whole or not
// at all.
func Write(dir string, p *hooks.Push) (string, error) {
	gid, err := makeDir(dir)
	if err != nil {
		return "", err
	}
	sp := Push{ID: hooks.NewGUID(), GitDir: p.GitDir, Pusher: p.Pusher, Updates: p.Updates,
		ReceivedAt: p.ReceivedAt.UnixMilli()}
	b, err := json.Marshal(sp)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("%016x-%s%s", p.ReceivedAt.UnixNano(), sp.ID, ext))
	if err := writeAtomic(path, b, gid); err != nil {
		return path, err
	}
	return path, nil
}

// makeDir creates dir if needed and returns the group its files get.
func makeDir(dir string) (gid int, err error) {
	if err := os.Mkdir(dir, dirMode); err == nil {
		// Whatever the umask; the group of the parent, where the database is
		// shared (best effort: a setgid parent gives it anyway).
		if fi, err := os.Stat(filepath.Dir(dir)); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				_ = os.Chown(dir, -1, int(st.Gid))
			}
		}
		if err := os.Chmod(dir, dirMode|fs.ModeSetgid); err != nil {
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
	if err := f.Chmod(fileMode); err != nil {
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
			if strings.HasSuffix(n, ext) {
				return true
			}
		}
		if err != nil {
			return false
		}
	}
}

// Drain reads the pushes spooled in dir, oldest first, and hands them to
// record a batch at a time; record records, in one transaction, those whose
// id it has not recorded before and returns how many it recorded. Each file
// is removed once record has returned without error. A file that cannot be
// read as a spooled push is renamed to NAME.bad and reported in the error;
// the others are still drained. A missing dir holds nothing. Drain returns
// how many pushes were recorded.
func Drain(ctx context.Context, dir string, record func(ctx context.Context, list []Push) (int, error)) (int, error) {
	names, err := files(dir)
	if err != nil || len(names) == 0 {
		return 0, err
	}
	var total int
	var bad []error
	for chunk := range slices.Chunk(names, batch) {
		var paths []string
		var pushes []Push
		for _, name := range chunk {
			path := filepath.Join(dir, name)
			sp, err := read(path)
			if err != nil {
				bad = append(bad, err)
				_ = os.Rename(path, path+".bad")
				continue
			}
			paths, pushes = append(paths, path), append(pushes, sp)
		}
		n, err := record(ctx, pushes)
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

// files returns the names of the spooled pushes in dir, in order; none if
// dir does not exist.
func files(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("drain spool: %w", err)
	}
	var names []string
	for _, e := range entries { // ReadDir sorts by name
		if strings.HasSuffix(e.Name(), ext) && e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// read reads and checks one spool file.
func read(path string) (Push, error) {
	var sp Push
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
