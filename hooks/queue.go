package hooks

import (
	"context"
	"time"
)

// Lease is a time-limited claim on queued work. Token is a fencing token, new
// on every claim: a worker whose lease was taken over can neither extend nor
// complete the work, because its token no longer matches.
type Lease struct {
	Owner string // the boot id of the claiming daemon
	Token int64
	Until time.Time
}

// ClaimedPush is a recorded push leased to one daemon for turning into events.
// A push with many ref updates is handled a chunk of updates per claim: Next
// says where the next chunk starts.
type ClaimedPush struct {
	Push
	Attempts int // how many times it has been claimed since it last made progress, this claim included
	Lease    Lease
	Next     int        // the updates before Next were handled, or set aside to be retried
	Retry    []RefRetry // updates before Next that failed and are due for another attempt
}

// RefRetry is a ref update of a push whose commits could not be read.
type RefRetry struct {
	Index    int // in the push's updates
	Attempts int // how many times it was tried so far
}

// Event is one thing that happened to a repository, with its payload frozen
// as JSON. It is sent to every hook in Targets under one GUID.
type Event struct {
	ID        int64
	GUID      string
	Owner     string
	Repo      string
	RepoID    int64
	OwnerID   int64  // the owner account's id: the target of organization hooks
	Name      string // X-GitHub-Event: push, ping, create, delete
	Action    string // "" for the events forgehook sends
	Payload   []byte // compact JSON, the exact bytes every delivery encodes
	CreatedAt time.Time
	Targets   []int64 // hook ids to deliver to; only used when enqueueing
}

// PushQueue holds recorded pushes until the daemon has turned them into events.
type PushQueue interface {
	// EnqueuePush records p in one transaction and sets its ID.
	EnqueuePush(ctx context.Context, p *Push) error
	// ClaimPushes leases up to n pushes that are due or whose lease expired,
	// round-robin between repositories: the oldest unhandled push of each
	// repository first, then the second ones, and so on. The pushes of one
	// repository come in the order they were recorded, and none is claimed
	// while an older one of its repository is leased or waits for a retry.
	ClaimPushes(ctx context.Context, owner string, n int, lease time.Duration) ([]*ClaimedPush, error)
	// CompletePushes stores, for each of done, its events with one queued job
	// per target hook and its progress, all in one transaction. A push whose
	// every update was tried, none waiting for a retry, is marked done, and
	// the ref state of its repository (see RefStates) moves past it; the
	// others are claimable again (at once, or when a retry is due). errs[i] is
	// ECONFLICT, and nothing is stored for done[i], if that push's lease was
	// lost; the others are stored. err is set, and nothing is stored, if the
	// transaction failed.
	CompletePushes(ctx context.Context, done []PushEvents) (errs []error, err error)
	// RetryPush gives up the lease on p after a failure: it becomes claimable
	// again at retryAt, or is marked failed with reason if final.
	RetryPush(ctx context.Context, p *ClaimedPush, retryAt time.Time, reason string, final bool) error
	// ReleasePush gives up the lease on p, untouched: it is claimable again at
	// once, and this claim does not count as an attempt.
	ReleasePush(ctx context.Context, p *ClaimedPush) error
	// FailedRefs returns up to limit ref updates that failed for good, newest
	// push first, with the reason.
	FailedRefs(ctx context.Context, limit int) ([]*RefFailure, error)
	PushBacklog
}

// PushBacklog tells how far behind the push worker is.
type PushBacklog interface {
	// OldestUnhandledPush returns when the oldest push not yet turned into
	// events (queued, leased or waiting for a retry) was recorded, or the zero
	// time if there is none.
	OldestUnhandledPush(ctx context.Context) (time.Time, error)
}

// PushEvents is a claimed push with the events built for some of its
// updates: those from Push.Next to Next, and the retried ones.
type PushEvents struct {
	Push    *ClaimedPush
	Events  []*Event
	Next    int           // the updates before Next have now been tried
	Failed  []*RefFailure // the updates that failed this time
	Read    []int         // the retried updates that were read this time
	Commits int           // how many commits the updates read this time brought
}

// RefFailure is a ref update whose commits could not be read.
type RefFailure struct {
	PushID     int64
	GitDir     string
	Index      int // in the push's updates
	Ref        string
	Attempts   int // tries so far, this one included
	Reason     string
	RetryAt    time.Time // when to try again, unless Final
	Final      bool      // given up: the push goes on without this update's events
	ReceivedAt time.Time // when the push was recorded
}

// Job is a leased delivery of one event to one hook.
type Job struct {
	ID         int64
	Event      *Event
	Hook       *Hook
	Attempt    int  // 1 for the first attempt of this job
	Redelivery bool // queued by a redelivery request: sent once, never retried
	// Farewell marks the meta event of a deleted hook: Hook is what the hook
	// was. It is sent once, never retried, and leaves no delivery record.
	Farewell bool
	Lease    Lease
}

// Outcome is what became of a job: the attempt made (nil if none was made)
// and whether the job is done, to be retried, or failed for good.
type Outcome struct {
	Job      *Job
	Delivery *Delivery
	State    JobState
	RetryAt  time.Time // for JobRetry
	// Health, if set, is the hook's health after the attempt, to be stored.
	Health *HookHealth
	// Disable, if set, disables the hook (active false), with this last response.
	Disable *LastResponse
	sent    bool // the attempt reached the wire, or tried to: it counts for the hook's health
}

