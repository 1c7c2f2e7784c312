package main_test

import (
	"context"
	"encoding/json"
	"time"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// waitBrief paces polling loops that wait for the daemon.
func waitBrief() { time.Sleep(50 * time.Millisecond) }

func bg() context.Context { return context.Background() }
