package main_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/hooks/hookstest"
	"github.com/forgehook/forgehook/metrics/metricstest"
)

// logLine is one line of the daemon's JSON log.
type logLine map[string]any

// jsonLogLines parses every line of logs as a JSON object.
func jsonLogLines(t *testing.T, logs string) []logLine {
	t.Helper()
	var out []logLine
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		var v logLine
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, l)
		}
		out = append(out, v)
	}
	return out
}

// linesWith returns the lines whose msg is msg.
func linesWith(lines []logLine, msg string) []logLine {
	var out []logLine
	for _, l := range lines {
		if l["msg"] == msg {
			out = append(out, l)
		}
	}
	return out
}

// wantFields fails the test unless line has each key of want with its value
// (numbers as JSON numbers, float64).
func wantFields(t *testing.T, what string, line logLine, want map[string]any) {
	t.Helper()
	for k, w := range want {
		got, ok := line[k]
		if !ok {
			t.Errorf("%s: no key %q in %v", what, k, line)
			continue
		}
		if gb, _ := json.Marshal(got); string(gb) != mustJSON(t, w) {
			t.Errorf("%s: %s=%s, want %s", what, k, gb, mustJSON(t, w))
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestObservability_PushAndFailedDelivery pushes two commits to a repository
// with a hook answering 200 and one answering 500, then reads the daemon's
// JSON log lines and its metrics (on --metrics-listen, and on the main
// listener with an admin token).
func TestObservability_PushAndFailedDelivery(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-obs-never-logged"
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "widgets")
	limited := e.MustToken("bob", "acme/widgets")
	d := e.MustStart("--log-format", "json", "--log-level", "debug", "--metrics-listen", "127.0.0.1:0", "--retry-schedule", "1h")
	ok := hookstest.NewReceiver(t, secret)
	failing := hookstest.NewReceiver(t, secret)
	var mu sync.Mutex
	var signatures []string
	failing.Respond = func(r *http.Request) int {
		mu.Lock()
		signatures = append(signatures, r.Header.Get("X-Hub-Signature-256"), r.Header.Get("X-Hub-Signature"))
		mu.Unlock()
		return http.StatusInternalServerError
	}
	okHook := e.MustCreateHook("acme", "widgets", ok.URL, "json", secret)
	badHook := e.MustCreateHook("acme", "widgets", failing.URL, "json", secret)

	c := e.WS.MustClone(bare, "work")
	c.Commit("one", map[string]string{"a.txt": "a\n"})
	c.Commit("two", map[string]string{"a.txt": "b\n"})
	c.Push("origin", "main")
	got := ok.WaitFor(t, "push", 1, wait)[0]
	// Creating a hook pings it: two pings and two pushes.
	waitUntil(t, "four delivery log lines", func() bool { return strings.Count(d.Logs(), `"msg":"delivery"`) >= 4 })
	// An attempt is logged before it is stored (attempts are stored in
	// batches): the metrics below read the store, so wait for both of each
	// hook's attempts to be listed.
	for _, h := range []int64{okHook.GetID(), badHook.GetID()} {
		waitUntil(t, "both attempts stored", func() bool {
			ds, _, err := e.Client(false).Repositories.ListHookDeliveries(bg(), "acme", "widgets", h, nil)
			return err == nil && len(ds) == 2
		})
	}

	lines := jsonLogLines(t, d.Logs())
	start := linesWith(lines, "forgehook serving")
	if len(start) != 1 {
		t.Fatalf("%d start lines, want 1", len(start))
	}
	wantFields(t, "start", start[0], map[string]any{"version": "dev", "level": "INFO"})
	cfg, _ := start[0]["config"].(map[string]any)
	wantFields(t, "start config", cfg, map[string]any{"db": e.DB, "repos": e.Root, "retry_schedule": []string{"1h0m0s"},
		"log_format": "json", "log_level": "DEBUG", "metrics_listen": "127.0.0.1:0", "concurrency": 64})
	metricsURL, _ := start[0]["metrics_listen"].(string)
	if !strings.HasPrefix(metricsURL, "http://127.0.0.1:") || !strings.HasSuffix(metricsURL, "/metrics") {
		t.Fatalf("start line metrics_listen=%q, want http://127.0.0.1:PORT/metrics", metricsURL)
	}

	pushes := linesWith(lines, "push handled")
	if len(pushes) != 1 {
		t.Fatalf("%d push handled lines, want 1:\n%s", len(pushes), d.Logs())
	}
	wantFields(t, "push handled", pushes[0], map[string]any{"repo": "acme/widgets", "refs": []string{"refs/heads/main"},
		"pusher": "ada", "commits": 2, "events": 1, "deliveries_queued": 2, "git_dir": bare, "level": "INFO"})

	deliveries := map[float64]logLine{}
	for _, l := range linesWith(lines, "delivery") {
		if l["event"] == "push" {
			deliveries[l["hook"].(float64)] = l
		}
	}
	wantFields(t, "successful delivery", deliveries[float64(okHook.GetID())], map[string]any{
		"repo": "acme/widgets", "event": "push", "guid": got.GUID, "status_code": 200, "status": "OK",
		"outcome": "success", "attempt": 1, "level": "INFO"})
	failed := deliveries[float64(badHook.GetID())]
	wantFields(t, "failed delivery", failed, map[string]any{
		"repo": "acme/widgets", "event": "push", "guid": got.GUID, "status_code": 500, "outcome": "retry",
		"error": "Invalid HTTP Response: 500", "level": "WARN"})
	for _, l := range []logLine{deliveries[float64(okHook.GetID())], failed} {
		if dur, _ := l["duration"].(float64); dur <= 0 {
			t.Errorf("delivery duration=%v, want a positive number of nanoseconds", l["duration"])
		}
	}
	if _, ok := failed["retry_at"]; !ok {
		t.Errorf("failed delivery: no retry_at in %v", failed)
	}

	// Outcomes are written after their log lines, in a batch: wait for them.
	waitUntil(t, "the outcomes recorded", func() bool {
		return metricstest.MustScrape(t, metricsURL, "").MustValue(t, "forgehook_queue_depth", "queue", "deliveries") == 2
	})
	t.Run("metrics unauthenticated on --metrics-listen", func(t *testing.T) {
		wantMetrics(t, metricstest.MustScrape(t, metricsURL, ""))
	})
	t.Run("metrics on the main listener need an admin token", func(t *testing.T) {
		for _, tt := range []struct {
			token string
			want  int
		}{{"", http.StatusUnauthorized}, {"not-a-token", http.StatusUnauthorized}, {limited, http.StatusNotFound}} {
			req, _ := http.NewRequest(http.MethodGet, d.URL+"/metrics", nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("GET /metrics with token %q: status=%d, want %d", tt.token, resp.StatusCode, tt.want)
			}
		}
		wantMetrics(t, metricstest.MustScrape(t, d.URL+"/metrics", e.Token))
	})

	d.Stop()
	lines = jsonLogLines(t, d.Logs())
	if n := len(linesWith(lines, "delivery worker stopping: attempts in flight finish, claimed jobs not started go back to the queue")); n != 1 {
		t.Errorf("%d delivery worker stopping lines, want 1", n)
	}
	stopped := linesWith(lines, "forgehook stopped; work left for the next start")
	if len(stopped) != 1 {
		t.Fatalf("%d stopped lines, want 1:\n%s", len(stopped), d.Logs())
	}
	wantFields(t, "stopped", stopped[0], map[string]any{"deliveries_unfinished": 2, "pushes_unhandled": 0, "pushes_recorded": 1, "hooks": 2})

	logs := d.Logs()
	mu.Lock()
	secrets := append([]string{secret, e.Token, limited}, signatures...)
	mu.Unlock()
	secrets = append(secrets, got.Header.Get("X-Hub-Signature-256"), got.Header.Get("X-Hub-Signature"))
	for _, s := range secrets {
		_, hexPart, _ := strings.Cut(s, "=") // also the bare hex of a signature
		for _, needle := range []string{s, hexPart} {
			if needle != "" && strings.Contains(logs, needle) {
				t.Errorf("the logs contain a secret, token or signature %q", needle)
			}
		}
	}
	if len(secrets) < 7 {
		t.Fatalf("only %d secrets checked: the failing receiver's signatures were not captured", len(secrets))
	}
}

// wantMetrics checks a scrape after two hooks were created, one answering
// 200 and one 500 (retries an hour away), and pinged, and one push was
// delivered to them.
func wantMetrics(t *testing.T, f metricstest.Families) {
	t.Helper()
	for _, tt := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"forgehook_pushes_recorded_total", nil, 1},
		{"forgehook_pushes_handled_total", nil, 1},
		{"forgehook_deliveries_total", []string{"outcome", "success"}, 2},
		{"forgehook_deliveries_total", []string{"outcome", "retry"}, 2},
		{"forgehook_deliveries_total", []string{"outcome", "failure"}, 0},
		{"forgehook_deliveries_total", []string{"outcome", "refused"}, 0},
		{"forgehook_delivery_duration_seconds", nil, 4},
		{"forgehook_queue_depth", []string{"queue", "pushes"}, 0},
		{"forgehook_queue_depth", []string{"queue", "deliveries"}, 2},
		{"forgehook_queue_oldest_age_seconds", []string{"queue", "pushes"}, 0},
		{"forgehook_queue_oldest_age_seconds", []string{"queue", "deliveries"}, 0}, // its retry is not due
		{"forgehook_hooks", nil, 2},
		{"forgehook_push_record_failures_total", nil, 0},
		{"forgehook_hooks_disabled_total", []string{"reason", "gone"}, 0},
	} {
		if got := f.MustValue(t, tt.name, tt.labels...); got != tt.want {
			t.Errorf("%s%v=%v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if f[name] == nil {
			t.Errorf("no %s in the scrape", name)
		}
	}
}

// TestObservability_UnrecordedPushLeavesATrace: a push the hook cannot
// record anywhere (the database deleted under the daemon, and neither spool
// writable) gets its one line on the pusher's stderr, and a line in the
// daemon's log (text by default) and a count in its metrics.
func TestObservability_UnrecordedPushLeavesATrace(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "widgets")
	d := e.MustStart()
	for _, blocked := range []string{e.DB + ".spool", filepath.Join(bare, "forgehook-spool")} {
		if err := os.WriteFile(blocked, nil, 0o644); err != nil { // a file where a spool directory would go
			t.Fatal(err)
		}
	}
	if err := os.Remove(e.DB); err != nil { // the daemon keeps its open file
		t.Fatal(err)
	}
	cmd := e.command("post-receive", "--db", e.DB, "--repos", e.Root)
	cmd.Env = append(cmd.Environ(), "GIT_DIR="+bare)
	cmd.Stdin = strings.NewReader(hooks.ZeroSHA + " " + strings.Repeat("a", 40) + " refs/heads/main\n")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("post-receive: %v (it must never fail the push)", err)
	}
	if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "forgehook: push NOT recorded ") {
		t.Fatalf("hook stderr=%q, want one 'forgehook: push NOT recorded' line", stderr.String())
	}
	waitUntil(t, "the daemon's trace", func() bool { return strings.Contains(d.Logs(), "post-receive could not record a push") })
	for _, l := range strings.Split(d.Logs(), "\n") {
		if strings.Contains(l, "post-receive could not record a push") &&
			(!strings.HasPrefix(l, "time=") || !strings.Contains(l, "level=ERROR") || !strings.Contains(l, `report="`+bare+": ")) {
			t.Errorf("trace line %q: want a text line at ERROR whose report starts with the git dir", l)
		}
	}
	f := metricstest.MustScrape(t, d.URL+"/metrics", e.Token)
	if got := f.MustValue(t, "forgehook_push_record_failures_total"); got != 1 {
		t.Errorf("forgehook_push_record_failures_total=%v, want 1", got)
	}
	if got := f.MustValue(t, "forgehook_pushes_recorded_total"); got != 0 {
		t.Errorf("forgehook_pushes_recorded_total=%v, want 0", got)
	}
}
