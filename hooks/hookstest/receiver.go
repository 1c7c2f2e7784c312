// Package hookstest holds test helpers for forgehook: a webhook receiver
// that verifies and parses every delivery with go-github, as real receivers do.
package hookstest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"
)

// Received is one delivery as the receiver saw it.
type Received struct {
	Method  string      // the request method: POST, or a template's
	URI     string      // the request URI as sent: path and query, still escaped
	Event   string      // X-GitHub-Event
	GUID    string      // X-GitHub-Delivery
	Header  http.Header // all request headers
	Body    []byte      // the raw body, as signed
	Payload []byte      // the JSON payload (the payload field of form bodies)
	Parsed  any         // github.ParseWebHook's result, e.g. *github.PushEvent
	Err     error       // why verification or parsing failed, if it did
	At      time.Time
}

// Receiver is an httptest server that checks deliveries with
// github.ValidatePayload and github.ParseWebHook.
type Receiver struct {
	*httptest.Server
	Secret string
	// Respond picks the status code for a request; 200 when nil. It may block
	// until the request's context ends and return 0 to drop the request, as a
	// hung receiver would. Only 2xx answers count as received.
	Respond func(r *http.Request) int

	mu       sync.Mutex
	received []*Received
	notify   chan struct{}
}

// NewReceiver starts a receiver expecting secret ("" for unsigned hooks),
// closed when the test ends.
func NewReceiver(tb testing.TB, secret string) *Receiver {
	tb.Helper()
	rc := &Receiver{Secret: secret, notify: make(chan struct{}, 1)}
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serve))
	tb.Cleanup(rc.Close)
	return rc
}

func (rc *Receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil { // the sender went away mid-request (a SIGKILLed daemon): no delivery
		http.Error(w, "incomplete request", http.StatusBadRequest)
		return
	}
	got := &Received{Method: r.Method, URI: r.RequestURI, Event: github.WebHookType(r), GUID: github.DeliveryID(r), Header: r.Header.Clone(), Body: body, At: time.Now()}
	r.Body = io.NopCloser(bytes.NewReader(body))
	got.Payload, got.Err = github.ValidatePayload(r, []byte(rc.Secret))
	if got.Err == nil {
		got.Parsed, got.Err = github.ParseWebHook(got.Event, got.Payload)
	}
	status := http.StatusOK
	if rc.Respond != nil {
		status = rc.Respond(r)
	}
	if status >= 200 && status < 300 {
		rc.mu.Lock()
		rc.received = append(rc.received, got)
		rc.mu.Unlock()
		select {
		case rc.notify <- struct{}{}:
		default:
		}
	}
	if status == 0 { // the handler gave up: the request was cancelled
		return
	}
	w.WriteHeader(status)
}

// All returns every delivery answered with a 2xx so far.
func (rc *Receiver) All() []*Received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]*Received(nil), rc.received...)
}

// WaitFor waits until n deliveries of event ("" for any) were received and
// returns them; it fails the test after timeout.
func (rc *Receiver) WaitFor(tb testing.TB, event string, n int, timeout time.Duration) []*Received {
	tb.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		var got []*Received
		for _, r := range rc.All() {
			if event == "" || r.Event == event {
				got = append(got, r)
			}
		}
		if len(got) >= n {
			return got
		}
		select {
		case <-rc.notify:
		case <-deadline.C:
			tb.Fatalf("received %d %q deliveries, want %d within %s", len(got), event, n, timeout)
		}
	}
}
