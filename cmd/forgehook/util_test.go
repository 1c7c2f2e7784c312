package main_test

import (
	"context"
	"encoding/json"
	"time"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// waitBrief paces polling loops that wait for the daemon.
func waitBrief() { time.Sleep(pollEvery) }

// pollEvery is the pace of waitBrief, and polls how many times a loop that
// waits for the daemon polls: the loops give up after about wait, however
// slow the machine.
const (
	pollEvery = 50 * time.Millisecond
	polls     = int(wait / pollEvery)
)

func bg() context.Context { return context.Background() }
