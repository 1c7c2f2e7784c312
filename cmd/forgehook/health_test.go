package main_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// flakyReceiver is a hookstest.Receiver whose answer is set by the test,
// and which counts every request, answered 2xx or not, by event.
type flakyReceiver struct {
	*hookstest.Receiver
	status atomic.Int32
	mu     sync.Mutex
	tries  map[string]int
}

func newFlakyReceiver(t *testing.T) *flakyReceiver {
	f := &flakyReceiver{Receiver: hookstest.NewReceiver(t, ""), tries: map[string]int{}}
	f.status.Store(200)
	f.Respond = func(r *http.Request) int {
		f.mu.Lock()
		f.tries[github.WebHookType(r)]++
		f.mu.Unlock()
		return int(f.status.Load())
	}
	return f
}

func (f *flakyReceiver) Tries(event string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tries[event]
}

// TestHealth_BreakerHoldsDeliveriesAndGoneDisables runs a hook through its
// health states: two failed pushes open the breaker and the next pushes
// wait unsent; PATCH active=true closes it and they go out in push order; a
// 410 Gone answer disables the hook with a last_response that says why, one
// log line and a metric; PATCH active=true enables it again.
func TestHealth_BreakerHoldsDeliveriesAndGoneDisables(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "health")
	e.MustStart("--breaker-failures", "2", "--breaker-open", "1h", "--retry-schedule=")
	recv := newFlakyReceiver(t)
	h := e.MustCreateHook("acme", "health", recv.URL, "json", "", "push")
	recv.WaitFor(t, "ping", 1, wait)
	ctx := context.Background()
	gh := e.Client(false).Repositories

	recv.status.Store(500)
	c := e.WS.MustClone(bare, "work")
	var shas []string
	push := func(n int) {
		for i := 0; i < n; i++ {
			shas = append(shas, c.Commit("change", map[string]string{"f.txt": strings.Repeat("x", len(shas)+1)}))
			c.Push("origin", "main")
		}
	}
	push(2)
	waitUntil(t, "two failed push deliveries", func() bool { return recv.Tries("push") == 2 })
	waitUntil(t, "the breaker-open log line", func() bool { return strings.Contains(e.Daemon.Logs(), "hook breaker open") })
	push(2) // these wait: the breaker is open for an hour
	waitUntil(t, "both pushes recorded as events", func() bool {
		return strings.Count(e.Daemon.Logs(), "msg=\"push handled\"") >= 4
	})
	time.Sleep(time.Second) // a window in which a closed breaker would have sent them
	if n := recv.Tries("push"); n != 2 {
		t.Fatalf("push attempts while the breaker is open = %d, want 2 (the first two)", n)
	}

	recv.status.Store(200)
	if _, _, err := gh.EditHook(ctx, "acme", "health", h.GetID(), &github.Hook{Active: github.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	got := pushEvents(t, recv.WaitFor(t, "push", 2, wait))
	if got[0].GetAfter() != shas[2] || got[1].GetAfter() != shas[3] {
		t.Errorf("after closing the breaker, pushes %s then %s arrived, want %s then %s (push order)",
			got[0].GetAfter(), got[1].GetAfter(), shas[2], shas[3])
	}

	recv.status.Store(http.StatusGone)
	push(1)
	var hook *github.Hook
	waitUntil(t, "the hook disabled after 410 Gone", func() bool {
		var err error
		hook, _, err = gh.GetHook(ctx, "acme", "health", h.GetID())
		return err == nil && !hook.GetActive()
	})
	lr := hook.LastResponse
	if lr["code"] != float64(410) || lr["status"] != "misconfigured" || !strings.Contains(lr["message"].(string), "410 Gone") {
		t.Errorf("last_response = %v, want code 410, status misconfigured, a message naming 410 Gone", lr)
	}
	if n := strings.Count(e.Daemon.Logs(), "msg=\"hook disabled\""); n != 1 {
		t.Errorf("%d 'hook disabled' log lines, want 1:\n%s", n, e.Daemon.Logs())
	}
	if !strings.Contains(e.Daemon.Logs(), "reason=gone") {
		t.Errorf("the 'hook disabled' line has no reason=gone:\n%s", e.Daemon.Logs())
	}
	if m := mustScrape(t, e); !strings.Contains(m, `forgehook_hooks_disabled_total{reason="gone"} 1`) {
		t.Errorf("metrics lack forgehook_hooks_disabled_total{reason=\"gone\"} 1:\n%s", grepLines(m, "disabled"))
	}
	before := recv.Tries("push")
	push(1) // a disabled hook gets nothing
	waitUntil(t, "the sixth push handled", func() bool { return strings.Count(e.Daemon.Logs(), "msg=\"push handled\"") >= 6 })

	recv.status.Store(200)
	if _, _, err := gh.EditHook(ctx, "acme", "health", h.GetID(), &github.Hook{Active: github.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	push(1)
	got = pushEvents(t, recv.WaitFor(t, "push", 3, wait))
	if got[2].GetAfter() != shas[6] {
		t.Errorf("after re-enabling, push %s arrived, want %s", got[2].GetAfter(), shas[6])
	}
	if n := recv.Tries("push"); n != before+1 {
		t.Errorf("push attempts since the hook was disabled = %d, want 1 (none while it was disabled)", n-before)
	}
}

// TestHealth_HalfOpenProbeClosesTheBreaker checks that once the breaker's
// open interval ends, one delivery goes out, and when it succeeds the ones
// that waited follow in push order.
func TestHealth_HalfOpenProbeClosesTheBreaker(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "probe")
	e.MustStart("--breaker-failures", "1", "--breaker-open", "2s", "--retry-schedule=")
	recv := newFlakyReceiver(t)
	e.MustCreateHook("acme", "probe", recv.URL, "json", "", "push")
	recv.WaitFor(t, "ping", 1, wait)

	recv.status.Store(500)
	c := e.WS.MustClone(bare, "work")
	first := c.Commit("one", map[string]string{"f.txt": "1"})
	c.Push("origin", "main")
	waitUntil(t, "one failed push delivery", func() bool { return recv.Tries("push") == 1 })
	recv.status.Store(200)
	var shas []string
	for i := 0; i < 3; i++ {
		shas = append(shas, c.Commit("more", map[string]string{"f.txt": strings.Repeat("y", i+2)}))
		c.Push("origin", "main")
	}
	got := pushEvents(t, recv.WaitFor(t, "push", 3, wait))
	for i, ev := range got {
		if ev.GetAfter() != shas[i] {
			t.Errorf("push %d after the probe: %s, want %s", i, ev.GetAfter(), shas[i])
		}
		if ev.GetAfter() == first {
			t.Errorf("the failed push was sent again; retries are off")
		}
	}
}

// mustScrape returns the daemon's /metrics, read with the admin token.
func mustScrape(t *testing.T, e *Env) string {
	t.Helper()
	req, _ := http.NewRequest("GET", e.Daemon.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+e.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, b)
	}
	return string(b)
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
