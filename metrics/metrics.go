// Package metrics exposes forgehook's metrics in the Prometheus text format
// with client_golang: counters and a histogram the workers feed through
// hooks.Observer, gauges read from storage on every scrape, and the Go and
// process collectors. It is the only package that imports client_golang.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/forgehook/forgehook/hooks"
)

// Metrics is forgehook's metrics registry. It implements hooks.Observer.
type Metrics struct {
	reg        *prometheus.Registry
	handled    prometheus.Counter
	deliveries *prometheus.CounterVec
	duration   prometheus.Histogram
	unrecorded prometheus.Counter
	disabled   *prometheus.CounterVec
	logger     *slog.Logger
}

// scrapeTimeout bounds the storage read of one scrape.
const scrapeTimeout = 5 * time.Second

var _ hooks.Observer = (*Metrics)(nil)

// Outcomes are the values of forgehook_deliveries_total's outcome label.
var Outcomes = []hooks.DeliveryOutcome{hooks.OutcomeSuccess, hooks.OutcomeFailure, hooks.OutcomeRefused, hooks.OutcomeRetry}

// New returns the metrics of a daemon whose storage is stats. Scrape errors
// (storage unreadable) are logged to logger, and the other metrics are
// served all the same; logger may be nil.
func New(stats hooks.StatsReader, logger *slog.Logger) *Metrics {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		handled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "forgehook_pushes_handled_total",
			Help: "Recorded pushes this daemon turned into events since it started.",
		}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "forgehook_deliveries_total",
			Help: "Delivery attempts since the daemon started, by outcome: success (2xx), retry (failed, retried later), failure (failed for good), refused (not sent: egress policy, invalid URL, payload too large).",
		}, []string{"outcome"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "forgehook_delivery_duration_seconds",
			Help:    "How long delivery attempts that were sent took, until the answer or the error.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}),
		unrecorded: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "forgehook_push_record_failures_total",
			Help: "Pushes the post-receive hook could not record and reported to this daemon since it started (a hook that cannot reach the daemon reports nothing).",
		}),
		disabled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "forgehook_hooks_disabled_total",
			Help: "Hooks this daemon disabled since it started, by reason: gone (410 Gone), failures (--disable-failures attempts in a row failed), failing (only failures for --disable-after).",
		}, []string{"reason"}),
		logger: logger,
	}
	for _, o := range Outcomes { // every outcome shows, from zero
		m.deliveries.WithLabelValues(string(o))
	}
	for _, r := range hooks.DisableReasons {
		m.disabled.WithLabelValues(string(r))
	}
	m.reg.MustRegister(m.handled, m.deliveries, m.unrecorded, m.disabled, m.duration, &storeCollector{stats: stats},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// PushHandled counts a push handled.
func (m *Metrics) PushHandled(hooks.PushReport) { m.handled.Inc() }

// DeliveryAttempted counts an attempt by outcome and, if it was sent, times it.
func (m *Metrics) DeliveryAttempted(d hooks.DeliveryReport) {
	m.deliveries.WithLabelValues(string(d.Outcome)).Inc()
	if d.Outcome != hooks.OutcomeRefused {
		m.duration.Observe(d.Duration.Seconds())
	}
}

// HookDisabled counts a hook disabled, by reason.
func (m *Metrics) HookDisabled(r hooks.HookDisabledReport) {
	m.disabled.WithLabelValues(string(r.Reason)).Inc()
}

// PushRecordFailed counts a push the post-receive hook could not record.
func (m *Metrics) PushRecordFailed() { m.unrecorded.Inc() }

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.logger.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// storeCollector reads the gauges of stored work from storage at each scrape.
type storeCollector struct {
	stats hooks.StatsReader
}

var (
	recordedDesc = prometheus.NewDesc("forgehook_pushes_recorded_total",
		"Pushes the post-receive hook ever recorded in the database.", nil, nil)
	depthDesc = prometheus.NewDesc("forgehook_queue_depth",
		"Unfinished items: queue=pushes, recorded pushes not yet turned into events; queue=deliveries, delivery jobs queued, waiting for a retry or in flight.",
		[]string{"queue"}, nil)
	oldestDesc = prometheus.NewDesc("forgehook_queue_oldest_age_seconds",
		"How long the longest-waiting item has waited, 0 if none: queue=pushes, since the oldest unhandled push was recorded; queue=deliveries, since the job due or in flight the longest became due.",
		[]string{"queue"}, nil)
	hooksDesc = prometheus.NewDesc("forgehook_hooks", "Hooks configured, active or not.", nil, nil)
)

// Describe sends the descriptors of the stored-work metrics.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{recordedDesc, depthDesc, oldestDesc, hooksDesc} {
		ch <- d
	}
}

// Collect reads storage once and sends the stored-work metrics, or an
// invalid metric with the error.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	s, err := c.stats.ReadStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(depthDesc, err)
		return
	}
	now := time.Now()
	ch <- prometheus.MustNewConstMetric(recordedDesc, prometheus.CounterValue, float64(s.PushesRecorded))
	ch <- prometheus.MustNewConstMetric(hooksDesc, prometheus.GaugeValue, float64(s.Hooks))
	for _, q := range []struct {
		name  string
		stats hooks.QueueStats
	}{{"pushes", s.Pushes}, {"deliveries", s.Deliveries}} {
		ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(q.stats.Depth), q.name)
		age := 0.0
		if !q.stats.Oldest.IsZero() {
			age = max(now.Sub(q.stats.Oldest).Seconds(), 0)
		}
		ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, age, q.name)
	}
}
