// Package outcome turns the outcome of a delivery attempt into the changes
// both stores make to its job and history rows: the job's new state, due
// time and attempts given back, and the attempt's headers as stored.
package outcome

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// The states of pushes and jobs, as both schemas store them.
const (
	StateQueued = 0
	StateLeased = 1
	StateDone   = 2 // succeeded
	StateFailed = 3
)

// Row is what FinishJobs writes for one outcome. Its pointers are nil for
// NULL, which database/sql and pgx both store as NULL.
type Row struct {
	O                       *hooks.Outcome
	State                   int
	RunAt                   *int64 // unix milliseconds; nil: unchanged
	Give                    int    // attempts given back
	ReqHeaders, RespHeaders *string
}

// Prepare fills r for outcome o, made at now: the job's new state (a retry
// is queued again at RetryAt, or now; a release gives its attempt back),
// the attempt's hook and event ids if unset, and its headers as JSON.
func (r *Row) Prepare(o *hooks.Outcome, now time.Time) error {
	if o == nil || o.Job == nil {
		return errors.New("outcome without a job")
	}
	r.O = o
	switch o.State {
	case hooks.JobSucceeded:
		r.State = StateDone
	case hooks.JobFailed:
		r.State = StateFailed
	case hooks.JobRetry:
		r.State = StateQueued
		at := now.UnixMilli()
		if !o.RetryAt.IsZero() {
			at = o.RetryAt.UnixMilli()
		}
		r.RunAt = &at
	case hooks.JobQueued:
		r.State, r.Give = StateQueued, 1
	default:
		return fmt.Errorf("job %d: outcome state %d is not a final or retry state", o.Job.ID, o.State)
	}
	d := o.Delivery
	if d == nil {
		return nil
	}
	if d.HookID == 0 && o.Job.Hook != nil {
		d.HookID = o.Job.Hook.ID
	}
	if d.EventID == 0 && o.Job.Event != nil {
		d.EventID = o.Job.Event.ID
	}
	var err error
	if r.ReqHeaders, err = jsonHeaders(d.RequestHeaders); err != nil {
		return err
	}
	r.RespHeaders, err = jsonHeaders(d.ResponseHeaders)
	return err
}

// jsonHeaders encodes a header map; nil is stored as NULL.
func jsonHeaders(h map[string]string) (*string, error) {
	if h == nil {
		return nil, nil
	}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}
