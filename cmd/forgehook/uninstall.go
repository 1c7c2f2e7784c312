package main

import (
	"context"
	"fmt"
	"io"

	"github.com/forgehook/forgehook/git"
)

// runUninstall removes forgehook's post-receive hook and puts back the hook
// that was there before.
func runUninstall(ctx context.Context, args []string, stdout io.Writer) error {
	var a repoArgs
	var gl gitoliteFlags
	fs := newFlagSet("uninstall", stdout)
	a.register(fs)
	gl.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if gl.On {
		g, err := gl.check(ctx, fs, &a)
		if err != nil {
			return err
		}
		r, err := g.UninstallGitolite(ctx)
		if err != nil {
			return fmt.Errorf("uninstall: %w", err)
		}
		if !r.Changed {
			fmt.Fprintln(stdout, "gitolite hook not installed: nothing to do")
			return nil
		}
		for _, rel := range r.RepoHooks {
			fmt.Fprintf(stdout, "restored the repository's own post-receive of %s\n", rel)
		}
		if r.Chained != "" {
			fmt.Fprintf(stdout, "restored gitolite's post-receive %s\n", r.Chained)
		}
		if r.EnabledLC {
			fmt.Fprintf(stdout, "restored %s/.gitolite.rc\n", g.Home)
		}
		fmt.Fprintf(stdout, "gitolite hook removed: %s\n", r.Hook)
		return nil
	}
	if err := a.check(fs); err != nil {
		return err
	}
	targets, err := a.targets(ctx)
	if err != nil {
		return err
	}
	rep := newReport(stdout, "uninstall", len(targets))
	for _, t := range targets {
		if t.Err != nil {
			rep.Fail(t.GitDir, t.Err)
			continue
		}
		state, err := git.Uninstall(t.GitDir)
		if err != nil {
			rep.Fail(t.Label(), err)
			continue
		}
		rep.Add(string(state), t.Label(), "", false)
	}
	return rep.Done("uninstall", string(git.Removed), string(git.Restored), string(git.NotInstalled), "failed")
}
