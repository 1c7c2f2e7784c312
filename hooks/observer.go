package hooks

import "time"

// Observer is told what the workers did, for metrics. Its methods are called
// from the workers' goroutines and must not block.
type Observer interface {
	// PushHandled is called once a recorded push was turned into events.
	PushHandled(p PushReport)
	// DeliveryAttempted is called after every delivery attempt.
	DeliveryAttempted(d DeliveryReport)
	// HookDisabled is called when the dispatcher disables a failing hook.
	HookDisabled(r HookDisabledReport)
}

// HookDisabledReport is a hook the dispatcher disabled, and why.
type HookDisabledReport struct {
	HookID       int64
	Owner, Repo  string // the hook's scope: Repo "" for an organization hook, both "" for a global one
	Reason       DisableReason
	Failures     int       // failed attempts in a row, the last one included
	FailingSince time.Time // when the streak began
	StatusCode   int       // of the last attempt; 0 without an HTTP answer
	Message      string    // the hook's last_response message
}

// PushReport is a push the push worker finished with.
type PushReport struct {
	ID      int64
	Repo    string // OWNER/NAME; "" if the push made no event
	GitDir  string
	Pusher  string
	Refs    []string // the refs of the updates handled
	Commits int      // how many commits the handled updates brought
	Events  int      // events stored
	Jobs    int      // deliveries queued (events times target hooks)
	Failed  int      // updates that failed for good
}

// DeliveryOutcome is what became of a delivery attempt.
type DeliveryOutcome string

// The outcomes of a delivery attempt.
const (
	OutcomeSuccess DeliveryOutcome = "success" // a 2xx answer
	OutcomeRetry   DeliveryOutcome = "retry"   // failed; another attempt is scheduled
	OutcomeFailure DeliveryOutcome = "failure" // failed for good: no retry left, 410 Gone, or a redelivery
	OutcomeRefused DeliveryOutcome = "refused" // not sent: target refused by the egress policy, URL invalid, payload too large
)

// DeliveryReport is one delivery attempt, as logs and metrics see it: never
// the secret, the signature or the payload.
type DeliveryReport struct {
	HookID     int64
	Repo       string // OWNER/NAME
	Event      string
	GUID       string
	Attempt    int
	Redelivery bool
	StatusCode int    // 0 without an HTTP answer
	Status     string // GitHub's delivery status text: "OK", "Invalid HTTP Response: 500", "timed out", ...
	Outcome    DeliveryOutcome
	Duration   time.Duration
	RetryAt    time.Time // for OutcomeRetry
}

// outcome classifies the attempt a, which the retry policy turned into state.
func outcome(a Attempt, state JobState) DeliveryOutcome {
	switch {
	case a.Delivery.OK():
		return OutcomeSuccess
	case a.Permanent && a.Delivery.StatusCode == 0:
		return OutcomeRefused
	case state == JobRetry:
		return OutcomeRetry
	}
	return OutcomeFailure
}

// nopObserver observes nothing.
type nopObserver struct{}

func (nopObserver) PushHandled(PushReport)           {}
func (nopObserver) DeliveryAttempted(DeliveryReport) {}
func (nopObserver) HookDisabled(HookDisabledReport)  {}
