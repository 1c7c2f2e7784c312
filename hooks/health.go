package hooks

import (
	"fmt"
	"time"
)

// HookHealth is a hook's current streak of failed attempts and the circuit
// breaker it opened. The zero value is a healthy hook.
type HookHealth struct {
	Failures     int       // consecutive failed attempts
	FailingSince time.Time // when the first of them was made; zero when healthy
	OpenUntil    time.Time // the breaker is open (the hook's jobs wait) until then
	Trips        int       // how often the breaker opened in this streak
}

// IsOpen reports whether the breaker is open at now: the hook's jobs wait.
func (h HookHealth) IsOpen(now time.Time) bool { return now.Before(h.OpenUntil) }

// DisableReason says why a hook was disabled; it is a metric label.
type DisableReason string

// The reasons a hook is disabled.
const (
	DisabledGone     DisableReason = "gone"     // the endpoint answered 410 Gone
	DisabledFailures DisableReason = "failures" // Breaker.DisableFailures attempts in a row failed
	DisabledFailing  DisableReason = "failing"  // every attempt failed for Breaker.DisableAfter
)

// DisableReasons lists every DisableReason.
var DisableReasons = []DisableReason{DisabledGone, DisabledFailures, DisabledFailing}

// Breaker is the endpoint health policy. After Failures failed attempts in a
// row the breaker opens: the hook's jobs wait for Open, then one job goes out
// alone (half-open). If it fails, the breaker opens again for twice as long,
// up to MaxOpen; a 2xx answer closes it. A 410 Gone answer, DisableFailures
// failed attempts in a row, or a streak of only failures lasting
// DisableAfter disables the hook. Zero fields turn their rule off; the zero
// Breaker only disables hooks that answer 410 Gone.
type Breaker struct {
	Failures        int
	Open            time.Duration // 1m when zero
	MaxOpen         time.Duration // 1h when zero
	DisableFailures int
	DisableAfter    time.Duration
}

// Tripped reports whether h has failed often enough to keep the breaker
// half-open once its open interval ends: one job at a time until one passes.
func (b Breaker) Tripped(h HookHealth) bool { return b.Failures > 0 && h.Failures >= b.Failures }

// Record returns h after an attempt made at now that succeeded (ok) or
// failed (with code, the HTTP status or 0), and, if the hook must be
// disabled, why ("" otherwise).
func (b Breaker) Record(h HookHealth, ok bool, code int, now time.Time) (HookHealth, DisableReason) {
	if ok {
		return HookHealth{}, ""
	}
	h.Failures++
	if h.FailingSince.IsZero() {
		h.FailingSince = now
	}
	switch {
	case code == 410:
		return h, DisabledGone
	case b.DisableFailures > 0 && h.Failures >= b.DisableFailures:
		return h, DisabledFailures
	case b.DisableAfter > 0 && now.Sub(h.FailingSince) >= b.DisableAfter:
		return h, DisabledFailing
	}
	if b.Tripped(h) {
		h.Trips++
		h.OpenUntil = now.Add(b.interval(h.Trips))
	}
	return h, ""
}

// interval is how long the breaker stays open on its n-th opening.
func (b Breaker) interval(n int) time.Duration {
	open, ceiling := b.Open, b.MaxOpen
	if open <= 0 {
		open = time.Minute
	}
	if ceiling <= 0 {
		ceiling = time.Hour
	}
	d := open
	for i := 1; i < n && d < ceiling; i++ {
		d *= 2
	}
	return min(d, ceiling)
}

// DisabledResponse is the last response a hook disabled for reason shows:
// the attempt's code, "misconfigured" as GitHub says of failing hooks, and a
// message that says why.
func (b Breaker) DisabledResponse(reason DisableReason, h HookHealth, d *Delivery) LastResponse {
	var why string
	switch reason {
	case DisabledGone:
		why = "the endpoint answered 410 Gone"
	case DisabledFailures:
		why = fmt.Sprintf("%d deliveries in a row failed", h.Failures)
	default:
		why = fmt.Sprintf("every delivery failed for %s", b.DisableAfter)
	}
	return LastResponse{Code: d.StatusCode, Status: "misconfigured",
		Message: fmt.Sprintf("Hook disabled: %s (last: %s). PATCH active=true to enable it again.", why, d.Status)}
}
