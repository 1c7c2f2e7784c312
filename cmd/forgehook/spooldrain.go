package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/forgehook/forgehook/git"
	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/sqlite"
)

// How often the spool drainer looks without a wake-up: the database's
// spool (one failed open when empty) and the repositories' (one failed open
// per repository in the last scan). A wake-up looks at once, at the
// repositories' at most every repoSpoolMin.
const (
	drainEvery     = 2 * time.Second
	repoSpoolEvery = 10 * time.Second
	repoSpoolMin   = time.Second
)

// spoolDrainer records the pushes the post-receive hook spooled (see
// sqlite.SpoolPush) into the database, while it is the daemon's (see dbWatch).
// On SQLite it drains the spool beside the database and the repositories';
// on PostgreSQL (dbSpool "") only the repositories' this daemon reads.
type spoolDrainer struct {
	db        hooks.SpoolDrainer
	dbSpool   string // the spool beside the database, or ""
	repos     *git.Repos
	watch     *dbWatch // nil on PostgreSQL: no file to watch
	onDrained func()   // wakes the push worker
	logger    *slog.Logger
	wake      chan struct{}
	reposAt   time.Time // last look at the repositories' spools; Run's own
}

func newSpoolDrainer(db hooks.SpoolDrainer, dbSpool string, repos *git.Repos, watch *dbWatch, onDrained func(), logger *slog.Logger) *spoolDrainer {
	return &spoolDrainer{db: db, dbSpool: dbSpool, repos: repos, watch: watch, onDrained: onDrained, logger: logger, wake: make(chan struct{}, 1)}
}

// Wake makes Run look now; it never blocks.
func (d *spoolDrainer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run drains the spools at once, then every drainEvery and on each wake-up,
// until ctx ends.
func (d *spoolDrainer) Run(ctx context.Context) {
	t := time.NewTicker(drainEvery)
	defer t.Stop()
	woken := false
	for {
		if d.watch == nil || d.watch.Check(ctx) == nil {
			if d.dbSpool != "" {
				d.drain(ctx, d.dbSpool)
			}
			if since := time.Since(d.reposAt); since >= repoSpoolEvery || woken && since >= repoSpoolMin {
				d.reposAt = time.Now()
				d.drainRepos(ctx)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			woken = false
		case <-d.wake:
			woken = true
		}
	}
}

// drainRepos drains the spools of the repositories under the repos root.
func (d *spoolDrainer) drainRepos(ctx context.Context) {
	found, err := d.repos.Known(ctx)
	if err != nil {
		if ctx.Err() == nil {
			d.logger.Warn("repositories' spools not drained", "err", err)
		}
		return
	}
	for _, f := range found {
		if dir := sqlite.RepoSpoolDir(f.GitDir); sqlite.Pending(dir) {
			d.drain(ctx, dir)
		}
	}
}

// drain drains one spool and wakes the push worker if it recorded pushes.
func (d *spoolDrainer) drain(ctx context.Context, dir string) {
	n, err := d.db.DrainSpool(ctx, dir)
	if n > 0 {
		d.logger.Info("recorded spooled pushes", "count", n, "spool", dir)
		d.onDrained()
	}
	if err != nil && ctx.Err() == nil {
		d.logger.Error("drain spool", "spool", dir, "err", err)
	}
}
