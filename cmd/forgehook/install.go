package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/forgehook/forgehook/git"
	"github.com/forgehook/forgehook/store/sqlite"
)

// installStates orders install's summary.
var installStates = []string{string(git.Installed), string(git.Chained), string(git.Unchanged), "skipped", "failed"}

// runInstall writes the post-receive hook into bare repositories, or into
// gitolite's common hooks.
func runInstall(ctx context.Context, args []string, stdout io.Writer) error {
	var a repoArgs
	var gl gitoliteFlags
	var node string
	fs := newFlagSet("install", stdout)
	a.register(fs)
	gl.register(fs)
	registerNode(fs, &node, "the hooks record pushes as of, baked into them")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if gl.On {
		return runInstallGitolite(ctx, fs, &a, &gl, node, stdout)
	}
	if err := a.check(fs); err != nil {
		return err
	}
	binary, err := os.Executable()
	if err != nil {
		return fmt.Errorf("install: find own binary: %w", err)
	}
	rep := newReport(stdout, "install", 0)
	if w := defaultDBWarning(fs, a.DB); w != "" {
		rep.Warn("%s", w)
	}
	if err := prepareDB(a.DB, a.Repos, rep); err != nil {
		return err
	}
	targets, err := a.targets(ctx)
	if err != nil {
		return err
	}
	rep = newReport(stdout, "install", len(targets))
	spec := git.HookSpec{Binary: binary, DB: a.DB, Repos: a.Repos, Node: node}
	for _, t := range targets {
		installOne(rep, spec, t)
	}
	return rep.Done("install", installStates...)
}

// installOne installs the hook into one target and reports it.
func installOne(rep *report, spec git.HookSpec, t *target) {
	switch {
	case t.Err != nil:
		rep.Fail(t.GitDir, t.Err)
		return
	case t.Skip: // gitolite-admin, quietly
		return
	case t.Outside:
		rep.Add("skipped", t.GitDir, "not under --repos "+spec.Repos+", so the daemon cannot name it; move it there or use the daemon's --repos", true)
		return
	case t.Problem != "":
		rep.Add("skipped", t.Rel, t.Problem, true)
		return
	}
	state, err := git.Install(spec, t.GitDir)
	if err != nil {
		rep.Fail(t.FullName(), err)
		return
	}
	warning := objectFormatWarning(t.GitDir)
	if warning == "" {
		warning = hooksPathWarning(t.GitDir)
	}
	if warning == "" {
		warning = dbAccessWarning(spec.DB, t.GitDir)
	}
	rep.Add(string(state), t.FullName(), warning, warning != "")
}

// objectFormatWarning warns when the repository at gitDir uses an object
// format that the daemon cannot read (SHA-256): its pushes are recorded and
// then fail at once, without webhooks.
func objectFormatWarning(gitDir string) string {
	format, err := git.ObjectFormat(gitDir)
	if err != nil || format == "sha1" {
		return ""
	}
	return fmt.Sprintf("%s repositories get no webhooks yet: forgehook reads SHA-1 repositories only, so each push is recorded as failed (unsupported object format %s)", format, format)
}

// prepareDB creates and migrates the database now, so that the first push
// is fast. Run as root for repositories that belong to someone else, it
// gives the new database to the owner of the repositories, who runs the
// hook: a root-owned database would lose every push. A PostgreSQL database
// is left alone.
func prepareDB(path, repos string, rep *report) error {
	if isPostgres(path) {
		return nil // install only records the URL in the hooks: the first daemon or push migrates it
	}
	_, statErr := os.Stat(path)
	db, err := sqlite.Open(path)
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	if !errors.Is(statErr, os.ErrNotExist) || os.Geteuid() != 0 {
		return nil
	}
	uid, gid, ok := fileOwner(repos)
	if !ok || uid == 0 {
		return nil
	}
	for _, f := range []string{path, path + ".gate"} {
		if err := os.Chown(f, uid, gid); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("install: give %s to the owner of %s: %w", f, repos, err)
		}
	}
	rep.Warn("created %s as root: gave it to uid %d, gid %d, the owner of %s, who runs the hook", path, uid, gid, repos)
	return nil
}

// runInstallGitolite installs the hook through gitolite's own mechanism.
func runInstallGitolite(ctx context.Context, fs *flag.FlagSet, a *repoArgs, gl *gitoliteFlags, node string, stdout io.Writer) error {
	g, err := gl.check(ctx, fs, a)
	if err != nil {
		return err
	}
	binary, err := os.Executable()
	if err != nil {
		return fmt.Errorf("install: find own binary: %w", err)
	}
	rep := newReport(stdout, "install", 0)
	if err := prepareDB(a.DB, a.Repos, rep); err != nil {
		return err
	}
	r, err := g.InstallGitolite(ctx, git.HookSpec{Binary: binary, DB: a.DB, Repos: a.Repos, Node: node})
	if err != nil {
		return fmt.Errorf("install: %w", err)
	}
	if r.EnabledLC {
		fmt.Fprintf(stdout, "switched on LOCAL_CODE in %s/.gitolite.rc (the old file is kept beside it)\n", g.Home)
	}
	if r.Chained != "" {
		fmt.Fprintf(stdout, "chained gitolite's post-receive %s: it still runs after forgehook\n", r.Chained)
	}
	for _, rel := range r.RepoHooks {
		fmt.Fprintf(stdout, "chained the repository's own post-receive of %s\n", rel)
	}
	state := "already present"
	if r.Changed {
		state = "installed"
	}
	fmt.Fprintf(stdout, "gitolite hook %s: %s (linked into every repository by gitolite setup, new ones included)\n", state, r.Hook)
	return listGitoliteRepos(ctx, a, stdout)
}

// listGitoliteRepos prints the name each gitolite repository gets.
func listGitoliteRepos(ctx context.Context, a *repoArgs, stdout io.Writer) error {
	a.All = true
	targets, err := a.targets(ctx)
	if err != nil {
		return err
	}
	var lines []string
	for _, t := range targets {
		switch {
		case t.Skip:
		case t.Problem != "":
			lines = append(lines, fmt.Sprintf("  %-30s skipped: %s", t.Rel, t.Problem))
		default:
			lines = append(lines, fmt.Sprintf("  %-30s %s", t.Rel, t.FullName()))
		}
	}
	fmt.Fprintf(stdout, "%d repositories under %s:\n%s\n", len(lines), a.Repos, strings.Join(lines, "\n"))
	return nil
}
