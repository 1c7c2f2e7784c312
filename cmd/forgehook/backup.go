package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"golang.org/x/term"

	"github.com/forgehook/forgehook/store/sqlite"
)

// runBackup copies the database to FILE while the daemon and the hook go on
// writing.
func runBackup(ctx context.Context, args []string, stderr io.Writer) error {
	var c common
	var force bool
	flags := newFlagSet("backup", stderr)
	c.register(flags)
	flags.BoolVar(&force, "force", false, "replace FILE if it exists")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() != 1 {
		return errors.New("backup: want one FILE to write the copy to")
	}
	out := flags.Arg(0)
	if err := sqliteOnlyDB(c.DB, "backup", "back it up with pg_dump (forgehook backup copies SQLite files only)"); err != nil {
		return err
	}
	if err := c.absolute(); err != nil {
		return err
	}
	if _, err := os.Stat(c.DB); err != nil {
		return fmt.Errorf("backup: no database at %s: pass --db (or set FORGEHOOK_DB)", c.DB)
	}
	if _, err := os.Lstat(out); err == nil && !force {
		return fmt.Errorf("backup: %s exists: pass --force to replace it", out)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	db, err := sqlite.Open(c.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	progress := backupProgress(stderr)
	if err := db.Backup(ctx, out, progress); err != nil {
		return err
	}
	if progress != nil {
		fmt.Fprintln(stderr)
	}
	fmt.Fprintf(stderr, "backed up %s to %s\n", c.DB, out)
	return nil
}

// backupProgress returns a progress line for a terminal, or nil.
func backupProgress(w io.Writer) func(done, total int) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func(done, total int) {
		fmt.Fprintf(w, "\rbacking up: %d/%d pages (%d%%)", done, total, 100*done/max(total, 1))
	}
}
