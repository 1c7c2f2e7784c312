package hooks

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Admin carries out the administrative actions that the REST API and the
// admin CLI share: creating a hook (which sends it a ping, as GitHub does),
// pinging it, sending it the latest push again and redelivering an attempt.
// Events it queues are delivered by the daemon's dispatcher.
type Admin struct {
	Hooks      HookService
	Deliveries DeliveryService
	Queue      DeliveryQueue
	Accounts   AccountService
	Repos      GitRepos
	URLs       URLs   // the URLs payloads carry: no API prefix
	OnEnqueue  func() // called after work was queued, to wake the dispatcher; may be nil
}

// NewHook returns a hook of owner/repo (repo "" for an organization hook)
// with GitHub's defaults for a create request: active, name "web". Validate
// fills in the rest.
func NewHook(owner, repo string) *Hook {
	return &Hook{Owner: owner, Repo: repo, Name: "web", Active: true}
}

// PingError reports that a hook was created but its first ping could not be
// queued: the hook exists.
type PingError struct{ Err error }

// Error implements the error interface.
func (e *PingError) Error() string { return "queue ping for new hook: " + e.Err.Error() }

// Unwrap returns the error of queueing the ping.
func (e *PingError) Unwrap() error { return e.Err }

// CreateHook validates and stores h, then queues the ping GitHub sends to a
// new hook, sent by the account sender. It returns the ping event; if only
// the ping failed, the error is a *PingError and h is stored.
func (a *Admin) CreateHook(ctx context.Context, h *Hook, sender string) (*Event, error) {
	if err := a.Hooks.CreateHook(ctx, h); err != nil {
		return nil, err
	}
	ping, err := a.Ping(ctx, h, sender)
	if err != nil {
		return nil, &PingError{Err: err}
	}
	return ping, nil
}

// Ping queues a ping event to hook h, sent by the account sender, and
// returns it (its GUID is the delivery's X-GitHub-Delivery).
func (a *Admin) Ping(ctx context.Context, h *Hook, sender string) (*Event, error) {
	e, err := a.pingEvent(ctx, h, sender)
	if err != nil {
		return nil, err
	}
	return e, a.enqueue(ctx, e)
}

// pingEvent builds the ping event to hook h, sent by the account sender.
func (a *Admin) pingEvent(ctx context.Context, h *Hook, sender string) (*Event, error) {
	e, about, err := a.hookEvent(ctx, h, EventPing, sender)
	if err != nil {
		return nil, err
	}
	if e.Payload, err = json.Marshal(NewPingPayload(a.URLs, h, about.repo, about.owner, about.sender)); err != nil {
		return nil, err
	}
	return e, nil
}

// Preview builds, without sending it, the request a delivery to h would
// make now: for the latest push of h's repository (of repository repo of
// the organization, for an organization hook), or, when h receives no push
// events or there is no push yet, for a ping sent by the account sender. The
// event gets a new GUID, as a test delivery would. Nothing is stored or
// queued.
func (a *Admin) Preview(ctx context.Context, h *Hook, repo, sender string) (*Event, *Request, error) {
	if !h.IsOrg() {
		repo = h.Repo
	}
	var e *Event
	if repo != "" && h.Wants(EventPush) {
		last, err := a.Deliveries.LatestEvent(ctx, h.Owner, repo, EventPush)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, nil, err
		}
		e = last
	}
	if e == nil {
		ping, err := a.pingEvent(ctx, h, sender)
		if err != nil {
			return nil, nil, err
		}
		e = ping
	}
	e.GUID = NewGUID()
	r, err := NewRequest(h, e, time.Now())
	if err != nil {
		return nil, nil, Invalid("Hook", "template", "custom", "The request cannot be built: "+err.Error())
	}
	return e, r, nil
}

