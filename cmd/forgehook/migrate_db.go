package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/forgehook/forgehook/internal/redact"
	"github.com/forgehook/forgehook/internal/wake"
	"github.com/forgehook/forgehook/store/dump"
	"github.com/forgehook/forgehook/store/postgres"
	"github.com/forgehook/forgehook/store/sqlite"
)

// runMigrateDB copies a SQLite installation into an empty PostgreSQL
// database (see postgres.DB.Import): the daemon on the file must be stopped.
func runMigrateDB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var from, to, node string
	flags := newFlagSet("migrate-db", stderr)
	flags.StringVar(&from, "from", "", "the SQLite database `file` to copy (its daemon stopped)")
	flags.StringVar(&to, "to", "", "the empty PostgreSQL database to copy it into, a postgres:// `url`")
	flags.StringVar(&node, "node", "", "the `name` the daemons on the git server of FILE.db's repositories run with (serve --node), which turn its pending pushes into events")
	if err := flags.Parse(args); err != nil {
		return err
	}
	switch {
	case flags.NArg() > 0:
		return usagef("migrate-db: unexpected argument %q", flags.Arg(0))
	case from == "" || to == "":
		return usagef("migrate-db: want --from FILE.db and --to postgres://…")
	case !strings.HasPrefix(to, "postgres://") && !strings.HasPrefix(to, "postgresql://"):
		return usagef("migrate-db: --to must be a postgres:// URL")
	}
	if _, err := os.Stat(from); err != nil {
		return fmt.Errorf("migrate-db: no database at %s: %w", from, err)
	}
	// The copy is one snapshot: what a running daemon did after it would
	// be lost, and its leases would be live in two databases.
	if wake.Answers(wake.SocketPath(from)) {
		return fmt.Errorf("migrate-db: a daemon is running on %s (its wake-up socket %s answers): stop it first",
			from, wake.SocketPath(from))
	}
	src, err := sqlite.OpenExisting(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, to)
	if err != nil {
		return fmt.Errorf("migrate-db: %s: %w", redact.Setting("db", to), err)
	}
	defer dst.Close()
	dst.Node = node

	progress := newCopyProgress(stderr)
	var counts map[string]int64
	var lastPush int64
	err = src.Export(ctx, func(s dump.Source) error {
		c, err := s.Counters(ctx)
		if err != nil {
			return err
		}
		lastPush = c.LastIDs["pushes"]
		counts, err = dst.Import(ctx, s, progress)
		return err
	})
	progress.Done()
	if err != nil {
		return fmt.Errorf("migrate-db: %w", err)
	}
	t := newTable(stdout, column{"TABLE", 0}, column{"ROWS", 0})
	for _, tb := range dump.Tables {
		t.Row(tb.Name, strconv.FormatInt(counts[tb.Name], 10))
	}
	if err := t.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "copied %s into %s\n", from, redact.Setting("db", to))
	fmt.Fprintf(stdout, "hook secrets were copied sealed: give every daemon on it --secret-key-file %s (or the file you gave this one's daemon)\n",
		from+".key")
	// A git push after the snapshot was recorded in the file, not copied.
	late, err := src.PushesAfter(ctx, lastPush)
	if err != nil {
		return fmt.Errorf("migrate-db: %w", err)
	}
	if late > 0 {
		return fmt.Errorf("migrate-db: %d pushes were recorded in %s during the copy and are not in PostgreSQL: "+
			"recreate the target database and copy again while no git pushes arrive", late, from)
	}
	return nil
}

// copyProgress shows a copy's progress on a terminal: a bar per table.
type copyProgress struct {
	out io.Writer
	bar *progressbar.ProgressBar
}

// newCopyProgress returns a progress for out, which shows nothing unless
// out is a terminal.
func newCopyProgress(out io.Writer) *copyProgress {
	p := &copyProgress{}
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.out = out
	}
	return p
}

var _ dump.Progress = (*copyProgress)(nil)

// Table starts the bar of t.
func (p *copyProgress) Table(t dump.Table, total int64) {
	if p.out == nil {
		return
	}
	p.Done()
	p.bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(p.out),
		progressbar.OptionSetDescription(fmt.Sprintf("%-14s", t.Name)), progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30), progressbar.OptionThrottle(0), progressbar.OptionUseANSICodes(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.out) }))
	if total == 0 {
		_ = p.bar.Finish()
		p.bar = nil
	}
}

// Copied advances the bar.
func (p *copyProgress) Copied(n int) {
	if p.bar != nil {
		_ = p.bar.Add(n)
	}
}

// Done finishes the current bar.
func (p *copyProgress) Done() {
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}
