package hooks

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// maxChunkRefs bounds the ref updates of one push handled per claim.
const maxChunkRefs = 500

// maxRefAttempts is how often a ref update whose commits cannot be read is
// tried before it is recorded as failed; retryRef the wait before a retry.
const maxRefAttempts = 3

func retryRef(attempts int) time.Duration { return time.Duration(attempts*attempts) * time.Second }

// chunk builds the events of the next chunk of p's updates and of its
// updates due for a retry, against the refs of before p: refs if known (the
// state after the previous push of its repository, handled in this claim),
// else from the store. after is the state after p if p is finished with this
// chunk, nil otherwise.
func (w *PushWorker) chunk(ctx context.Context, p *ClaimedPush, look *lookups, refs map[string]string) (pe PushEvents, after map[string]string, err error) {
	repo, hooks, err := look.repository(ctx, w, &p.Push)
	if err != nil {
		return pe, nil, err
	}
	pusher, err := look.account(ctx, w.Accounts, p.Pusher)
	if err != nil {
		return pe, nil, fmt.Errorf("pusher account: %w", err)
	}
	if refs == nil {
		if refs, err = w.refsBefore(ctx, p, repo.GitDir); err != nil {
			return pe, nil, err
		}
	}
	pe = PushEvents{Push: p, Next: min(len(p.Updates), p.Next+maxChunkRefs)}
	b := &eventBuilder{w: w, repo: repo, hooks: hooks, pusher: pusher, skipTags: w.tagsOverLimit(p, repo)}
	attempts := map[int]int{}
	for _, r := range p.Retry {
		attempts[r.Index] = r.Attempts
		reads, err := w.Commits.ReadPush(ctx, repo.GitDir, refs, p.Updates, r.Index, r.Index+1)
		if err != nil {
			return pe, nil, err
		}
		if err := b.add(&pe, r.Index, reads[0], attempts[r.Index]); err != nil {
			return pe, nil, err
		}
	}
	reads, err := w.Commits.ReadPush(ctx, repo.GitDir, refs, p.Updates, p.Next, pe.Next)
	if err != nil {
		return pe, nil, err
	}
	for k, rd := range reads {
		if err := b.add(&pe, p.Next+k, rd, 0); err != nil {
			return pe, nil, err
		}
	}
	finished := p.Next == 0 && pe.Next == len(p.Updates)
	for _, f := range pe.Failed {
		finished = finished && f.Final
	}
	if !finished {
		return pe, nil, nil
	}
	return pe, ApplyPush(refs, p.Updates), nil
}

// refsBefore returns the refs of p's repository just before p: the kept
// state, or else (the first time, or after refs moved without a push the
// worker handled) those on disk with p and every later push undone, which
// then become the kept state.
func (w *PushWorker) refsBefore(ctx context.Context, p *ClaimedPush, gitDir string) (map[string]string, error) {
	refs, ok, err := w.Refs.RefState(ctx, p.GitDir, p.ID)
	if err != nil || ok {
		return refs, err
	}
	refs, err = w.Commits.ReadRefs(ctx, gitDir)
	if err != nil {
		return nil, err
	}
	later, err := w.Refs.LaterPushes(ctx, p.GitDir, p.ID)
	if err != nil {
		return nil, err
	}
	for k := len(later) - 1; k >= 0; k-- {
		refs = UndoPush(refs, later[k])
	}
	refs = UndoPush(refs, p.Updates)
	if err := w.Refs.SeedRefState(ctx, p.GitDir, p.ID, refs); err != nil {
		return nil, err
	}
	return refs, nil
}

// eventBuilder builds the events of the updates of one push.
type eventBuilder struct {
	w        *PushWorker
	repo     *Repository
	hooks    []*Hook
	pusher   *Account
	skipTags bool
}

// add adds to pe the events of update i of pe.Push, read as rd after
// attempts earlier tries: for a ref update a push event (kept even with no
// subscriber, for POST /hooks/{id}/tests) and, for a branch or tag that was
// created or deleted, a create or delete event if a hook wants it. An update
// that could not be read is recorded as failed instead. Tags make none past
// MaxTagsPerPush.
func (b *eventBuilder) add(pe *PushEvents, i int, rd RefRead, attempts int) error {
	p := pe.Push
	up := p.Updates[i]
	if b.skipTags && up.RefType() == "tag" {
		return nil
	}
	if rd.Err != nil {
		f := &RefFailure{PushID: p.ID, GitDir: p.GitDir, Index: i, Ref: up.Ref, Attempts: attempts + 1,
			Reason: rd.Err.Error(), ReceivedAt: p.ReceivedAt}
		f.Final = f.Attempts >= maxRefAttempts
		f.RetryAt = b.w.Now().Add(retryRef(f.Attempts))
		if f.Final {
			b.w.Logger.Error("ref update failed for good: the push's other refs get their events, this one none",
				"push", p.ID, "repo", b.repo.FullName(), "ref", up.Ref, "attempts", f.Attempts, "err", rd.Err)
		} else {
			b.w.Logger.Debug("read ref update", "push", p.ID, "ref", up.Ref, "attempt", f.Attempts, "err", rd.Err)
		}
		pe.Failed = append(pe.Failed, f)
		return nil
	}
	if attempts > 0 {
		pe.Read = append(pe.Read, i)
	}
	pe.Commits += rd.Change.TotalCommits
	in := PushInput{Repo: b.repo, Update: up, Change: rd.Change, Pusher: *b.pusher}
	if err := b.event(pe, EventPush, up.Ref, NewPushPayload(b.w.URLs, in)); err != nil {
		return err
	}
	if name, payload := NewRefEventPayload(b.w.URLs, b.repo, up, *b.pusher); payload != nil && len(targets(b.hooks, name, up.Ref)) > 0 {
		return b.event(pe, name, up.Ref, payload)
	}
	return nil
}

// event adds an event named name of ref with payload to pe, for the hooks
// that want it.
func (b *eventBuilder) event(pe *PushEvents, name, ref string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encode %s payload: %w", name, err)
	}
	r := b.repo
	pe.Events = append(pe.Events, &Event{
		GUID: NewGUID(), Owner: r.Owner.Login, Repo: r.Name, RepoID: r.ID, OwnerID: r.Owner.ID,
		Name: name, Payload: body, CreatedAt: b.w.Now(), Targets: targets(b.hooks, name, ref),
	})
	return nil
}
