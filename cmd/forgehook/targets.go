package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/forgehook/forgehook/git"
)

// repoArgs are the flags and arguments of the commands that work on many
// repositories: --all, or repository directories.
type repoArgs struct {
	common
	All  bool
	Dirs []string
}

func (a *repoArgs) register(fs *flag.FlagSet) {
	a.common.register(fs)
	fs.BoolVar(&a.All, "all", false, "every bare repository under --repos, at any depth")
}

// check checks the parsed flags: exactly one of --all and directories.
func (a *repoArgs) check(fs *flag.FlagSet) error {
	a.Dirs = fs.Args()
	if a.All == (len(a.Dirs) > 0) {
		return fmt.Errorf("%s: name the repository directories, or --all for every one under --repos", fs.Name())
	}
	return a.absolute()
}

// target is one repository to work on: found under the repos root, or a
// directory named on the command line that is not there.
type target struct {
	*git.Found
	Outside bool  // not under the repos root
	Err     error // not a bare repository, or unreadable
}

// Label names t in reports: its OWNER/NAME, else its path.
func (t *target) Label() string {
	if t.Found != nil && t.Owner != "" {
		return t.FullName()
	}
	if t.Found != nil {
		return t.GitDir
	}
	return ""
}

// targets returns the repositories a names, each with the name the daemon
// gives it.
func (a *repoArgs) targets(ctx context.Context) ([]*target, error) {
	repos := &git.Repos{Root: a.Repos, DefaultOwner: a.DefaultOwner}
	all, err := repos.All(ctx)
	if err != nil && (a.All || !errors.Is(err, os.ErrNotExist)) {
		return nil, fmt.Errorf("--repos %s: %w", a.Repos, err)
	}
	var out []*target
	if a.All {
		for _, f := range all {
			out = append(out, &target{Found: f})
		}
		return out, nil
	}
	byDir := map[string]*git.Found{}
	for _, f := range all {
		byDir[f.GitDir] = f
	}
	for _, d := range a.Dirs {
		dir, err := filepath.Abs(d)
		if err == nil {
			dir, err = filepath.EvalSymlinks(dir)
		}
		switch f := byDir[dir]; {
		case err != nil:
			out = append(out, &target{Found: &git.Found{GitDir: d}, Err: err})
		case f != nil:
			out = append(out, &target{Found: f})
		case !git.IsBareRepo(dir):
			out = append(out, &target{Found: &git.Found{GitDir: d}, Err: fmt.Errorf("%s is not a bare git repository", d)})
		default:
			out = append(out, &target{Found: &git.Found{GitDir: dir}, Outside: true})
		}
	}
	return out, nil
}

// hooksPathWarning returns why git would not run hooks/post-receive in
// gitDir (core.hooksPath set in the repository's, the global or the system
// config), or "".
func hooksPathWarning(gitDir string) string {
	path, err := git.ConfigValue(gitDir, "core.hooksPath")
	if err != nil || path == "" {
		return ""
	}
	return fmt.Sprintf("core.hooksPath is %s, so git runs %s, not this hook; unset it (git config --unset core.hooksPath) or install into that directory",
		path, filepath.Join(path, "post-receive"))
}

// defaultDBWarning warns when the database is the default in the current
// directory, which an install bakes into every hook.
func defaultDBWarning(fs *flag.FlagSet, db string) string {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "db" })
	if set || os.Getenv("FORGEHOOK_DB") != "" {
		return ""
	}
	return fmt.Sprintf("no --db given: using %s in the current directory; pass --db or set FORGEHOOK_DB to where the daemon's database lives", db)
}
