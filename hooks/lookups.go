package hooks

import (
	"context"
	"fmt"
)

// lookups remembers, for one batch of claimed pushes, what each push would
// otherwise look up again: the identity and hooks of its repository and
// the pusher's account. A batch is handled within moments, so a hook
// created meanwhile is seen from the next batch on, as if the pushes had
// been handled a moment earlier.
type lookups struct {
	repos    map[string]*repoLookup // by git dir as recorded
	accounts map[string]*Account    // by login
}

type repoLookup struct {
	repo  Repository
	hooks []*Hook
}

func newLookups() *lookups {
	return &lookups{repos: map[string]*repoLookup{}, accounts: map[string]*Account{}}
}

// repository returns the repository p was pushed to, with p's time as its
// latest push, and the active hooks that receive its events.
func (l *lookups) repository(ctx context.Context, w *PushWorker, p *Push) (*Repository, []*Hook, error) {
	rl := l.repos[p.GitDir]
	if rl == nil {
		repo, err := w.repository(ctx, p)
		if err != nil {
			return nil, nil, err
		}
		hooks, err := w.Hooks.HooksFor(ctx, repo.Owner.Login, repo.Name)
		if err != nil {
			return nil, nil, fmt.Errorf("find hooks: %w", err)
		}
		rl = &repoLookup{repo: *repo, hooks: hooks}
		l.repos[p.GitDir] = rl
	}
	repo := rl.repo // a copy: PushedAt is this push's
	repo.PushedAt = p.ReceivedAt
	return &repo, rl.hooks, nil
}

// account returns the account of login, creating it if needed.
func (l *lookups) account(ctx context.Context, accounts AccountService, login string) (*Account, error) {
	if a := l.accounts[login]; a != nil {
		return a, nil
	}
	a, err := accounts.EnsureAccount(ctx, login)
	if err != nil {
		return nil, err
	}
	l.accounts[login] = a
	return a, nil
}
