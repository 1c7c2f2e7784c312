package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/metrics"
	"github.com/forgehook/forgehook/metrics/metricstest"
)

// statsFunc is a hooks.StatsReader made of a function.
type statsFunc func(ctx context.Context) (*hooks.Stats, error)

func (f statsFunc) ReadStats(ctx context.Context) (*hooks.Stats, error) { return f(ctx) }

func TestMetrics(t *testing.T) {
	now := time.Now()
	stats := &hooks.Stats{PushesRecorded: 7, Hooks: 3,
		Pushes:     hooks.QueueStats{Depth: 2, Oldest: now.Add(-90 * time.Second)},
		Deliveries: hooks.QueueStats{Depth: 5}}
	m := metrics.New(statsFunc(func(context.Context) (*hooks.Stats, error) { return stats, nil }), nil)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	before := metricstest.MustScrape(t, srv.URL, "")
	for _, o := range metrics.Outcomes {
		if got := before.MustValue(t, "forgehook_deliveries_total", "outcome", string(o)); got != 0 {
			t.Errorf("deliveries_total{outcome=%s}=%v before any attempt, want 0", o, got)
		}
	}
	m.PushHandled(hooks.PushReport{ID: 1})
	m.DeliveryAttempted(hooks.DeliveryReport{Outcome: hooks.OutcomeSuccess, Duration: 20 * time.Millisecond})
	m.DeliveryAttempted(hooks.DeliveryReport{Outcome: hooks.OutcomeRetry, Duration: 3 * time.Second})
	m.DeliveryAttempted(hooks.DeliveryReport{Outcome: hooks.OutcomeRefused})

	f := metricstest.MustScrape(t, srv.URL, "")
	for _, tt := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"forgehook_pushes_recorded_total", nil, 7},
		{"forgehook_pushes_handled_total", nil, 1},
		{"forgehook_deliveries_total", []string{"outcome", "success"}, 1},
		{"forgehook_deliveries_total", []string{"outcome", "retry"}, 1},
		{"forgehook_deliveries_total", []string{"outcome", "refused"}, 1},
		{"forgehook_deliveries_total", []string{"outcome", "failure"}, 0},
		{"forgehook_delivery_duration_seconds", nil, 2}, // refused attempts are not timed
		{"forgehook_queue_depth", []string{"queue", "pushes"}, 2},
		{"forgehook_queue_depth", []string{"queue", "deliveries"}, 5},
		{"forgehook_queue_oldest_age_seconds", []string{"queue", "deliveries"}, 0},
		{"forgehook_hooks", nil, 3},
	} {
		if got := f.MustValue(t, tt.name, tt.labels...); got != tt.want {
			t.Errorf("%s%v=%v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
	if age := f.MustValue(t, "forgehook_queue_oldest_age_seconds", "queue", "pushes"); age < 90 {
		t.Errorf("pushes oldest age=%vs, want at least the 90s since the oldest push", age)
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if f[name] == nil {
			t.Errorf("no %s: the Go and process collectors are missing", name)
		}
	}
}

func TestMetrics_StorageErrorServesTheRest(t *testing.T) {
	var logs bytes.Buffer
	m := metrics.New(statsFunc(func(context.Context) (*hooks.Stats, error) {
		return nil, errors.New("database is locked")
	}), slog.New(slog.NewTextHandler(&logs, nil)))
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	f := metricstest.MustScrape(t, srv.URL, "")
	if _, ok := f.Value("forgehook_queue_depth", "queue", "pushes"); ok {
		t.Error("queue depth served without storage")
	}
	if _, ok := f.Value("forgehook_deliveries_total", "outcome", "success"); !ok {
		t.Error("deliveries_total not served when storage failed")
	}
	if !strings.Contains(logs.String(), "database is locked") {
		t.Errorf("storage error not logged; logs:\n%s", logs.String())
	}
}