// JobState is where a job stands in the queue.
type JobState int

// The states of a job.
const (
	JobQueued JobState = iota
	JobLeased
	JobSucceeded
	JobFailed
	JobRetry // an outcome only: back to JobQueued at RetryAt
)

// DeliveryQueue holds jobs: one per event and hook, plus redeliveries.
type DeliveryQueue interface {
	// EnqueueEvent stores e, sets its ID, and queues one job per target hook.
	EnqueueEvent(ctx context.Context, e *Event) error
	// ClaimJobs leases up to n due jobs, oldest first, skipping jobs of the
	// hooks in busy.
	ClaimJobs(ctx context.Context, owner string, n int, busy []int64, lease time.Duration) ([]*Job, error)
	// FinishJobs records outcomes in one transaction: each attempt is stored
	// as a Delivery and sets its hook's last response; each job moves to its
	// new state unless its lease was lost (then only the attempt is stored).
	FinishJobs(ctx context.Context, outcomes []*Outcome) error
	// RecoverLeases makes every job and push leased by another owner claimable
	// at once; a daemon calls it when it starts. It returns how many it freed.
	RecoverLeases(ctx context.Context, owner string) (int, error)
	// NextDue returns when the earliest queued job or push becomes due, or the
	// zero time if nothing is queued.
	NextDue(ctx context.Context) (time.Time, error)
}

// DeliveryService reads delivery history for the API and queues redeliveries.
type DeliveryService interface {
	// FindDeliveries returns up to limit attempts of hook, newest first, with
	// ids below before (0: from the newest). Payloads are not loaded.
	FindDeliveries(ctx context.Context, hookID, before int64, limit int) ([]*Delivery, error)
	// FindDelivery returns one attempt of hook with its request payload and
	// response, or ENOTFOUND.
	FindDelivery(ctx context.Context, hookID, id int64) (*Delivery, error)
	// Redeliver queues the event of attempt id again for its hook, as a
	// redelivery with the same GUID, or returns ENOTFOUND.
	Redeliver(ctx context.Context, hookID, id int64) error
	// LatestEvent returns the newest event named name of owner/repo, or ENOTFOUND.
	LatestEvent(ctx context.Context, owner, repo, name string) (*Event, error)
	// SearchDeliveries returns the attempts of any hook that match f, newest
	// first. Payloads are not loaded.
	SearchDeliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, error)
}

// DeliveryFilter selects delivery attempts. Zero fields match everything.
type DeliveryFilter struct {
	ID     int64     // that attempt
	HookID int64     // the attempts of that hook
	Owner  string    // the attempts of events of that owner's repositories and organization
	Repo   string    // with Owner: the attempts of events of that repository
	Failed bool      // only attempts without a 2xx answer
	Since  time.Time // only attempts made at or after Since
	Limit  int       // at most this many; 0 for no limit
}

// Delivery is one attempt to send an event to a hook: what GitHub's API calls
// a hook delivery.
type Delivery struct {
	ID              int64
	GUID            string
	HookID          int64
	EventID         int64
	RepoID          int64
	Owner, Repo     string // the event's repository; Repo is "" for an organization's ping
	Event           string
	Action          string
	Redelivery      bool
	URL             string
	DeliveredAt     time.Time
	Duration        time.Duration
	Status          string // "OK", "Invalid HTTP Response: 500", "timed out", ...
	StatusCode      int    // 0 when there was no HTTP response
	RequestHeaders  map[string]string
	Payload         []byte // the event payload (JSON), loaded by FindDelivery
	ResponseHeaders map[string]string
	ResponseBody    string
}

// OK reports whether the attempt got a 2xx answer.
func (d *Delivery) OK() bool { return d.StatusCode >= 200 && d.StatusCode < 300 }

// SpoolDrainer records the pushes a post-receive hook kept in a spool
// directory (beside a SQLite database, or in the repository) because it
// could not write them to the database.
type SpoolDrainer interface {
	// DrainSpool records the pushes spooled in dir, oldest first, removing
	// each file once recorded; a push recorded before is not recorded again.
	// It returns how many pushes it recorded.
	DrainSpool(ctx context.Context, dir string) (int, error)
}

// Daemons tracks the daemons that share one queue (several processes and
// machines on one database), so that the leases of one that died are freed
// at once, while those of the live ones run their course.
type Daemons interface {
	// Beat records that the daemon owner, on node, is alive now; the first
	// beat registers it. A daemon beats before it claims work, then every
	// few seconds.
	Beat(ctx context.Context, owner, node string) error
	// RecoverDeadLeases makes every job and push leased by an owner that has
	// not beaten within deadAfter (or never) claimable at once, and returns
	// how many it freed.
	RecoverDeadLeases(ctx context.Context, deadAfter time.Duration) (int, error)
	// Retire removes owner, which is stopping, from the daemons: what it
	// still holds is freed by the next RecoverDeadLeases.
	Retire(ctx context.Context, owner string) error
	// Daemons returns the daemons that reported, most recent first.
	Daemons(ctx context.Context) ([]*Daemon, error)
}

// Daemon is one daemon sharing the queue: the boot id it leases work as,
// the node (git server) whose repositories it reads, and its reports.
type Daemon struct {
	Owner     string
	Node      string
	StartedAt time.Time
	LastSeen  time.Time // its last beat, by the database's clock
}
