package hooks

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// PushWorker turns recorded pushes into events: for every ref update it reads
// the commits with git, against the refs as they were when the push was made
// (see RefStates), builds the push (and create or delete) payloads, and
// stores them with one job per subscribed hook, in the same transaction that
// records the push's progress. The pushes of one repository are handled in
// the order they were recorded, and those of different repositories in turn:
// a claim takes at most maxChunkRefs updates of each push, so a push of
// thousands of refs cannot hold back other repositories. Events are stored in
// batches (one transaction for the pushes of a claim), so each hook's jobs
// are queued in push order. A ref update whose commits cannot be read is
// retried on its own and at last recorded as failed, while the push's other
// updates are delivered.
type PushWorker struct {
	Pushes   PushQueue
	Hooks    HookService
	Accounts AccountService
	Repos    GitRepos
	Commits  CommitReader
	Refs     RefStates // the ref state each push is computed against
	URLs     URLs
	Owner    string        // lease owner: this daemon's boot id
	Poll     time.Duration // how often to look for pushes without a wake-up; 500ms by default
	Now      func() time.Time
	Logger   *slog.Logger
	Observer Observer // told of every push handled; none by default
	OnEvents func()   // called after events were queued: wakes the dispatcher

	// MaxTagsPerPush follows GitHub, which creates no events for tags when
	// more than three are pushed at once: a push that updates more than
	// MaxTagsPerPush tags gets no push, create or delete events for its tags
	// (its branches still get theirs). 0 means no limit.
	MaxTagsPerPush int

	once sync.Once
	wake chan struct{}
}

// maxPushAttempts is how often a push whose payloads cannot be built is tried.
const maxPushAttempts = 10

// pushLease bounds how long building the payloads of one claimed batch may take.
const pushLease = 5 * time.Minute

// Wake tells the worker that a push was recorded. It never blocks.
func (w *PushWorker) Wake() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *PushWorker) init() {
	w.once.Do(func() {
		w.wake = make(chan struct{}, 1)
		if w.Poll <= 0 {
			w.Poll = 500 * time.Millisecond
		}
		if w.Now == nil {
			w.Now = time.Now
		}
		if w.Logger == nil {
			w.Logger = slog.New(slog.DiscardHandler)
		}
		if w.OnEvents == nil {
			w.OnEvents = func() {}
		}
		if w.Observer == nil {
			w.Observer = nopObserver{}
		}
	})
}

// Run handles pushes until ctx is cancelled. A push it was handling when
// cancelled is handled again by the next claim: nothing was stored for it.
func (w *PushWorker) Run(ctx context.Context) error {
	w.init()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-w.wake:
		case <-timer.C:
		}
		for ctx.Err() == nil {
			pushes, err := w.Pushes.ClaimPushes(ctx, w.Owner, pushClaim, pushLease)
			if err != nil {
				if ctx.Err() == nil {
					w.Logger.Error("claim pushes", "err", err)
				}
				break
			}
			more := w.handle(ctx, pushes)
			if len(pushes) < pushClaim && !more {
				break
			}
		}
		resetTimer(timer, w.Poll)
	}
}

// pushClaim is how many pushes one claim takes. Their events are stored in
// batches that hold up to maxBatchPayload bytes of payloads (so that big
// pushes do not pile up in memory) and wait at most maxBatchDelay (so that
// the first pushes of a backlog are not held back by the others).
const (
	pushClaim       = 64
	maxBatchPayload = 4 << 20
	maxBatchDelay   = 50 * time.Millisecond
)

// handle builds the events of the claimed pushes, in order, a chunk of each,
// and stores them with one transaction per batch (one commit instead of one
// per push). Once a push of a repository is not finished in this claim (more
// chunks to go, a retry, a failure), the later pushes of that repository are
// given back, to be handled after it. handle reports whether any of them is
// due again at once: the next claim need not wait.
func (w *PushWorker) handle(ctx context.Context, pushes []*ClaimedPush) (more bool) {
	var (
		batch   []PushEvents
		size    int
		look    = newLookups()
		start   = time.Now()
		states  = map[string]map[string]string{} // after the pushes finished in this claim
		stalled = map[string]bool{}
	)
	for _, p := range pushes {
		if stalled[p.GitDir] {
			more = true
			if err := w.Pushes.ReleasePush(ctx, p); err != nil && ctx.Err() == nil {
				w.Logger.Error("release push", "push", p.ID, "err", err)
			}
			continue
		}
		pe, after, err := w.chunk(ctx, p, look, states[p.GitDir])
		if err != nil {
			w.fail(ctx, p, err)
			stalled[p.GitDir] = true
			continue
		}
		if after != nil {
			states[p.GitDir] = after
		} else {
			stalled[p.GitDir] = true
			more = more || pe.Next < len(p.Updates)
		}
		batch = append(batch, pe)
		for _, e := range pe.Events {
			size += len(e.Payload)
		}
		if size >= maxBatchPayload || time.Since(start) >= maxBatchDelay {
			w.complete(ctx, batch)
			batch, size, start = batch[:0], 0, time.Now()
		}
	}
	w.complete(ctx, batch)
	return more
}

