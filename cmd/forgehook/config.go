package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/forgehook/forgehook/git"
)

// common are the flags every subcommand that touches the database shares.
// Each falls back to an environment variable.
type common struct {
	DB           string
	Repos        string
	DefaultOwner string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", envOr("FORGEHOOK_DB", "./forgehook.db"), "SQLite database `file`, or a postgres:// URL shared by several daemons and git servers (env FORGEHOOK_DB)")
	fs.StringVar(&c.Repos, "repos", envOr("FORGEHOOK_REPOS", "./repos"), "root `dir` of bare repositories, REPOS/OWNER/NAME.git (env FORGEHOOK_REPOS)")
	fs.StringVar(&c.DefaultOwner, "default-owner", envOr("FORGEHOOK_DEFAULT_OWNER", git.DefaultOwner), "`owner` of the repositories directly under --repos, REPOS/NAME.git (env FORGEHOOK_DEFAULT_OWNER)")
}

// absolute makes the paths absolute, so that git can run the hook from
// anywhere and the daemon can compare git dirs.
func (c *common) absolute() error {
	var err error
	if isPostgres(c.DB) {
		// A URL, not a path.
	} else if c.DB, err = filepath.Abs(c.DB); err != nil {
		return fmt.Errorf("db path: %w", err)
	}
	if c.Repos, err = filepath.Abs(c.Repos); err != nil {
		return fmt.Errorf("repos path: %w", err)
	}
	return nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("forgehook "+name, flag.ContinueOnError)
	fs.SetOutput(out)
	return fs
}

// listFlag collects a repeated string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set adds one value.
func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}
