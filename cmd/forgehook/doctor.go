package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/forgehook/forgehook/git"
	"github.com/forgehook/forgehook/internal/wake"
)

// runDoctor checks an installation and prints one line per problem, with
// the fix. It fails if it found any.
func runDoctor(ctx context.Context, args []string, stdout io.Writer) error {
	var a repoArgs
	fs := newFlagSet("doctor", stdout)
	a.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := a.check(fs); err != nil {
		return err
	}
	d := &doctor{out: stdout}
	if fi, err := os.Stat(a.Repos); err != nil || !fi.IsDir() {
		d.problem(a.Repos, "the repos root does not exist", "pass --repos (or FORGEHOOK_REPOS) as the daemon has it")
	}
	if isPostgres(a.DB) {
		d.postgres(ctx, a.DB)
	} else {
		if _, err := os.Stat(a.DB); err != nil {
			d.problem(a.DB, "the database does not exist", "pass --db as the daemon has it, or run forgehook install")
		}
		if !daemonListening(wake.SocketPath(a.DB)) {
			d.problem(a.DB, "no daemon is listening on its wake-up socket "+wake.SocketPath(a.DB),
				"start forgehook serve --db "+a.DB+" (pushes are kept until it runs)")
		}
	}
	targets, err := a.targets(ctx)
	if err != nil {
		return err
	}
	checked := 0
	for _, t := range targets {
		if t.Found != nil && t.Skip {
			continue
		}
		checked++
		d.repo(&a, t)
	}
	fmt.Fprintf(stdout, "doctor: %d repositories checked, %d problems\n", checked, d.problems)
	if d.problems > 0 {
		return fmt.Errorf("doctor: %d problems", d.problems)
	}
	return nil
}

// doctor counts and prints problems.
type doctor struct {
	out      io.Writer
	problems int
}

func (d *doctor) problem(where, what, fix string) {
	d.problems++
	if fix != "" {
		what += "; " + fix
	}
	fmt.Fprintf(d.out, "%s: %s\n", where, what)
}

// repo checks one repository's hook.
func (d *doctor) repo(a *repoArgs, t *target) {
	switch {
	case t.Err != nil:
		d.problem(t.GitDir, t.Err.Error(), "name a bare repository")
		return
	case t.Outside:
		d.problem(t.GitDir, "not under --repos "+a.Repos+", so the daemon cannot name it", "move it there, or check --repos")
		return
	case t.Problem != "":
		d.problem(t.Rel, "no webhooks: "+t.Problem, "rename the directory")
		return
	}
	name := t.FullName()
	if w := objectFormatWarning(t.GitDir); w != "" {
		d.problem(name, w, "")
	}
	hook := filepath.Join(t.GitDir, "hooks", "post-receive")
	install := "run forgehook install " + t.GitDir
	fi, err := os.Stat(hook)
	switch {
	case err != nil:
		d.problem(name, "no post-receive hook, so pushes are not recorded", install)
		return
	case fi.Mode()&0o111 == 0:
		d.problem(name, hook+" is not executable, so git does not run it", "chmod 755 "+hook)
	}
	if w := hooksPathWarning(t.GitDir); w != "" {
		d.problem(name, w, "")
	}
	spec, ours := git.ReadHook(hook)
	if !ours {
		if !git.RunsForgehook(hook) {
			d.problem(name, "its post-receive hook does not run forgehook", install+" (it keeps the existing hook)")
		}
		return
	}
	if fi, err := os.Stat(spec.Binary); err != nil || fi.Mode()&0o111 == 0 {
		d.problem(name, "the hook runs "+spec.Binary+", which is gone", "run forgehook install again with the binary where it is now")
	}
	if spec.DB != a.DB {
		d.problem(name, "the hook records into "+spec.DB+", not into --db "+a.DB, install+" --db "+a.DB+", or check --db")
	}
	if w := dbAccessWarning(spec.DB, t.GitDir); w != "" {
		d.problem(name, w, "")
	}
}

// postgres checks that the PostgreSQL database db can be reached and read
// from here, and that some daemon reports to it.
func (d *doctor) postgres(ctx context.Context, db string) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := openDB(ctx, db, true)
	if err != nil {
		d.problem(dbName(db), "the database cannot be reached: "+err.Error(),
			"check the URL, the server and its pg_hba.conf for this host and user (pushes are spooled in each repository until it can)")
		return
	}
	defer s.Close()
	if _, err := s.ReadStats(ctx); err != nil {
		d.problem(dbName(db), "the database cannot be read: "+err.Error(), "grant this user forgehook's tables")
		return
	}
	if list, err := s.PG.Daemons(ctx); err != nil {
		d.problem(dbName(db), err.Error(), "")
	} else if len(list) == 0 {
		d.problem(dbName(db), "no daemon runs on this database (none has reported to it)",
			"start forgehook serve --db URL on at least one machine (pushes are kept until one runs)")
	}
}

// daemonListening reports whether a daemon has the wake-up socket at path open.
func daemonListening(path string) bool {
	conn, err := net.DialTimeout("unixgram", path, time.Second)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}
