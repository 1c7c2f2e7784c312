package hooks

import "time"

// stateOf returns what the dispatcher knows of h's health: the stored health
// the first time, or when h was edited since (it was re-enabled, say).
func stateOf(health map[int64]*hookState, h *Hook) *hookState {
	st := health[h.ID]
	if st == nil || h.UpdatedAt.After(st.updated) {
		st = &hookState{HookHealth: h.Health, updated: h.UpdatedAt}
		health[h.ID] = st
	}
	return st
}

// waits reports whether a claimed job must go back to the queue unsent: its
// hook's breaker is open, or the hook was just disabled and the claim read
// it before that was stored. Farewells are the last word to a deleted hook
// and never wait.
func (d *Dispatcher) waits(health map[int64]*hookState, job *Job) bool {
	if job.Farewell {
		return false
	}
	st := stateOf(health, job.Hook)
	return st.disabled || st.IsOpen(d.Now())
}

// recordHealth applies the breaker to an attempt's outcome o: it sets the
// hook's new health on o, and disables the hook (failing the job for good,
// one log line, the observer told) if the policy says so. It reports
// whether the hook's other jobs must now wait: the breaker opened or the
// hook was disabled.
func (d *Dispatcher) recordHealth(health map[int64]*hookState, o *Outcome) bool {
	job := o.Job
	if o.Delivery == nil || !o.sent || job.Farewell {
		return false
	}
	st := stateOf(health, job.Hook)
	if st.disabled {
		return true
	}
	now := d.Now()
	next, reason := d.Breaker.Record(st.HookHealth, o.Delivery.OK(), o.Delivery.StatusCode, now)
	st.HookHealth = next
	o.Health = &next
	if reason == "" {
		if next.IsOpen(now) {
			d.Logger.Warn("hook breaker open: its deliveries wait", "hook", job.Hook.ID,
				"repo", job.Event.Owner+"/"+job.Event.Repo, "failures", next.Failures,
				"open_until", next.OpenUntil.UTC().Format(time.RFC3339), "status", o.Delivery.Status)
			return true
		}
		return false
	}
	st.disabled = true
	lr := d.Breaker.DisabledResponse(reason, next, o.Delivery)
	o.Disable = &lr
	o.State, o.RetryAt = JobFailed, time.Time{}
	r := HookDisabledReport{HookID: job.Hook.ID, Owner: job.Hook.Owner, Repo: job.Hook.Repo, Reason: reason,
		Failures: next.Failures, FailingSince: next.FailingSince, StatusCode: o.Delivery.StatusCode, Message: lr.Message}
	d.Observer.HookDisabled(r)
	d.Logger.Warn("hook disabled", "hook", r.HookID, "owner", r.Owner, "repo", r.Repo, "reason", string(r.Reason),
		"failures", r.Failures, "failing_since", r.FailingSince.UTC().Format(time.RFC3339),
		"status_code", r.StatusCode, "message", r.Message)
	return true
}
