package hooks

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// DefaultRetrySchedule is the wait before each automatic retry of a failed
// delivery. After the last one the delivery is failed for good.
var DefaultRetrySchedule = []time.Duration{
	10 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 6 * time.Hour, 12 * time.Hour,
}

// ParseRetrySchedule reads a comma-separated list of Go durations such as
// "10s,1m,5m". An empty string means no retries.
func ParseRetrySchedule(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		d, err := time.ParseDuration(f)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("retry schedule: %q is not a positive duration", f)
		}
		out = append(out, d)
	}
	if len(out) > 100 {
		return nil, fmt.Errorf("retry schedule: at most 100 retries")
	}
	return out, nil
}

// RetryPolicy decides what becomes of a job after an attempt.
type RetryPolicy struct {
	Schedule []time.Duration
	Jitter   float64        // up to this fraction is added to each wait; 0.2 by default
	Rand     func() float64 // in [0,1); math/rand/v2 by default
}

// Decide returns the job's next state and, for JobRetry, when to try again.
// Attempt a was the job's attempt number n (1-based).
func (p RetryPolicy) Decide(job *Job, a Attempt, now time.Time) (JobState, time.Time) {
	switch {
	case a.Delivery.OK():
		return JobSucceeded, time.Time{}
	case a.Permanent, job.Redelivery, job.Farewell, job.Attempt > len(p.Schedule):
		return JobFailed, time.Time{}
	}
	wait := p.Schedule[job.Attempt-1]
	if a.RetryAfter > 0 {
		wait = min(max(a.RetryAfter, p.Schedule[0]), p.Schedule[len(p.Schedule)-1])
	}
	r := p.Rand
	if r == nil {
		r = rand.Float64
	}
	jitter := p.Jitter
	if jitter == 0 {
		jitter = 0.2
	}
	wait += time.Duration(float64(wait) * jitter * r())
	return JobRetry, now.Add(wait)
}
