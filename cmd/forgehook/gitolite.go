package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/forgehook/forgehook/git"
)

// gitoliteFlags are the flags of install and uninstall for gitolite.
type gitoliteFlags struct {
	On   bool
	Home string
}

func (g *gitoliteFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&g.On, "gitolite", false, "work through gitolite's common hooks (LOCAL_CODE), for every present and future gitolite repository; run as the gitolite user")
	fs.StringVar(&g.Home, "gitolite-home", "", "the gitolite user's home `dir`, which holds .gitolite.rc (default $HOME)")
}

// check checks the parsed flags for gitolite: no repository directories,
// and --repos (unless given) is gitolite's repository base.
func (g *gitoliteFlags) check(ctx context.Context, fs *flag.FlagSet, a *repoArgs) (*git.Gitolite, error) {
	if fs.NArg() > 0 || a.All {
		return nil, fmt.Errorf("%s --gitolite: takes no repository directories and no --all: it covers every gitolite repository", fs.Name())
	}
	home := g.Home
	if home == "" {
		home = os.Getenv("HOME")
	}
	if home == "" {
		return nil, errors.New("--gitolite: no $HOME: pass --gitolite-home")
	}
	gl := &git.Gitolite{Home: home}
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "repos" })
	if !set && os.Getenv("FORGEHOOK_REPOS") == "" {
		base, err := gl.RepoBase(ctx)
		if err != nil {
			return nil, err
		}
		a.Repos = base
	}
	return gl, a.absolute()
}