// complete stores a batch of pushes with their events and wakes the dispatcher.
func (w *PushWorker) complete(ctx context.Context, batch []PushEvents) {
	if len(batch) == 0 {
		return
	}
	errs, err := w.Pushes.CompletePushes(ctx, batch)
	stored := false
	for i, b := range batch {
		switch {
		case err != nil:
			w.fail(ctx, b.Push, err)
		case errs[i] != nil:
			w.fail(ctx, b.Push, errs[i])
		default:
			stored = true
			w.reportPush(b)
		}
	}
	if stored {
		w.OnEvents()
	}
}

// fail gives up the lease on p after err, for a retry later or for good.
func (w *PushWorker) fail(ctx context.Context, p *ClaimedPush, err error) {
	if ctx.Err() != nil {
		return // the lease is recovered at the next start
	}
	code := ErrorCode(err)
	final := p.Attempts >= maxPushAttempts || code == ENOTFOUND || code == EUNSUPPORTED
	level := slog.LevelError
	if code == EUNSUPPORTED { // the admin's choice of repository, not a fault
		level = slog.LevelWarn
	}
	retryAt := w.Now().Add(time.Duration(p.Attempts*p.Attempts) * time.Second)
	w.Logger.Log(ctx, level, "build push events", "push", p.ID, "git_dir", p.GitDir, "attempt", p.Attempts, "final", final, "err", err)
	if err := w.Pushes.RetryPush(ctx, p, retryAt, err.Error(), final); err != nil {
		w.Logger.Error("retry push", "push", p.ID, "err", err)
	}
}

// tagsOverLimit reports whether push p updates more than MaxTagsPerPush tags
// of repo, and logs that their events are skipped if so, at p's first chunk.
func (w *PushWorker) tagsOverLimit(p *ClaimedPush, repo *Repository) bool {
	tags := 0
	for _, up := range p.Updates {
		if up.RefType() == "tag" {
			tags++
		}
	}
	if w.MaxTagsPerPush <= 0 || tags <= w.MaxTagsPerPush {
		return false
	}
	if p.Next > 0 {
		return true
	}
	w.Logger.Info("skipped the events of a push's tags: it updates more tags than max_tags_per_push, and GitHub sends none then",
		"repo", repo.FullName(), "push", p.ID, "tags_skipped", tags, "max_tags_per_push", w.MaxTagsPerPush)
	return true
}

func (w *PushWorker) repository(ctx context.Context, p *Push) (*Repository, error) {
	g, err := w.Repos.RepoAt(ctx, p.GitDir)
	if err != nil {
		return nil, fmt.Errorf("repository %s: %w", p.GitDir, err)
	}
	return LoadRepository(ctx, w.Accounts, g, p.ReceivedAt)
}

// LoadRepository gives the bare repository g its forgehook identity: ids for
// it and its owner, and whether the owner is an organization. pushedAt is the
// time of the latest push, if known.
func LoadRepository(ctx context.Context, accounts AccountService, g *GitRepo, pushedAt time.Time) (*Repository, error) {
	owner, err := accounts.EnsureAccount(ctx, g.Owner)
	if err != nil {
		return nil, fmt.Errorf("owner account: %w", err)
	}
	id, created, err := accounts.EnsureRepo(ctx, g.Owner, g.Name)
	if err != nil {
		return nil, fmt.Errorf("repository id: %w", err)
	}
	if !g.CreatedAt.IsZero() && g.CreatedAt.Before(created) {
		created = g.CreatedAt
	}
	return &Repository{
		ID: id, Owner: *owner, Name: g.Name, GitDir: g.GitDir, Description: g.Description,
		DefaultBranch: g.DefaultBranch, CreatedAt: created, PushedAt: pushedAt,
	}, nil
}

// targets returns the ids of the hooks that want event of ref: their
// events include it and their branch filters let ref through.
func targets(hooks []*Hook, event, ref string) []int64 {
	var ids []int64
	for _, h := range hooks {
		if h.Active && h.Wants(event) && h.WantsRef(ref) {
			ids = append(ids, h.ID)
		}
	}
	return ids
}

// PusherFromEnv returns the pusher's login from a post-receive environment,
// the first non-blank of: FORGEHOOK_PUSHER (set by the administrator, for
// instance per ssh key), GL_USER (gitolite), GL_USERNAME (GitLab),
// REMOTE_USER (git-http-backend behind HTTP authentication); else the OS
// user, else "git".
func PusherFromEnv(getenv func(string) string, osUser string) string {
	for _, k := range []string{"FORGEHOOK_PUSHER", "GL_USER", "GL_USERNAME", "REMOTE_USER"} {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return truncate(v, 100)
		}
	}
	if osUser == "" {
		return "git"
	}
	return osUser
}
