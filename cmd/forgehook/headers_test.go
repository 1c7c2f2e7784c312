package main_test

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// attempts records the headers of every request a receiver gets, answered
// or not, and fails the first request of event with a 500.
type attempts struct {
	mu     sync.Mutex
	all    []http.Header
	failed bool
}

// respond is a hookstest.Receiver's Respond that fails the first push.
func (a *attempts) respond(event string) func(r *http.Request) int {
	return func(r *http.Request) int {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.all = append(a.all, r.Header.Clone())
		if r.Header.Get("X-GitHub-Event") == event && !a.failed {
			a.failed = true
			return http.StatusInternalServerError
		}
		return http.StatusOK
	}
}

// of returns the headers of every attempt to deliver guid.
func (a *attempts) of(guid string) []http.Header {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []http.Header
	for _, h := range a.all {
		if h.Get("X-GitHub-Delivery") == guid {
			out = append(out, h)
		}
	}
	return out
}

// mustRaw returns the raw body of a GET of path on the daemon's API.
func (e *Env) mustRaw(path string) []byte {
	e.T.Helper()
	c := e.Client(false)
	req, err := c.NewRequest("GET", path, nil)
	if err != nil {
		e.T.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := c.Do(bg(), req, &buf); err != nil {
		e.T.Fatalf("GET %s: %v", path, err)
	}
	return buf.Bytes()
}

// TestCustomHeaders_SentOnEveryAttemptNeverShown: a hook's custom headers
// go out with its ping and with every attempt of a push, are shown masked
// by the API, the ping payload, the deliveries and the CLI, appear in no
// log line nor in the database file, survive a PATCH of the hook as read,
// and cannot override forgehook's own headers.
func TestCustomHeaders_SentOnEveryAttemptNeverShown(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "hdrs")
	e.MustStart("--retry-schedule", "1s")
	recv := hookstest.NewReceiver(t, "hs")
	var seen attempts
	recv.Respond = seen.respond("push")
	const token = "Bearer s3cret-token-1"

	many := map[string]string{}
	for i := range 21 {
		many[fmt.Sprintf("X-H%d", i)] = "v"
	}
	for _, bad := range []map[string]string{
		{"Content-Type": "text/plain"}, {"X-GitHub-Event": "push"}, {"x-hub-signature-256": "sha256=0"},
		{"webhook-id": "x"}, {"Host": "example.com"}, {"User-Agent": "me"}, {"Content-Length": "1"},
		{"Bad Name": "x"}, {"X-A": "a\r\nX-B: b"}, {"X-A": ""}, {"X-A": "********"}, {"X-A": "1", "x-a": "2"}, many,
	} {
		_, err := e.hookAPI("POST", "repos/acme/hdrs/hooks", map[string]any{
			"config": map[string]any{"url": recv.URL, "headers": bad}})
		wantValidationFailed(t, fmt.Sprintf("create with headers %v", bad), err, "headers")
	}
	h := e.MustHookAPI("POST", "repos/acme/hdrs/hooks", map[string]any{
		"config": map[string]any{"url": recv.URL, "content_type": "json", "secret": "hs",
			"headers": map[string]string{"Authorization": token, "X-Team": "infra"}}})
	masked := map[string]string{"Authorization": "********", "X-Team": "********"}
	if !maps.Equal(h.Config.Headers, masked) {
		t.Fatalf("created config.headers = %v, want %v", h.Config.Headers, masked)
	}
	ping := recv.WaitFor(t, "ping", 1, wait)[0]
	if ping.Header.Get("Authorization") != token || ping.Header.Get("X-Team") != "infra" {
		t.Fatalf("ping headers: Authorization=%q X-Team=%q", ping.Header.Get("Authorization"), ping.Header.Get("X-Team"))
	}
	if ping.Err != nil || bytes.Contains(ping.Body, []byte("s3cret")) || !bytes.Contains(ping.Body, []byte(`"Authorization":"********"`)) {
		t.Fatalf("ping payload (err %v) shows the header values, or no masked header:\n%s", ping.Err, ping.Body)
	}

	c := e.WS.MustClone(bare, "work")
	c.Commit("one", map[string]string{"f": "1"})
	c.Push("origin", "main")
	push := recv.WaitFor(t, "push", 1, wait)[0]
	tries := seen.of(push.GUID)
	if len(tries) != 2 {
		t.Fatalf("push attempts = %d, want 2 (a 500, then a retry)", len(tries))
	}
	for i, hdr := range tries {
		if hdr.Get("Authorization") != token || hdr.Get("X-Team") != "infra" {
			t.Errorf("attempt %d: Authorization=%q X-Team=%q", i+1, hdr.Get("Authorization"), hdr.Get("X-Team"))
		}
		if hdr.Get("Content-Type") != "application/json" || !strings.HasPrefix(hdr.Get("User-Agent"), "GitHub-Hookshot/") {
			t.Errorf("attempt %d: forgehook's own headers changed: %v", i+1, hdr)
		}
	}

	// Every read masks the values.
	gh := e.Client(false)
	if got, _, err := gh.Repositories.GetHook(bg(), "acme", "hdrs", h.ID); err != nil || got.GetConfig().GetURL() != recv.URL {
		t.Fatalf("go-github GetHook: %v, %v", got, err)
	}
	path := fmt.Sprintf("repos/acme/hdrs/hooks/%d", h.ID)
	for _, p := range []string{path, path + "/config", "repos/acme/hdrs/hooks"} {
		if raw := e.mustRaw(p); bytes.Contains(raw, []byte("s3cret")) || !bytes.Contains(raw, []byte(`"Authorization":"********"`)) {
			t.Errorf("GET %s shows a header value, or not the masked header:\n%s", p, raw)
		}
	}
	var ds []*github.HookDelivery
	waitUntil(t, "the ping and two push attempts recorded", func() bool { // recorded after the answer
		var err error
		ds, _, err = gh.Repositories.ListHookDeliveries(bg(), "acme", "hdrs", h.ID, &github.ListCursorOptions{PerPage: 100})
		return err == nil && len(ds) == 3
	})
	for _, d := range ds {
		full, _, err := gh.Repositories.GetHookDelivery(bg(), "acme", "hdrs", h.ID, d.GetID())
		if err != nil {
			t.Fatal(err)
		}
		if got := full.GetRequest().Headers; got["Authorization"] != "********" || got["X-Team"] != "********" {
			t.Errorf("delivery %d request headers: %v, want Authorization and X-Team masked", d.GetID(), got)
		}
		if raw := e.mustRaw(fmt.Sprintf("%s/deliveries/%d", path, d.GetID())); bytes.Contains(raw, []byte("s3cret")) {
			t.Errorf("delivery %d shows a header value:\n%s", d.GetID(), raw)
		}
	}
	if out := e.MustAdmin("hook", "show", fmt.Sprint(h.ID)); strings.Contains(out, "s3cret") || !strings.Contains(out, "Authorization: ********") {
		t.Errorf("hook show:\n%s", out)
	}

	// A client that sends the hook back as it read it keeps the values; a
	// new set replaces them, with masked values kept by name.
	read := e.MustHookAPI("GET", path, nil)
	e.MustHookAPI("PATCH", path, map[string]any{"active": true, "config": map[string]any{
		"url": read.Config.URL, "content_type": "json", "secret": read.Config.Secret, "headers": read.Config.Headers}})
	e.MustHookAPI("PATCH", path+"/config", map[string]any{"headers": map[string]string{"authorization": "********", "X-New": "n"}})
	if _, err := gh.Repositories.PingHook(bg(), "acme", "hdrs", h.ID); err != nil {
		t.Fatal(err)
	}
	again := recv.WaitFor(t, "ping", 2, wait)[1]
	if again.Err != nil || again.Header.Get("Authorization") != token || again.Header.Get("X-New") != "n" || again.Header.Get("X-Team") != "" {
		t.Fatalf("ping after the PATCHes (err %v): Authorization=%q X-New=%q X-Team=%q, want the token kept, X-New, no X-Team",
			again.Err, again.Header.Get("Authorization"), again.Header.Get("X-New"), again.Header.Get("X-Team"))
	}

	if logs := e.Daemon.Logs(); strings.Contains(logs, "s3cret") {
		t.Errorf("the daemon logged a header value:\n%s", logs)
	}
	for _, f := range []string{e.DB, e.DB + "-wal"} {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte("s3cret")) {
			t.Errorf("%s holds a header value in plain text", f)
		}
	}
}
