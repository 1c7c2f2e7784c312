// Package postreceive is what the git post-receive hook runs: it records the
// push in the database (or, when that cannot be written, in a spool the
// daemon drains) and wakes the daemon. It must stay small and fast,
// and must never fail the push: the caller always exits 0.
package postreceive

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// RecordedEnv is set, in the environment of the hooks forgehook chains, to
// the git dir whose push forgehook has taken care of: a forgehook hook that
// runs inside another (a wrapper, a chained copy) then records nothing, so
// that a push is recorded once however hooks are chained.
const RecordedEnv = "FORGEHOOK_RECORDED"

// Options configure one run.
type Options struct {
	DB     string   // database path
	Repos  string   // the repos root: its gitolite-admin.git is not recorded
	Node   string   // on PostgreSQL, the git server the push is recorded as of
	Chain  []string // previous post-receive hooks to run with the same input, absolute or relative to the git dir
	Stdin  io.Reader
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time
}

// Run records the push (see record) and runs the chained hooks. Problems
// are reported on Stderr, one line each; Run itself never fails.
func Run(o Options) {
	input, err := io.ReadAll(o.Stdin) // all of it, however big: git gave it
	if err != nil {
		fmt.Fprintf(o.Stderr, "forgehook: read input: %v (recording what was read)\n", err)
	}
	gitDir, err := filepath.Abs(cmp.Or(o.Getenv("GIT_DIR"), "."))
	switch {
	case err != nil:
		fmt.Fprintf(o.Stderr, "forgehook: enqueue failed: git dir: %v\n", err)
	case o.Getenv(RecordedEnv) == gitDir, isGitoliteAdmin(o.Repos, gitDir):
		// Recorded by the forgehook hook that runs this one, or not for webhooks.
	default:
		record(o, gitDir, input)
	}
	for _, c := range o.Chain {
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		if !executable(c) { // git would not run a non-executable hook either
			continue
		}
		cmd := exec.Command(c)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(input), os.Stdout, o.Stderr
		cmd.Env = append(os.Environ(), RecordedEnv+"="+gitDir)
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(o.Stderr, "forgehook: chained hook %s: %v\n", c, err)
		}
	}
}

// isGitoliteAdmin reports whether gitDir is gitolite's administration
// repository directly under the repos root.
func isGitoliteAdmin(repos, gitDir string) bool {
	return repos != "" && filepath.Base(gitDir) == "gitolite-admin.git" && filepath.Dir(gitDir) == filepath.Clean(repos)
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}
