package main

import (
	"context"
	"log/slog"
	"runtime"
	"time"

	"github.com/forgehook/forgehook/internal/redact"
)

// logStart logs the start line: the address, the version and the effective
// configuration. The configuration holds no secret (hook secrets live in the
// database, sealed with the key file, which is named, never read here);
// URLs lose their user information.
func (m *Main) logStart(ctx context.Context) {
	c := m.Config
	metricsAt := ""
	if m.metrics != nil {
		metricsAt = "http://" + m.metrics.Addr() + "/metrics"
	}
	m.Logger.Info("forgehook serving", "listen", "http://"+m.ln.Addr().String(), "metrics_listen", metricsAt,
		"version", version, "go", runtime.Version(),
		slog.Group("config",
			"listen", c.Listen, "public_url", redact.Setting("public-url", c.PublicURL), "db", dbName(c.DB), "repos", c.Repos,
			"default_owner", c.DefaultOwner, "secret_key_file", c.SecretKeyFile,
			"retry_schedule", durations(c.RetrySchedule), "delivery_timeout", c.DeliveryTimeout.String(),
			"allowed_hosts", c.AllowedHosts.String(), "concurrency", c.Concurrency, "hook_concurrency", c.HookConcurrency,
			"clone_url", redact.Setting("clone-url", c.Clone.HTTP), "ssh_url", redact.Setting("ssh-url", c.Clone.SSH), "max_tags_per_push", c.MaxTagsPerPush,
			"max_push_age", c.MaxPushAge.String(), "retention", c.Retention.String(),
			"breaker_failures", c.Breaker.Failures, "breaker_open", c.Breaker.Open.String(),
			"breaker_max_open", c.Breaker.MaxOpen.String(), "disable_after", c.Breaker.DisableAfter.String(),
			"disable_failures", c.Breaker.DisableFailures,
			"node", c.Node, "daemon_timeout", c.DaemonTimeout.String(),
			"log_format", c.Log.Format, "log_level", c.Log.Level.String(), "metrics_listen", c.MetricsListen))
	m.logBacklog(ctx, "work waiting at start")
}

// logStop logs what the daemon leaves for the next start, once its workers
// have stopped.
func (m *Main) logStop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m.logBacklog(ctx, "forgehook stopped; work left for the next start")
}

// logBacklog logs the unhandled pushes and unfinished deliveries.
func (m *Main) logBacklog(ctx context.Context, msg string) {
	s, err := m.db.ReadStats(ctx)
	if err != nil {
		m.Logger.Error(msg, "err", err)
		return
	}
	m.Logger.Info(msg, "pushes_unhandled", s.Pushes.Depth, "deliveries_unfinished", s.Deliveries.Depth,
		"pushes_recorded", s.PushesRecorded, "hooks", s.Hooks)
}

func durations(ds []time.Duration) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	return out
}
