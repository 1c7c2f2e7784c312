package hooks

import (
	"time"
)

// maxLoggedRefs bounds the ref names in one log line; ref_count has them all.
const maxLoggedRefs = 20

// reportPush logs the stored events of pe and, once pe finishes its push,
// tells the observer: one "push handled" line per push (a push of many refs
// first logs a "push partly handled" line per chunk).
func (w *PushWorker) reportPush(pe PushEvents) {
	p := pe.Push
	r := PushReport{ID: p.ID, GitDir: p.GitDir, Pusher: p.Pusher, Commits: pe.Commits, Events: len(pe.Events)}
	done := pe.Next >= len(p.Updates)
	for _, f := range pe.Failed {
		done = done && f.Final
		if f.Final {
			r.Failed++
		}
	}
	for _, e := range pe.Events {
		r.Jobs += len(e.Targets)
		if r.Repo == "" {
			r.Repo = e.Owner + "/" + e.Repo
		}
	}
	for _, rr := range p.Retry {
		r.Refs = append(r.Refs, p.Updates[rr.Index].Ref)
	}
	for _, up := range p.Updates[min(p.Next, pe.Next):pe.Next] {
		r.Refs = append(r.Refs, up.Ref)
	}
	msg := "push partly handled"
	if done {
		msg = "push handled"
		w.Observer.PushHandled(r)
	}
	w.Logger.Info(msg, "push", r.ID, "repo", r.Repo, "git_dir", r.GitDir, "pusher", r.Pusher,
		"refs", r.Refs[:min(len(r.Refs), maxLoggedRefs)], "ref_count", len(r.Refs), "commits", r.Commits,
		"events", r.Events, "deliveries_queued", r.Jobs, "refs_failed", r.Failed, "next_ref", pe.Next, "ref_total", len(p.Updates))
}

// reportAttempt logs the attempt a at job, which the retry policy turned
// into state, and tells the observer.
func (d *Dispatcher) reportAttempt(job *Job, a Attempt, state JobState, retryAt time.Time) {
	e := job.Event
	r := DeliveryReport{
		HookID: job.Hook.ID, Repo: e.Owner + "/" + e.Repo, Event: e.Name, GUID: e.GUID, Attempt: job.Attempt,
		Redelivery: job.Redelivery, StatusCode: a.Delivery.StatusCode, Status: a.Delivery.Status,
		Outcome: outcome(a, state), Duration: a.Delivery.Duration, RetryAt: retryAt,
	}
	d.Observer.DeliveryAttempted(r)
	attrs := []any{"hook", r.HookID, "repo", r.Repo, "event", r.Event, "guid", r.GUID, "attempt", r.Attempt,
		"redelivery", r.Redelivery, "status_code", r.StatusCode, "status", r.Status, "outcome", string(r.Outcome),
		"duration", r.Duration}
	if r.Outcome == OutcomeSuccess {
		d.Logger.Info("delivery", attrs...)
		return
	}
	attrs = append(attrs, "error", r.Status)
	if r.Outcome == OutcomeRetry {
		attrs = append(attrs, "retry_at", r.RetryAt)
	}
	d.Logger.Warn("delivery", attrs...)
}
