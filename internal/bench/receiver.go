package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Receiver is the loopback webhook receiver: it reads each request and
// answers 200 at once, over keep-alive connections. It counts requests and,
// for pushes someone waits for, tells when the push's payload arrived.
type Receiver struct {
	URL string // http://127.0.0.1:PORT

	srv   *http.Server
	ln    net.Listener
	count atomic.Int64

	mu      sync.Mutex
	waiters map[string]chan time.Time // push "after" id -> arrival
	target  int64                     // count to signal at, 0 for none
	reached chan time.Time
}

// StartReceiver listens on a loopback port.
func StartReceiver() (*Receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Receiver{URL: "http://" + ln.Addr().String(), ln: ln, waiters: map[string]chan time.Time{}}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 5 * time.Minute}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	now := time.Now()
	body, _ := io.ReadAll(io.LimitReader(req.Body, 32<<20))
	w.WriteHeader(http.StatusOK)
	n := r.count.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.target > 0 && n == r.target {
		r.reached <- now
		r.target = 0
	}
	if len(r.waiters) > 0 && req.Header.Get("X-GitHub-Event") == "push" {
		var p struct {
			After string `json:"after"`
		}
		if json.Unmarshal(body, &p) == nil {
			if ch, ok := r.waiters[p.After]; ok {
				ch <- now
				delete(r.waiters, p.After)
			}
		}
	}
}

// Count returns how many requests arrived so far.
func (r *Receiver) Count() int64 { return r.count.Load() }

// Expect returns a channel that receives the arrival time of the request
// that brings the count to n. Only one expectation is armed at a time.
func (r *Receiver) Expect(n int64) <-chan time.Time {
	ch := make(chan time.Time, 1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.count.Load() >= n {
		ch <- time.Now()
		return ch
	}
	r.target, r.reached = n, ch
	return ch
}

// WaitPush returns a channel that receives the arrival time of the first
// push event whose payload has after as its "after" commit.
func (r *Receiver) WaitPush(after string) <-chan time.Time {
	ch := make(chan time.Time, 1)
	r.mu.Lock()
	r.waiters[after] = ch
	r.mu.Unlock()
	return ch
}

// Forget drops a WaitPush that is no longer waited for.
func (r *Receiver) Forget(after string) {
	r.mu.Lock()
	delete(r.waiters, after)
	r.mu.Unlock()
}

// Close stops the receiver.
func (r *Receiver) Close() error {
	err := r.srv.Close()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// waitFor waits on ch for up to d.
func waitFor(ch <-chan time.Time, d time.Duration, what string) (time.Time, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case at := <-ch:
		return at, nil
	case <-t.C:
		return time.Time{}, fmt.Errorf("%s: nothing after %v", what, d)
	}
}
