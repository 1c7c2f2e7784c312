package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/forgehook/forgehook/api"
)

// backlog is a hooks.PushBacklog whose oldest unhandled push is oldest.
type backlog struct{ oldest time.Time }

func (b backlog) OldestUnhandledPush(context.Context) (time.Time, error) { return b.oldest, nil }

func TestHealthz_StuckPushWorker(t *testing.T) {
	for _, tt := range []struct {
		name   string
		oldest time.Time
		want   int
	}{
		{"no backlog: 200", time.Time{}, http.StatusOK},
		{"a fresh push: 200", time.Now(), http.StatusOK},
		{"a push older than MaxPushAge: 503", time.Now().Add(-10 * time.Minute), http.StatusServiceUnavailable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := &api.Server{Health: []api.HealthCheck{api.PushBacklogCheck(backlog{tt.oldest}, 5*time.Minute)}}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
			if rec.Code != tt.want {
				t.Fatalf("status=%d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if tt.want != http.StatusOK && !strings.Contains(rec.Body.String(), "oldest unhandled push") {
				t.Fatalf("body=%q, want the reason", rec.Body)
			}
		})
	}
}
