package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"

	"github.com/forgehook/forgehook/git"
	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/wake"
)

// adminFlags are the flags of the commands that manage hooks, deliveries
// and tokens on the database directly: hook, deliveries, redeliver, token.
type adminFlags struct {
	common
	urlFlags
	SecretKeyFile string
	JSON          bool
}

func (f *adminFlags) register(fs *flag.FlagSet) {
	f.common.register(fs)
	f.urlFlags.register(fs)
	registerKeyFile(fs, &f.SecretKeyFile)
	fs.BoolVar(&f.JSON, "json", false, "machine output: JSON in the REST API's shapes")
}

// admin is an opened database with what the admin commands need around it.
type admin struct {
	*adminFlags
	db    *storage
	repos *git.Repos
	do    *hooks.Admin
}

// open opens the database the daemon uses; work queued through do wakes the
// running daemon through its wake-up socket.
func (f *adminFlags) open() (*admin, error) {
	if err := f.absolute(); err != nil {
		return nil, err
	}
	db, err := openDB(context.Background(), f.DB, false)
	if err != nil {
		return nil, err
	}
	keyFile, err := keyFilePath(f.SecretKeyFile, f.DB)
	if err == nil {
		err = useSecretKeys(context.Background(), db, keyFile)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	repos := &git.Repos{Root: f.Repos, DefaultOwner: f.DefaultOwner}
	a := &admin{adminFlags: f, db: db, repos: repos}
	a.do = &hooks.Admin{Hooks: db, Deliveries: db, Queue: db, Accounts: db, Repos: repos,
		URLs: f.urls(), OnEnqueue: func() { notifyDaemon(f.DB) }}
	return a, nil
}

// notifyDaemon wakes the daemon of the SQLite database db through its
// wake-up socket. On PostgreSQL the store's own notification (LISTEN/NOTIFY)
// does that when the work commits.
func notifyDaemon(db string) {
	if !isPostgres(db) {
		wake.Notify(wake.SocketPath(db))
	}
}

func (a *admin) Close() error { return a.db.Close() }

// findRepo resolves OWNER/NAME as the daemon does: exactly, else the one
// repository matching it ignoring case.
func (a *admin) findRepo(ctx context.Context, full string) (*hooks.GitRepo, error) {
	owner, name, ok := strings.Cut(full, "/")
	if !ok || !hooks.ValidName(owner) || !hooks.ValidName(name) {
		return nil, usagef("--repo wants OWNER/NAME, got %q", full)
	}
	g, err := a.repos.FindRepo(ctx, owner, name)
	if hooks.ErrorCode(err) == hooks.ENOTFOUND {
		return nil, fmt.Errorf("no repository %s under --repos %s: check the name, or pass the daemon's --repos", full, a.Repos)
	}
	return g, a.reposError(err)
}

// findOwner resolves an organization owner as the daemon does.
func (a *admin) findOwner(ctx context.Context, owner string) (string, error) {
	if !hooks.ValidName(owner) {
		return "", usagef("--org wants an OWNER name, got %q", owner)
	}
	found, err := a.repos.FindOwner(ctx, owner)
	if hooks.ErrorCode(err) == hooks.ENOTFOUND {
		return "", fmt.Errorf("no owner %s under --repos %s: an organization is a directory REPOS/OWNER holding repositories", owner, a.Repos)
	}
	return found, a.reposError(err)
}

func (a *admin) reposError(err error) error {
	if err != nil {
		return fmt.Errorf("--repos %s: %w", a.Repos, err)
	}
	return nil
}

// sender returns the account that pings from the shell are sent by: the
// user running the command, or "forgehook" if that is not a valid login.
func sender() string {
	if u, err := user.Current(); err == nil && hooks.ValidName(u.Username) {
		return u.Username
	}
	return "forgehook"
}

// daemonNote returns a note for work queued when no daemon seems to run
// (no wake-up socket beside the database), or "".
func (a *admin) daemonNote() string {
	if a.db.PG != nil {
		return "" // any daemon sharing the database takes it
	}
	if _, err := os.Stat(wake.SocketPath(a.DB)); err == nil {
		return ""
	}
	return "no daemon seems to run on " + a.DB + " (no wake-up socket): it is delivered once forgehook serve starts"
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// usageError is a command line the command cannot run: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// parseArgs parses flags that may come before, between or after the
// positional arguments, and returns those. -h prints the flags to help and
// returns flag.ErrHelp; a bad flag is a usage error naming the command.
func parseArgs(fs *flag.FlagSet, args []string, help io.Writer) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(help)
			fs.Usage()
			return nil, err
		} else if err != nil {
			return nil, usagef("%s: %v (see forgehook %s -h)", cmdName(fs), err, cmdName(fs))
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// cmdName returns the command fs parses for, as in messages: "hook create".
func cmdName(fs *flag.FlagSet) string { return strings.TrimPrefix(fs.Name(), "forgehook ") }

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// notFound turns ENOTFOUND into a line that says how to find what exists.
func notFound(err error, format string, args ...any) error {
	if hooks.ErrorCode(err) == hooks.ENOTFOUND {
		return fmt.Errorf(format, args...)
	}
	return err
}
