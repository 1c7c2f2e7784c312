// Command forgehook gives self-hosted bare git repositories GitHub's
// webhooks: a post-receive hook that records pushes, and a daemon that
// serves GitHub's webhooks API and PubSubHubbub hub and delivers the events.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `forgehook: GitHub-compatible webhooks for self-hosted bare git repositories.

Usage:
  forgehook serve        [--config FILE] [--listen ADDR] [--db FILE|URL] [--repos DIR] [--node NAME] ... [--print-config]
  forgehook install      [--db FILE|URL] [--repos DIR] [--node NAME] (--all | REPO_DIR...)
  forgehook install      --gitolite [--gitolite-home DIR] [--db FILE]
  forgehook uninstall    [--repos DIR] (--all | REPO_DIR...) | --gitolite
  forgehook doctor       [--db FILE|URL] [--repos DIR] (--all | REPO_DIR...)
  forgehook post-receive [--db FILE|URL] [--repos DIR] [--node NAME]  (run by git)
  forgehook hook         create|list|show|edit|delete|ping (--repo OWNER/NAME | --org OWNER) ...
  forgehook apply        [--dry-run] FILE    (declarative hooks: a TOML file)
  forgehook deliveries   [--repo OWNER/NAME] [--hook ID] [--failed] [--since 24h] [--limit N]
  forgehook redeliver    DELIVERY_ID
  forgehook token        create --user NAME [--repo OWNER/NAME]... | list | revoke ID
  forgehook secrets      rotate [--db FILE|URL] [--secret-key-file FILE]
  forgehook backup       [--db FILE] [--force] FILE
  forgehook migrate-db   --from FILE.db --to postgres://… [--node NAME]   (the daemon stopped)
  forgehook receive      --listen ADDR [--secret S]
  forgehook version | --version

--db is a SQLite file, or a postgres:// URL shared by several daemons and git
servers. Run "forgehook COMMAND -h" for a command's flags. The admin commands
(hook, apply, deliveries, redeliver, token) work on the database directly and take
--json.
Exit status: 0 done, 1 failed, 2 bad usage.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs one subcommand and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		err = runServe(ctx, rest, stdout, stderr)
	case "install":
		err = runInstall(ctx, rest, stdout)
	case "uninstall":
		err = runUninstall(ctx, rest, stdout)
	case "doctor":
		err = runDoctor(ctx, rest, stdout)
	case "post-receive":
		return runPostReceive(rest, stdin, stderr) // never fails the push
	case "hook":
		err = runHook(ctx, rest, stdin, stdout, stderr)
	case "apply":
		err = runApply(ctx, rest, stdout, stderr)
	case "deliveries":
		err = runDeliveries(ctx, rest, stdout)
	case "redeliver":
		err = runRedeliver(ctx, rest, stdout)
	case "token":
		err = runToken(ctx, rest, stdout)
	case "secrets":
		err = runSecrets(ctx, rest, stdout)
	case "backup":
		err = runBackup(ctx, rest, stderr)
	case "migrate-db":
		err = runMigrateDB(ctx, rest, stdout, stderr)
	case "receive":
		err = runReceive(ctx, rest, stdout)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "forgehook %s (%s %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "forgehook: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	var usageErr *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usageErr):
		fmt.Fprintln(stderr, "forgehook:", err)
		return 2
	}
	fmt.Fprintln(stderr, "forgehook:", err)
	return 1
}