// DeleteHook deletes hook h and, if h is active and subscribed to meta,
// sends it GitHub's meta event (action deleted, sent by the account sender)
// once, best effort, after it is gone. It returns ENOTFOUND if h was
// deleted meanwhile.
func (a *Admin) DeleteHook(ctx context.Context, h *Hook, sender string) error {
	if !h.Active || !h.Wants(EventMeta) {
		return a.Hooks.DeleteHook(ctx, h.ID)
	}
	e, about, err := a.hookEvent(ctx, h, EventMeta, sender)
	if err != nil {
		return err
	}
	e.Action, e.Targets = "deleted", nil
	if e.Payload, err = json.Marshal(NewMetaPayload(a.URLs, h, about.repo, about.owner, about.sender)); err != nil {
		return err
	}
	if err := a.Hooks.DeleteHookWithMeta(ctx, h.ID, e); err != nil {
		return err
	}
	a.woke()
	return nil
}

// eventAbout is what an event about a hook says of its scope and sender.
type eventAbout struct {
	repo          *Repository // nil for organization and global hooks
	owner, sender Account     // owner is zero for a global hook
}

// hookEvent returns an event named name for hook h alone, sent by the
// account sender, with the accounts and repository its payload needs.
func (a *Admin) hookEvent(ctx context.Context, h *Hook, name, sender string) (*Event, *eventAbout, error) {
	from, err := a.Accounts.EnsureAccount(ctx, sender)
	if err != nil {
		return nil, nil, err
	}
	about := &eventAbout{sender: *from}
	e := &Event{GUID: NewGUID(), Name: name, Targets: []int64{h.ID}}
	switch {
	case h.IsGlobal():
		return e, about, nil
	case h.IsOrg():
		owner, err := a.Accounts.EnsureAccount(ctx, h.Owner)
		if err != nil {
			return nil, nil, err
		}
		owner.Org = true
		about.owner = *owner
	default:
		g, err := a.Repos.FindRepo(ctx, h.Owner, h.Repo)
		if err != nil {
			return nil, nil, err
		}
		if about.repo, err = LoadRepository(ctx, a.Accounts, g, LatestPush(ctx, a.Deliveries, g)); err != nil {
			return nil, nil, err
		}
		about.owner = about.repo.Owner
		e.Repo, e.RepoID = about.repo.Name, about.repo.ID
	}
	e.Owner, e.OwnerID = about.owner.Login, about.owner.ID
	return e, about, nil
}

// TestPush sends the latest push of h's repository to h again, as a new
// event, if h is subscribed to push. It returns the event queued, or nil if
// there was nothing to send.
func (a *Admin) TestPush(ctx context.Context, h *Hook) (*Event, error) {
	if h.IsOrg() || !h.Wants(EventPush) {
		return nil, nil
	}
	last, err := a.Deliveries.LatestEvent(ctx, h.Owner, h.Repo, EventPush)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, err
	}
	e := *last
	e.ID, e.GUID, e.Targets = 0, NewGUID(), []int64{h.ID}
	return &e, a.enqueue(ctx, &e)
}

// Redeliver queues attempt id of hook hookID again: a new attempt with the
// same GUID and payload. It returns ENOTFOUND for an unknown attempt.
func (a *Admin) Redeliver(ctx context.Context, hookID, id int64) error {
	if err := a.Deliveries.Redeliver(ctx, hookID, id); err != nil {
		return err
	}
	a.woke()
	return nil
}

func (a *Admin) enqueue(ctx context.Context, e *Event) error {
	if err := a.Queue.EnqueueEvent(ctx, e); err != nil {
		return fmt.Errorf("queue %s event: %w", e.Name, err)
	}
	a.woke()
	return nil
}

func (a *Admin) woke() {
	if a.OnEnqueue != nil {
		a.OnEnqueue()
	}
}

// LatestPush returns when g was last pushed to, as far as forgehook knows,
// or the zero time.
func LatestPush(ctx context.Context, d DeliveryService, g *GitRepo) time.Time {
	e, err := d.LatestEvent(ctx, g.Owner, g.Name, EventPush)
	if err != nil {
		return time.Time{}
	}
	return e.CreatedAt
}
