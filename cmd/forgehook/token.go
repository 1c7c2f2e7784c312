package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store"
)

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

// runToken handles "token create": it prints a new API token as the last line.
func runToken(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("token: usage: forgehook token create [--db FILE] --user NAME [--repo OWNER/NAME ...]")
	}
	var c common
	var login string
	var repos repoList
	fs := newFlagSet("token create", stdout)
	c.register(fs)
	fs.StringVar(&login, "user", "", "the `login` the token acts as (required)")
	fs.Var(&repos, "repo", "limit the token to `OWNER/NAME` (or OWNER/* for the owner and its organization hooks); names are exact and case-sensitive, as the repository is spelled on disk (acme/widgets is not Acme/Widgets); repeatable; none means admin for every repository")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if login == "" || len(login) > 100 {
		return errors.New("token create: --user NAME is required (at most 100 characters)")
	}
	db, err := store.Open(c.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	token, err := db.CreateToken(ctx, login, repos)
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	scope := "admin for every repository"
	if len(repos) > 0 {
		scope = "admin for " + repos.String()
	}
	fmt.Fprintf(stdout, "Created a token for %s (%s). It is shown only once:\n%s\n", login, scope, token)
	return nil
}
