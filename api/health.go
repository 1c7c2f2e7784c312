package api

import (
	"fmt"
	"net/http"
	"time"
)

// healthz answers 200 "ok", or 503 with the reason when the push worker is
// stuck: the oldest unhandled push is older than MaxPushAge.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if s.Backlog != nil && s.MaxPushAge > 0 {
		oldest, err := s.Backlog.OldestUnhandledPush(r.Context())
		switch {
		case err != nil:
			s.Logger.Error("healthz: oldest unhandled push", "err", err)
			http.Error(w, "cannot read the push queue: "+err.Error(), http.StatusServiceUnavailable)
			return
		case !oldest.IsZero() && time.Since(oldest) > s.MaxPushAge:
			http.Error(w, fmt.Sprintf("push worker stuck or behind: the oldest unhandled push was recorded %s ago (more than --max-push-age %s)",
				time.Since(oldest).Round(time.Second), s.MaxPushAge), http.StatusServiceUnavailable)
			return
		}
	}
	_, _ = w.Write([]byte("ok\n"))
}
