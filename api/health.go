package api

import (
	"fmt"
	"net/http"
)

// HealthCheck reports a problem that makes the daemon unhealthy, or nil.
// It must be quick: /healthz runs every check on every request.
type HealthCheck func() error

// healthz answers 200 "ok" when every check passes, else 503 with one
// "unhealthy: REASON" line per failing check.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	var failed []error
	for _, check := range s.Health {
		if err := check(); err != nil {
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
