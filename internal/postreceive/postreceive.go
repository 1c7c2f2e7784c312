// Package postreceive is what the git post-receive hook runs: it records the
// push in the database and wakes the daemon. It must stay small and fast,
// and must never fail the push: the caller always exits 0.
package postreceive

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"time"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/wake"
	"github.com/forgehook/forgehook/store"
)

// maxInput bounds what the hook reads from git: far more than any push.
const maxInput = 8 << 20

// RecordedEnv is set, in the environment of the hooks forgehook chains, to
// the git dir whose push forgehook has taken care of: a forgehook hook that
// runs inside another (a wrapper, a chained copy) then records nothing, so
// that a push is recorded once however hooks are chained.
const RecordedEnv = "FORGEHOOK_RECORDED"

// Options configure one run.
type Options struct {
	DB     string   // database path
	Repos  string   // the repos root: its gitolite-admin.git is not recorded
	Chain  []string // previous post-receive hooks to run with the same input, absolute or relative to the git dir
	Stdin  io.Reader
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time
}

// Run records the push and runs the chained hook. Problems are reported as
// one line on Stderr; Run itself never fails.
func Run(o Options) {
	input, err := io.ReadAll(io.LimitReader(o.Stdin, maxInput))
	if err != nil {
		fmt.Fprintf(o.Stderr, "forgehook: enqueue failed: read input: %v\n", err)
	}
	gitDir, err := filepath.Abs(cmp.Or(o.Getenv("GIT_DIR"), "."))
	switch {
	case err != nil:
		fmt.Fprintf(o.Stderr, "forgehook: enqueue failed: git dir: %v\n", err)
	case o.Getenv(RecordedEnv) == gitDir, isGitoliteAdmin(o.Repos, gitDir):
		// Recorded by the forgehook hook that runs this one, or not for webhooks.
	default:
		if err := record(o, gitDir, input); err != nil {
			var ae *store.AccessError
			if errors.As(err, &ae) {
				err = ae // the file, the user and the fix say it all
			}
			fmt.Fprintf(o.Stderr, "forgehook: enqueue failed: %v\n", err)
			wake.NotifyFailure(wake.SocketPath(o.DB), fmt.Sprintf("%s: %v", gitDir, err)) // the daemon logs it
		} else {
			wake.Notify(wake.SocketPath(o.DB))
		}
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

func record(o Options, gitDir string, input []byte) error {
	updates, err := hooks.ParseRefUpdates(bytes.NewReader(input))
	if err != nil {
		return err
	}
	if len(updates) == 0 {
		return nil
	}
	db, err := store.Open(o.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	p := &hooks.Push{GitDir: gitDir, Pusher: hooks.PusherFromEnv(o.Getenv, osUser()), Updates: updates, ReceivedAt: o.Now()}
	return db.EnqueuePush(context.Background(), p)
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

func osUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}
