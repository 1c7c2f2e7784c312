package postreceive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/user"
	"time"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/wake"
	"github.com/forgehook/forgehook/store/postgres"
	"github.com/forgehook/forgehook/store/sqlite"
)

// maxMalformedLines bounds the lines that report malformed input, one each.
const maxMalformedLines = 10

// record records the ref updates of input: every well-formed line, however
// many, in one push. A push git accepted must not be lost, so when the
// database cannot take it (busy past the busy timeout, read-only, full,
// missing) it goes to the spool beside the database, else to the one in the
// repository, for the daemon to drain; and while earlier pushes wait in a
// spool, it queues behind them there, to keep their order. The happy path
// costs two failed opens more than the insert.
func record(o Options, gitDir string, input []byte) {
	updates, malformed, err := hooks.ParseRefUpdates(bytes.NewReader(input))
	reportMalformed(o.Stderr, malformed)
	if err != nil {
		fmt.Fprintf(o.Stderr, "forgehook: %v\n", err)
	}
	if len(updates) == 0 {
		return
	}
	p := &hooks.Push{GitDir: gitDir, Pusher: hooks.PusherFromEnv(o.Getenv, osUser()), Updates: updates, ReceivedAt: o.Now()}
	if postgres.IsURL(o.DB) {
		recordPG(o, p)
		return
	}
	if sqlite.Pending(sqlite.SpoolDir(o.DB)) || sqlite.Pending(sqlite.RepoSpoolDir(gitDir)) {
		spool(o, p, nil)
		return
	}
	if err := enqueue(o.DB, p); err != nil {
		spool(o, p, err)
		return
	}
	wake.Notify(wake.SocketPath(o.DB))
}

// enqueue records p in the database, which must exist: a missing one was
// deleted (or never created), and an empty new one would be read by no
// daemon.
func enqueue(path string, p *hooks.Push) error {
	db, err := sqlite.OpenExisting(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s does not exist: deleted under the daemon, or not created yet", path)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	return db.EnqueuePush(context.Background(), p)
}

// recordPG records p in the PostgreSQL database o.DB, as of node o.Node;
// its commit notifies the daemons. When the database cannot be reached within pgTimeout, or
// while earlier pushes of the repository wait in its spool, p goes to the
// repository's spool: there is no file to keep one beside, and a daemon
// that reads the repository drains it.
func recordPG(o Options, p *hooks.Push) {
	dir := sqlite.RepoSpoolDir(p.GitDir)
	if sqlite.Pending(dir) {
		spoolPG(o, p, dir, nil)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), pgTimeout)
	defer cancel()
	db, err := postgres.Open(ctx, o.DB)
	if err == nil {
		db.Node = o.Node
		err = db.EnqueuePush(ctx, p)
		db.Close()
	}
	if err != nil {
		spoolPG(o, p, dir, err)
	}
}

// pgTimeout bounds how long a push waits for PostgreSQL before it is spooled.
const pgTimeout = 5 * time.Second

// spoolPG keeps p in the repository's spool dir because of cause (nil:
// earlier pushes wait there).
func spoolPG(o Options, p *hooks.Push, dir string, cause error) {
	path, err := sqlite.SpoolPush(dir, p)
	if err != nil {
		why := "earlier pushes are spooled"
		if cause != nil {
			why = cause.Error()
		}
		fmt.Fprintf(o.Stderr, "forgehook: push NOT recorded (%d ref updates to %s): %s; and the spool could not be written: %v\n",
			len(p.Updates), p.GitDir, why, explain(err))
		return
	}
	if cause != nil {
		fmt.Fprintf(o.Stderr, "forgehook: database unreachable (%v): push kept in %s; a daemon reading this repository will deliver it\n", cause, path)
	}
}

// spool keeps p in a spool because of cause (nil: earlier pushes wait
// there) and wakes the daemon, which drains it. Only if no spool can be
// written is p lost, and the line says so.
func spool(o Options, p *hooks.Push, cause error) {
	path, err := sqlite.SpoolPush(sqlite.SpoolDir(o.DB), p)
	if err != nil {
		var rerr error
		if path, rerr = sqlite.SpoolPush(sqlite.RepoSpoolDir(p.GitDir), p); rerr != nil {
			why := "earlier pushes are spooled"
			if cause != nil {
				why = explain(cause).Error()
			}
			msg := fmt.Sprintf("push NOT recorded (%d ref updates to %s): %s; and no spool could be written: %v; %v",
				len(p.Updates), p.GitDir, why, explain(err), explain(rerr))
			fmt.Fprintf(o.Stderr, "forgehook: %s\n", msg)
			wake.NotifyFailure(wake.SocketPath(o.DB), p.GitDir+": "+msg) // a running daemon logs and counts it
			return
		}
	}
	if cause != nil {
		fmt.Fprintf(o.Stderr, "forgehook: database busy/unwritable (%v): push kept in %s; the daemon will deliver it\n", explain(cause), path)
	}
	wake.Notify(wake.SocketPath(o.DB))
}

// reportMalformed writes one line per malformed input line, up to
// maxMalformedLines, then one line for the rest.
func reportMalformed(w io.Writer, malformed []*hooks.LineError) {
	for i, e := range malformed {
		if i == maxMalformedLines {
			fmt.Fprintf(w, "forgehook: ignored %d more malformed input lines\n", len(malformed)-i)
			return
		}
		fmt.Fprintf(w, "forgehook: ignored malformed input %v\n", e)
	}
}

// explain returns err's *sqlite.AccessError if it has one: the file, the user
// and the fix say it all.
func explain(err error) error {
	var ae *sqlite.AccessError
	if errors.As(err, &ae) {
		return ae
	}
	return err
}

func osUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}
