package main_test

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// TestShutdown_SIGTERMLetsAttemptsInFlightFinish: a delivery in flight when
// SIGTERM arrives completes and is recorded; it is not sent again later.
func TestShutdown_SIGTERMLetsAttemptsInFlightFinish(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "term")
	d := e.MustStart()
	recv := hookstest.NewReceiver(t, "")
	arrived := make(chan struct{}, 10)
	var answered atomic.Bool
	recv.Respond = func(r *http.Request) int {
		if r.Header.Get("X-GitHub-Event") == "push" {
			arrived <- struct{}{}
			time.Sleep(700 * time.Millisecond) // slow, but within the timeout
			answered.Store(true)
		}
		return http.StatusOK
	}
	h := e.MustCreateHook("acme", "term", recv.URL, "json", "")
	c := e.WS.MustClone(bare, "work")
	c.Commit("in flight", map[string]string{"x": "1"})
	c.Push("origin", "main")
	select {
	case <-arrived:
	case <-time.After(wait):
		t.Fatal("the push never reached the receiver")
	}
	d.Stop()
	if !answered.Load() {
		t.Errorf("the daemon exited before the attempt in flight was answered; want SIGTERM to wait for it")
	}
	if st := d.cmd.ProcessState; st == nil || !st.Exited() {
		t.Errorf("the daemon did not exit by itself after SIGTERM (%v): Stop killed it", st)
	}
	if n := len(recv.WaitFor(t, "push", 1, wait)); n != 1 {
		t.Fatalf("pushes received = %d, want 1", n)
	}
	e.MustStart()
	time.Sleep(500 * time.Millisecond)
	if n := len(pushEvents(t, recv.All())); n != 1 {
		t.Errorf("after restart the push arrived %d times; its outcome was lost at shutdown", n)
	}
	ds, _, err := e.Client(false).Repositories.ListHookDeliveries(bg(), "acme", "term", h.GetID(), nil)
	if err != nil || len(ds) == 0 || ds[0].GetEvent() != "push" || ds[0].GetStatusCode() != 200 {
		t.Fatalf("deliveries = %v, %v; want the push recorded with 200", ds, err)
	}
}
