package hooks_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// memQueue is an in-memory DeliveryQueue: jobs are claimed in order, skipping
// busy hooks, after claimDelay; finished outcomes are kept.
type memQueue struct {
	claimDelay time.Duration

	mu       sync.Mutex
	queued   []*hooks.Job
	outcomes []*hooks.Outcome
	claims   int
}

var _ hooks.DeliveryQueue = (*memQueue)(nil)

func (q *memQueue) EnqueueEvent(context.Context, *hooks.Event) error { return nil }

func (q *memQueue) ClaimJobs(_ context.Context, _ string, n int, busy []int64, _ time.Duration) ([]*hooks.Job, error) {
	time.Sleep(q.claimDelay)
	q.mu.Lock()
	defer q.mu.Unlock()
	q.claims++
	var claimed, rest []*hooks.Job
	for _, j := range q.queued {
		if len(claimed) < n && !slices.Contains(busy, j.Hook.ID) {
			claimed = append(claimed, j)
		} else {
			rest = append(rest, j)
		}
	}
	q.queued = rest
	return claimed, nil
}

func (q *memQueue) FinishJobs(_ context.Context, outcomes []*hooks.Outcome) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.outcomes = append(q.outcomes, outcomes...)
	return nil
}

func (q *memQueue) RecoverLeases(context.Context, string) (int, error) { return 0, nil }
func (q *memQueue) NextDue(context.Context) (time.Time, error)         { return time.Time{}, nil }

// finished returns the outcomes recorded so far, by state.
func (q *memQueue) finished() map[hooks.JobState]int {
	q.mu.Lock()
	defer q.mu.Unlock()
	m := map[hooks.JobState]int{}
	for _, o := range q.outcomes {
		m[o.State]++
	}
	return m
}

// orderReceiver records, per hook, the sequence numbers of the bodies it got.
type orderReceiver struct {
	*httptest.Server
	mu   sync.Mutex
	seen map[string][]int
}

func newOrderReceiver(t *testing.T) *orderReceiver {
	r := &orderReceiver{seen: map[string][]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		n, _ := strconv.Atoi(string(b))
		r.mu.Lock()
		r.seen[req.Header.Get("X-GitHub-Hook-ID")] = append(r.seen[req.Header.Get("X-GitHub-Hook-ID")], n)
		r.mu.Unlock()
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *orderReceiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, s := range r.seen {
		n += len(s)
	}
	return n
}

// queueJobs makes n jobs for each of hooks, numbered in queue order per hook.
func queueJobs(url string, hookCount, n int) []*hooks.Job {
	var jobs []*hooks.Job
	id := int64(0)
	for i := range n {
		for h := range hookCount {
			id++
			jobs = append(jobs, &hooks.Job{ID: id, Attempt: 1,
				Event: &hooks.Event{ID: id, GUID: fmt.Sprint(id), Name: "push", Payload: []byte(strconv.Itoa(i))},
				Hook: &hooks.Hook{ID: int64(h + 1), Active: true,
					Config: hooks.HookConfig{URL: url, ContentType: hooks.ContentJSON}}})
		}
	}
	return jobs
}

func newDispatcher(q hooks.DeliveryQueue) *hooks.Dispatcher {
	return &hooks.Dispatcher{Queue: q, Owner: "test", Concurrency: 8, Poll: 10 * time.Millisecond,
		Sender: &hooks.Sender{Client: noRedirects(&http.Client{}), InsecureClient: noRedirects(&http.Client{})}}
}

// TestDispatcher_DeliversEachOnceInOrder drains 3 hooks × 200 jobs through
// slow claims and expects every job delivered once, each hook's in order.
func TestDispatcher_DeliversEachOnceInOrder(t *testing.T) {
	recv := newOrderReceiver(t)
	const hookCount, perHook = 3, 200
	q := &memQueue{claimDelay: 2 * time.Millisecond, queued: queueJobs(recv.URL, hookCount, perHook)}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- newDispatcher(q).Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for recv.count() < hookCount*perHook && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	want := make([]int, perHook)
	for i := range want {
		want[i] = i
	}
	for h := 1; h <= hookCount; h++ {
		if got := recv.seen[strconv.Itoa(h)]; !slices.Equal(got, want) {
			t.Errorf("hook %d got %d deliveries in order %v, want 0..%d in order", h, len(got), got, perHook-1)
		}
	}
	if got := q.finished(); got[hooks.JobSucceeded] != hookCount*perHook {
		t.Errorf("outcomes=%v, want %d succeeded", got, hookCount*perHook)
	}
}

// TestDispatcher_StopGivesBackAClaimInFlight stops the dispatcher while its
// first claim is still running, and expects Run to wait for the claim and
// give back every job it brought, unsent.
func TestDispatcher_StopGivesBackAClaimInFlight(t *testing.T) {
	recv := newOrderReceiver(t)
	q := &memQueue{claimDelay: 200 * time.Millisecond, queued: queueJobs(recv.URL, 2, 10)}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- newDispatcher(q).Run(ctx) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if n := recv.count(); n != 0 {
		t.Errorf("%d deliveries after stopping, want 0", n)
	}
	if got := q.finished(); got[hooks.JobQueued] != 20 || len(got) != 1 {
		t.Errorf("outcomes=%v, want the 20 claimed jobs given back", got)
	}
}
