package hooks_test

import (
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

func TestParseRetrySchedule(t *testing.T) {
	got, err := hooks.ParseRetrySchedule("10s, 1m,5m")
	if err != nil || len(got) != 3 || got[1] != time.Minute {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"10", "-1s", "1m,x"} {
		if _, err := hooks.ParseRetrySchedule(bad); err == nil {
			t.Errorf("ParseRetrySchedule(%q) passed, want an error", bad)
		}
	}
}

func TestRetryPolicy_Decide(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := hooks.RetryPolicy{Schedule: []time.Duration{10 * time.Second, time.Minute}, Rand: func() float64 { return 0.5 }}
	attempt := func(code int, permanent bool, retryAfter time.Duration) hooks.Attempt {
		return hooks.Attempt{Delivery: &hooks.Delivery{StatusCode: code}, Permanent: permanent, RetryAfter: retryAfter}
	}
	tests := []struct {
		name      string
		job       hooks.Job
		a         hooks.Attempt
		wantState hooks.JobState
		wantWait  time.Duration
	}{
		{"2xx succeeds", hooks.Job{Attempt: 1}, attempt(204, false, 0), hooks.JobSucceeded, 0},
		{"500 retries after the first wait plus jitter", hooks.Job{Attempt: 1}, attempt(500, false, 0), hooks.JobRetry, 11 * time.Second},
		{"connection error retries", hooks.Job{Attempt: 2}, attempt(0, false, 0), hooks.JobRetry, 66 * time.Second},
		{"schedule exhausted fails", hooks.Job{Attempt: 3}, attempt(500, false, 0), hooks.JobFailed, 0},
		{"410 is permanent", hooks.Job{Attempt: 1}, attempt(410, true, 0), hooks.JobFailed, 0},
		{"redelivery is not retried", hooks.Job{Attempt: 1, Redelivery: true}, attempt(500, false, 0), hooks.JobFailed, 0},
		{"Retry-After is honoured", hooks.Job{Attempt: 1}, attempt(429, false, 30*time.Second), hooks.JobRetry, 33 * time.Second},
		{"Retry-After is clamped to the schedule", hooks.Job{Attempt: 1}, attempt(503, false, time.Hour), hooks.JobRetry, 66 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state, at := p.Decide(&tt.job, tt.a, now)
			if state != tt.wantState {
				t.Fatalf("state = %v, want %v", state, tt.wantState)
			}
			if tt.wantState == hooks.JobRetry && at.Sub(now) != tt.wantWait {
				t.Fatalf("wait = %v, want %v", at.Sub(now), tt.wantWait)
			}
		})
	}
}
