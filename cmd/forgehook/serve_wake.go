package main

import (
	"github.com/forgehook/forgehook/api"
	"github.com/forgehook/forgehook/git"
	"github.com/forgehook/forgehook/internal/wake"
	"github.com/forgehook/forgehook/metrics"
	"github.com/forgehook/forgehook/store/sqlite"
)

// openWakeUps sets up how the daemon hears of pushes and work that others
// queued, and of the pushes the hook kept in spools. On SQLite: the watch of
// the database file (a health check), its wake-up socket, and the spools
// beside it and in the repositories. On PostgreSQL the store's LISTEN/NOTIFY
// wakes the workers (started with them) and the spools are the
// repositories' (the hook spools into $GIT_DIR/forgehook-spool when it
// cannot reach the database): each daemon drains those of the repositories
// it reads. It returns the spool drainer.
func (m *Main) openWakeUps(srv *api.Server, met *metrics.Metrics, repos *git.Repos, onDrained func()) (*spoolDrainer, error) {
	c := m.Config
	if m.db.PG != nil {
		return newSpoolDrainer(m.db, "", repos, nil, onDrained, m.Logger), nil
	}
	watch, err := newDBWatch(c.DB, m.Logger)
	if err != nil {
		return nil, err
	}
	srv.Health = append(srv.Health, watch.Check)
	drainer := newSpoolDrainer(m.db.SQLite, sqlite.SpoolDir(c.DB), repos, watch, onDrained, m.Logger)
	if m.wake, err = wake.Listen(wake.SocketPath(c.DB)); err != nil {
		m.Logger.Warn("no wake-up socket; pushes are noticed by polling, and pushes the hook cannot record leave no trace here", "err", err)
		return drainer, nil
	}
	m.wake.OnFailure = func(report string) {
		met.PushRecordFailed()
		m.Logger.Error("post-receive could not record a push: it gets no events (the pusher saw 'forgehook: enqueue failed')", "report", report)
	}
	if err := m.wake.ShareGroup(c.DB); err != nil {
		m.Logger.Warn("wake-up socket not in the database's group; other users' pushes are noticed by polling", "err", err)
	}
	return drainer, nil
}
