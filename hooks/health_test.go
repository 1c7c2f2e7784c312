package hooks_test

import (
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

func TestBreaker_Record(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	b := hooks.Breaker{Failures: 2, Open: time.Minute, MaxOpen: 3 * time.Minute, DisableFailures: 6, DisableAfter: 24 * time.Hour}
	var h hooks.HookHealth
	step := func(ok bool, code int, at time.Time) hooks.DisableReason {
		var r hooks.DisableReason
		h, r = b.Record(h, ok, code, at)
		return r
	}
	if r := step(false, 500, t0); r != "" || h.IsOpen(t0) || h.Failures != 1 || !h.FailingSince.Equal(t0) {
		t.Fatalf("after 1 failure: %+v %q, want closed, 1 failure since t0", h, r)
	}
	step(false, 500, t0.Add(time.Second))
	if !h.IsOpen(t0.Add(time.Second)) || !b.Tripped(h) || h.OpenUntil != t0.Add(time.Second+time.Minute) {
		t.Fatalf("after 2 failures: %+v, want open for 1m", h)
	}
	var opens []time.Duration
	for i := 0; i < 3; i++ { // the probes fail: 2m, then capped at 3m
		at := h.OpenUntil
		step(false, 0, at)
		opens = append(opens, h.OpenUntil.Sub(at))
	}
	if want := []time.Duration{2 * time.Minute, 3 * time.Minute, 3 * time.Minute}; opens[0] != want[0] || opens[1] != want[1] || opens[2] != want[2] {
		t.Errorf("open intervals = %v, want %v", opens, want)
	}
	if r := step(false, 500, h.OpenUntil); r != hooks.DisabledFailures {
		t.Errorf("6th failure in a row: reason %q, want %q", r, hooks.DisabledFailures)
	}
	if step(true, 200, t0); h != (hooks.HookHealth{}) {
		t.Errorf("after a success: %+v, want healthy", h)
	}
	if r := step(false, 410, t0); r != hooks.DisabledGone {
		t.Errorf("410: reason %q, want %q", r, hooks.DisabledGone)
	}
	h = hooks.HookHealth{}
	step(false, 500, t0)
	if r := step(false, 500, t0.Add(24*time.Hour)); r != hooks.DisabledFailing {
		t.Errorf("failing for 24h: reason %q, want %q", r, hooks.DisabledFailing)
	}
	if _, r := (hooks.Breaker{}).Record(hooks.HookHealth{Failures: 1000}, false, 500, t0); r != "" {
		t.Errorf("zero Breaker disabled a hook for a 500 (%q); it only disables on 410", r)
	}
}
