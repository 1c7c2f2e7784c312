// Package postreceive is what the git post-receive hook runs: it records the
// push in the database and wakes the daemon. It must stay small and fast,
// and must never fail the push: the caller always exits 0.
package postreceive

import (
	"bytes"
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

// Options configure one run.
type Options struct {
	DB     string // database path
	Chain  string // a previous post-receive hook to run with the same input, or ""
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
	if err := record(o, input); err != nil {
		var ae *store.AccessError
		if errors.As(err, &ae) {
			err = ae // the file, the user and the fix say it all
		}
		fmt.Fprintf(o.Stderr, "forgehook: enqueue failed: %v\n", err)
	} else {
		wake.Notify(wake.SocketPath(o.DB))
	}
	if o.Chain != "" && executable(o.Chain) { // git would not run a non-executable hook either
		cmd := exec.Command(o.Chain)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(input), os.Stdout, o.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(o.Stderr, "forgehook: chained hook %s: %v\n", o.Chain, err)
		}
	}
}

func record(o Options, input []byte) error {
	updates, err := hooks.ParseRefUpdates(bytes.NewReader(input))
	if err != nil {
		return err
	}
	if len(updates) == 0 {
		return nil
	}
	gitDir := o.Getenv("GIT_DIR")
	if gitDir == "" {
		gitDir = "."
	}
	if gitDir, err = filepath.Abs(gitDir); err != nil {
		return fmt.Errorf("git dir: %w", err)
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
