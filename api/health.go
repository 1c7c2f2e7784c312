package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// HealthCheck reports a problem that makes the daemon unhealthy, or nil.
// It must be quick: /healthz runs every check on every request.
type HealthCheck func(ctx context.Context) error

// healthz answers 200 "ok" when every check passes, else 503 with one
// "unhealthy: REASON" line per failing check.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	var failed []error
	for _, check := range s.Health {
		if err := check(r.Context()); err != nil {
			failed = append(failed, err)
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if len(failed) == 0 {
		_, _ = w.Write([]byte("ok\n"))
		return
	}
	w.WriteHeader(http.StatusServiceUnavailable)
	for _, err := range failed {
		fmt.Fprintf(w, "unhealthy: %v\n", err)
	}
}

// PushBacklogCheck fails when the oldest push not yet turned into events was
// recorded more than maxAge ago: the push worker is stuck or far behind.
func PushBacklogCheck(b hooks.PushBacklog, maxAge time.Duration) HealthCheck {
	return func(ctx context.Context) error {
		oldest, err := b.OldestUnhandledPush(ctx)
		switch {
		case err != nil:
			return fmt.Errorf("cannot read the push queue: %w", err)
		case !oldest.IsZero() && time.Since(oldest) > maxAge:
			return fmt.Errorf("push worker stuck or behind: the oldest unhandled push was recorded %s ago (more than --max-push-age %s)",
				time.Since(oldest).Round(time.Second), maxAge)
		}
		return nil
	}
}
