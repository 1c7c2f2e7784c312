package hooks_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

func newJob(url string, payload []byte) *hooks.Job {
	return &hooks.Job{Attempt: 1,
		Event: &hooks.Event{ID: 1, GUID: "0b989ba4-242f-11e5-81e1-c7b6966d2516", Name: "push", RepoID: 7, Payload: payload},
		Hook:  &hooks.Hook{ID: 42, Owner: "o", Repo: "r", Config: hooks.HookConfig{URL: url, ContentType: hooks.ContentJSON, Secret: "s"}}}
}

func noRedirects(c *http.Client) *http.Client {
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

func TestSender_RecordsGitHubStatusTexts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.Header().Set("X-Seen", r.Header.Get("X-GitHub-Delivery"))
			_, _ = w.Write([]byte("thanks"))
		case "/fail":
			w.WriteHeader(http.StatusInternalServerError)
		case "/redirect":
			http.Redirect(w, r, "/ok", http.StatusMovedPermanently)
		case "/slow":
			time.Sleep(300 * time.Millisecond)
		case "/gone":
			w.WriteHeader(http.StatusGone)
		case "/busy":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String() + "/"
	ln.Close()

	s := &hooks.Sender{Client: noRedirects(&http.Client{}), InsecureClient: noRedirects(&http.Client{}), Timeout: 100 * time.Millisecond}
	tests := []struct {
		url        string
		code       int
		status     string
		permanent  bool
		retryAfter time.Duration
	}{
		{srv.URL + "/ok", 200, "OK", false, 0},
		{srv.URL + "/fail", 500, "Invalid HTTP Response: 500", false, 0},
		{srv.URL + "/redirect", 301, "Invalid HTTP Response: 301", false, 0},
		{srv.URL + "/slow", 0, "timed out", false, 0},
		{srv.URL + "/gone", 410, "Invalid HTTP Response: 410", true, 0},
		{srv.URL + "/busy", 429, "Invalid HTTP Response: 429", false, 2 * time.Minute},
		{closed, 0, "failed to connect", false, 0},
	}
	for _, tt := range tests {
		a := s.Send(context.Background(), newJob(tt.url, []byte(`{"a":1}`)))
		d := a.Delivery
		if d.StatusCode != tt.code || d.Status != tt.status || a.Permanent != tt.permanent || a.RetryAfter != tt.retryAfter {
			t.Errorf("%s: code=%d status=%q permanent=%v retryAfter=%v, want %d %q %v %v",
				tt.url, d.StatusCode, d.Status, a.Permanent, a.RetryAfter, tt.code, tt.status, tt.permanent, tt.retryAfter)
		}
		if d.GUID == "" || d.HookID != 42 || d.RequestHeaders["X-GitHub-Hook-ID"] != "42" || d.RequestHeaders["X-Hub-Signature-256"] == "" {
			t.Errorf("%s: delivery record %+v lacks its identity or request headers", tt.url, d)
		}
	}
	ok := s.Send(context.Background(), newJob(srv.URL+"/ok", []byte(`{}`))).Delivery
	if ok.ResponseBody != "thanks" || ok.ResponseHeaders["X-Seen"] != "0b989ba4-242f-11e5-81e1-c7b6966d2516" || ok.Duration <= 0 {
		t.Errorf("response record = body %q headers %v duration %v", ok.ResponseBody, ok.ResponseHeaders, ok.Duration)
	}
}

func TestSender_OversizedPayloadIsNotSent(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	defer srv.Close()
	s := &hooks.Sender{Client: srv.Client()}
	a := s.Send(context.Background(), newJob(srv.URL, []byte(`"`+strings.Repeat("x", hooks.MaxPayloadSize)+`"`)))
	if hit || !a.Permanent || !strings.Contains(a.Delivery.Status, "payload too large") {
		t.Fatalf("sent=%v permanent=%v status=%q, want not sent, permanent, a clear reason", hit, a.Permanent, a.Delivery.Status)
	}
}

func TestSender_TLSVerifiesUnlessInsecureSSL(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	insecure := srv.Client() // trusts the test certificate, like insecure_ssl "1"
	s := &hooks.Sender{Client: noRedirects(&http.Client{}), InsecureClient: insecure}
	job := newJob(srv.URL, []byte(`{}`))
	if d := s.Send(context.Background(), job).Delivery; d.StatusCode != 0 || !strings.Contains(d.Status, "certificate") {
		t.Fatalf("verified TLS to a self-signed server: code %d status %q, want a certificate failure", d.StatusCode, d.Status)
	}
	job.Hook.Config.InsecureSSL = true
	if d := s.Send(context.Background(), job).Delivery; d.StatusCode != 200 {
		t.Fatalf("insecure_ssl hook: code %d status %q, want 200", d.StatusCode, d.Status)
	}
}
