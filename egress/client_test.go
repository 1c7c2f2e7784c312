package egress_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/forgehook/forgehook/egress"
	"github.com/forgehook/forgehook/hooks"
)

// TestClient_StopsReadingHugeResponseHeaders: the client reads at most
// hooks.MaxResponseHeaderSize of a response's headers; a receiver sending
// more gets a failed delivery that says why, and headers just under the
// limit still pass (and are stored bounded).
func TestClient_StopsReadingHugeResponseHeaders(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		size := hooks.MaxResponseHeaderSize * 4
		if r.URL.Path == "/under" {
			size = hooks.MaxResponseHeaderSize / 2
		}
		for i := 0; i < size/1000; i++ {
			w.Header().Set(fmt.Sprintf("X-Pad-%04d", i), strings.Repeat("v", 990))
		}
	}))
	defer srv.Close()
	p, _ := egress.ParsePolicy("loopback")
	c := egress.NewClient(p, 5*time.Second, false)
	s := &hooks.Sender{Client: c, InsecureClient: c}
	job := &hooks.Job{Attempt: 1, Event: &hooks.Event{ID: 1, GUID: "g", Name: "ping", Payload: []byte(`{}`)},
		Hook: &hooks.Hook{ID: 1, Owner: "o", Repo: "r", Config: hooks.HookConfig{URL: srv.URL + "/over", ContentType: hooks.ContentJSON}}}
	d := s.Send(context.Background(), job).Delivery
	if d.StatusCode != 0 || d.Status != "Invalid HTTP Response: headers over 64 KiB" {
		t.Errorf("headers of 4×64 KiB: code %d status %q, want 0 and the reason", d.StatusCode, d.Status)
	}
	job.Hook.Config.URL = srv.URL + "/under"
	d = s.Send(context.Background(), job).Delivery
	if d.StatusCode != 200 || d.ResponseHeaders[hooks.TruncatedHeader] == "" {
		t.Errorf("headers of 32 KiB: code %d status %q, marker %q, want 200, stored truncated", d.StatusCode, d.Status, d.ResponseHeaders[hooks.TruncatedHeader])
	}
}
