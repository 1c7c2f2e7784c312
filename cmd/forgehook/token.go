package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

const tokenUsage = `token: usage:
  forgehook token create [--db FILE] --user NAME [--repo OWNER/NAME]...
  forgehook token list   [--db FILE] [--json]
  forgehook token revoke [--db FILE] ID`

// repoList collects repeated --repo flags.
type repoList []string

func (l *repoList) String() string { return strings.Join(*l, ",") }

func (l *repoList) Set(v string) error {
	owner, name, ok := strings.Cut(v, "/")
	if !ok || !hooks.ValidName(owner) || !(name == "*" || hooks.ValidName(name)) {
		return fmt.Errorf("want OWNER/NAME or OWNER/*, got %q", v)
	}
	*l = append(*l, v)
	return nil
}

var _ flag.Value = (*repoList)(nil)

// tokenFlags are the flags of every token command.
type tokenFlags struct {
	common
	JSON bool
}

// runToken handles "token create|list|revoke".
func runToken(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usagef("%s", tokenUsage)
	}
	var f tokenFlags
	fs := newFlagSet("token "+args[0], stdout)
	f.register(fs)
	fs.BoolVar(&f.JSON, "json", false, "machine output: JSON")
	var run func(context.Context, *storage, []string) error
	switch args[0] {
	case "create":
		var login string
		var repos repoList
		fs.StringVar(&login, "user", "", "the `login` the token acts as (required)")
		fs.Var(&repos, "repo", "limit the token to `OWNER/NAME` (or OWNER/* for the owner and its organization hooks); names are exact and case-sensitive, as the repository is spelled on disk (acme/widgets is not Acme/Widgets); repeatable; none means admin for every repository")
		run = func(ctx context.Context, db *storage, pos []string) error {
			if len(pos) > 0 {
				return usagef("token create: unexpected argument %q", pos[0])
			}
			if login == "" || len(login) > 100 {
				return usagef("token create: --user NAME is required (at most 100 characters)")
			}
			return tokenCreate(ctx, db, f.JSON, login, repos, stdout)
		}
	case "list":
		run = func(ctx context.Context, db *storage, pos []string) error {
			if len(pos) > 0 {
				return usagef("token list: unexpected argument %q", pos[0])
			}
			return tokenList(ctx, db, f.JSON, stdout)
		}
	case "revoke":
		run = func(ctx context.Context, db *storage, pos []string) error {
			if len(pos) != 1 {
				return usagef("token revoke: want one token ID (forgehook token list lists them)")
			}
			id, err := strconv.ParseInt(pos[0], 10, 64)
			if err != nil || id <= 0 {
				return usagef("token revoke: token ID %q is not a number (forgehook token list lists them)", pos[0])
			}
			if err := db.RevokeToken(ctx, id); err != nil {
				return notFound(err, "no token %d: forgehook token list lists them", id)
			}
			if !f.JSON {
				fmt.Fprintf(stdout, "Revoked token %d: it no longer authenticates.\n", id)
			}
			return nil
		}
	default:
		return usagef("token: unknown command %q\n%s", args[0], tokenUsage)
	}
	pos, err := parseArgs(fs, args[1:], stdout)
	if err != nil {
		return err
	}
	if err := f.absolute(); err != nil {
		return err
	}
	// The first token may come before the daemon made the database.
	db, err := openDB(ctx, f.DB, args[0] == "create")
	if err != nil {
		return err
	}
	defer db.Close()
	return run(ctx, db, pos)
}

// tokenJSON is a token as token list --json and token create --json show
// it; only create shows the token itself.
type tokenJSON struct {
	ID         int64    `json:"id,omitempty"`
	Login      string   `json:"login"`
	Repos      []string `json:"repos"`
	Token      string   `json:"token,omitempty"`
	CreatedAt  string   `json:"created_at,omitempty"`
	LastUsedAt *string  `json:"last_used_at,omitempty"`
}

// tokenCreate prints a new API token as the last line.
func tokenCreate(ctx context.Context, db *storage, asJSON bool, login string, repos repoList, stdout io.Writer) error {
	token, err := db.CreateToken(ctx, login, repos)
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	if asJSON {
		return writeJSON(stdout, tokenJSON{Login: login, Repos: append([]string{}, repos...), Token: token})
	}
	fmt.Fprintf(stdout, "Created a token for %s (%s). It is shown only once:\n%s\n", login, tokenScope(repos), token)
	return nil
}

// tokenScope says what a token may administer.
func tokenScope(repos []string) string {
	if len(repos) == 0 {
		return "admin for every repository"
	}
	return "admin for " + strings.Join(repos, ",")
}

func tokenList(ctx context.Context, db *storage, asJSON bool, stdout io.Writer) error {
	list, err := db.ListTokens(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		out := make([]tokenJSON, 0, len(list))
		for _, t := range list {
			j := tokenJSON{ID: t.ID, Login: t.Login, Repos: append([]string{}, t.Repos...),
				CreatedAt: t.CreatedAt.UTC().Format(time.RFC3339)}
			if !t.LastUsedAt.IsZero() {
				s := t.LastUsedAt.UTC().Format(time.RFC3339)
				j.LastUsedAt = &s
			}
			out = append(out, j)
		}
		return writeJSON(stdout, out)
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, "No tokens: forgehook token create --user NAME makes one.")
		return nil
	}
	now := time.Now()
	t := newTable(stdout, column{"ID", 5}, column{"LOGIN", 14}, column{"SCOPE", 26}, column{"CREATED", 16}, column{"LAST USED", 9})
	for _, tok := range list {
		scope := "every repository"
		if len(tok.Repos) > 0 {
			scope = strings.Join(tok.Repos, ",")
		}
		t.Row(strconv.FormatInt(tok.ID, 10), tok.Login, scope, tok.CreatedAt.Local().Format("2006-01-02 15:04"), ago(tok.LastUsedAt, now))
	}
	return t.Flush()
}
