package hooks_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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

// TestSender_StoresBoundedResponseHeaders: a receiver answering with
// hundreds of KiB of headers gets at most MaxStoredHeaders headers and
// MaxStoredHeaderBytes stored, cut on a UTF-8 boundary and marked; a
// receiver with ordinary headers has them stored whole, unmarked.
func TestSender_StoresBoundedResponseHeaders(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/many":
			for i := range 300 {
				w.Header().Set(fmt.Sprintf("X-Pad-%03d", i), strings.Repeat("é", 500))
			}
		case "/long":
			w.Header().Set("X-Long", "a"+strings.Repeat("é", 20000)) // runes start at odd offsets
		case "/few":
			w.Header().Set("X-Small", "yes")
		}
	}))
	defer srv.Close()
	s := &hooks.Sender{Client: noRedirects(&http.Client{})}
	for _, path := range []string{"/many", "/long"} {
		d := s.Send(context.Background(), newJob(srv.URL+path, []byte(`{}`))).Delivery
		n, size := 0, 0
		for k, v := range d.ResponseHeaders {
			if k == hooks.TruncatedHeader {
				continue
			}
			n, size = n+1, size+len(k)+len(v)
			if !utf8.ValidString(v) {
				t.Errorf("%s: header %s cut inside a UTF-8 sequence", path, k)
			}
		}
		if d.StatusCode != 200 || n > hooks.MaxStoredHeaders || size > hooks.MaxStoredHeaderBytes || n == 0 {
			t.Errorf("%s: status %d, %d headers and %d bytes stored, want 200 and 1..%d headers within %d bytes",
				path, d.StatusCode, n, size, hooks.MaxStoredHeaders, hooks.MaxStoredHeaderBytes)
		}
		if !strings.Contains(d.ResponseHeaders[hooks.TruncatedHeader], "stored") {
			t.Errorf("%s: no %s marker in %d stored headers", path, hooks.TruncatedHeader, len(d.ResponseHeaders))
		}
	}
	d := s.Send(context.Background(), newJob(srv.URL+"/few", []byte(`{}`))).Delivery
	if _, marked := d.ResponseHeaders[hooks.TruncatedHeader]; marked || d.ResponseHeaders["X-Small"] != "yes" || d.ResponseHeaders["Content-Length"] != "0" {
		t.Errorf("ordinary headers stored as %v, want them whole and unmarked", d.ResponseHeaders)
	}
}
