package main_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// shortRetries makes failed deliveries come back fast in tests.
var shortRetries = []string{"--retry-schedule", "50ms,100ms,200ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms"}

// TestCrash_EveryPushReachesEveryHookDespiteSIGKILL pushes 210 times into
// three repositories with two hooks each, while the daemon is SIGKILLed at
// random moments and the receivers sometimes answer 500 or hang. Every
// (push, ref, hook) must arrive at least once; duplicates must repeat the GUID.
func TestCrash_EveryPushReachesEveryHookDespiteSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	t.Parallel()
	e := MustNewEnv(t)
	flags := append([]string{"--delivery-timeout", "500ms"}, shortRetries...)
	e.MustStart(flags...)

	recvs := flakyReceivers(t, rand.NewPCG(1, 2))
	const repos, pushesPerRepo = 3, 70
	clones := mustCrashRepos(e, recvs, repos)

	// Kill the daemon at random moments while pushing, and bring it back.
	stop := make(chan struct{})
	var kills atomic.Int32
	var killer sync.WaitGroup
	killer.Add(1)
	go func() {
		defer killer.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(300+rand.IntN(900)) * time.Millisecond):
			}
			e.Daemon.Kill()
			kills.Add(1)
			e.MustStart(flags...)
		}
	}()
	want := map[string]bool{} // repo@sha#hook-index
	for p := 0; p < pushesPerRepo; p++ {
		for _, c := range clones {
			sha := c.commit(fmt.Sprintf("push %d", p), map[string]string{"n.txt": fmt.Sprint(p)})
			c.push("origin", "main")
			for j := range recvs {
				want[fmt.Sprintf("acme/%s@%s#%d", c.name, sha, j)] = true
			}
		}
	}
	close(stop)
	killer.Wait()

	deadline := time.Now().Add(90 * time.Second)
	var missing []string
	for {
		got, dups, guidErrs := tally(t, recvs)
		missing = missing[:0]
		for k := range want {
			if got[k] == 0 {
				missing = append(missing, k)
			}
		}
		if len(missing) == 0 {
			t.Logf("%d pushes x 2 hooks delivered through %d SIGKILLs; %d duplicate deliveries, all with a repeated GUID", len(want)/2, kills.Load(), dups)
			if guidErrs > 0 {
				t.Fatalf("%d (push, ref, hook) arrived more than once under different GUIDs", guidErrs)
			}
			return
		}
		if time.Now().After(deadline) {
			sort.Strings(missing)
			t.Fatalf("%d of %d (push, hook) never arrived, e.g. %v\n%s", len(missing), len(want), missing[:min(5, len(missing))], e.Daemon.Logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

type cloneOf struct {
	name   string
	push   func(...string) string
	commit func(string, map[string]string) string
}

// mustCrashRepos creates the repositories acme/crash0, crash1, … with a
// json hook to recvs[0] and a form hook to recvs[1] each, and a clone of
// each to push from.
func mustCrashRepos(e *Env, recvs []*hookstest.Receiver, n int) []*cloneOf {
	var clones []*cloneOf
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("crash%d", i)
		bare := e.MustRepo("acme", name)
		for j, rc := range recvs {
			e.MustCreateHook("acme", name, rc.URL, []string{"json", "form"}[j], rc.Secret)
		}
		c := e.WS.MustClone(bare, name)
		clones = append(clones, &cloneOf{name: name, push: c.Push, commit: c.Commit})
	}
	return clones
}

// flakyReceivers returns two receivers, with secrets "a" and "b", that
// answer 500 to a tenth of the requests and hang on 3 % until the sender
// gives up, as src draws.
func flakyReceivers(t *testing.T, src rand.Source) []*hookstest.Receiver {
	var mu sync.Mutex
	r := rand.New(src)
	flaky := func(req *http.Request) int {
		mu.Lock()
		x := r.Float64()
		mu.Unlock()
		switch {
		case x < 0.10:
			return http.StatusInternalServerError
		case x < 0.13:
			<-req.Context().Done() // hang until the sender gives up
			return 0
		}
		return http.StatusOK
	}
	recvs := []*hookstest.Receiver{hookstest.NewReceiver(t, "a"), hookstest.NewReceiver(t, "b")}
	for _, rc := range recvs {
		rc.Respond = flaky
	}
	return recvs
}

// tally counts verified push deliveries per repo@after#receiver, the
// duplicates, and the keys that arrived under more than one GUID.
func tally(t *testing.T, recvs []*hookstest.Receiver) (got map[string]int, dups, guidErrs int) {
	got = map[string]int{}
	guids := map[string]string{}
	for j, rc := range recvs {
		for _, d := range rc.All() {
			ev, ok := d.Parsed.(*github.PushEvent)
			if !ok {
				if d.Err != nil {
					t.Fatalf("a delivery did not verify: %v", d.Err)
				}
				continue
			}
			k := fmt.Sprintf("%s@%s#%d", ev.GetRepo().GetFullName(), ev.GetAfter(), j)
			got[k]++
			if got[k] > 1 {
				dups++
				if guids[k] != d.GUID {
					guidErrs++
				}
			}
			guids[k] = d.GUID
		}
	}
	return got, dups, guidErrs
}

// TestRetry_ReceiverDownForAWhileGetsEverything: a receiver answering 503
// for a while gets every push once it is back, within the retry schedule.
func TestRetry_ReceiverDownForAWhileGetsEverything(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "outage")
	// Short steps, but enough of them that a slow machine cannot use them
	// all up while the receiver is down. The breaker is off: every push is
	// to be refused once, where an open breaker would hold them back.
	e.MustStart("--retry-schedule", "50ms,100ms,200ms"+strings.Repeat(",300ms", 60), "--breaker-failures", "0")
	recv := hookstest.NewReceiver(t, "")
	var down atomic.Bool
	down.Store(true)
	var mu sync.Mutex
	refused := map[string]bool{} // the GUID of each push refused while down
	recv.Respond = func(r *http.Request) int {
		if down.Load() {
			if r.Header.Get("X-GitHub-Event") == "push" {
				mu.Lock()
				refused[r.Header.Get("X-GitHub-Delivery")] = true
				mu.Unlock()
			}
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}
	h := e.MustCreateHook("acme", "outage", recv.URL, "json", "")
	c := e.WS.MustClone(bare, "work")
	var shas []string
	for i := 0; i < 5; i++ {
		shas = append(shas, c.Commit(fmt.Sprint("outage ", i), map[string]string{"x": fmt.Sprint(i)}))
		c.Push("origin", "main")
	}
	waitUntil(t, "every push refused once", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(refused) == len(shas)
	})
	if n := len(recv.All()); n != 0 {
		t.Fatalf("received %d deliveries while down", n)
	}
	down.Store(false)
	got := pushEvents(t, recv.WaitFor(t, "push", 5, wait))
	seen := map[string]bool{}
	for _, ev := range got {
		seen[ev.GetAfter()] = true
	}
	for _, s := range shas {
		if !seen[s] {
			t.Errorf("push %s never arrived", s)
		}
	}
	// Each failed attempt is a delivery of its own in the API.
	ds, _, err := e.Client(false).Repositories.ListHookDeliveries(bg(), "acme", "outage", h.GetID(), &github.ListCursorOptions{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, d := range ds {
		if d.GetStatusCode() == http.StatusServiceUnavailable {
			failed++
		}
	}
	if failed == 0 {
		t.Errorf("no failed attempts (503) recorded among %d deliveries", len(ds))
	}
}

// TestFairness_DeadHookDoesNotSlowAHealthyOne: a receiver that never answers
// must not delay another hook of the same repository.
func TestFairness_DeadHookDoesNotSlowAHealthyOne(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "fair")
	// The dead hook's attempts last the whole delivery timeout, far longer
	// than the test: a healthy delivery that waited for one could not
	// arrive before the dead attempt ended.
	e.MustStart("--delivery-timeout", "5m")
	dead := hookstest.NewReceiver(t, "")
	var deadStarted, deadEnded atomic.Int32
	release := make(chan struct{})
	dead.Respond = func(r *http.Request) int {
		deadStarted.Add(1)
		defer deadEnded.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
		return 0
	}
	t.Cleanup(func() { close(release) }) // before the receiver closes: it waits for its requests
	healthy := hookstest.NewReceiver(t, "")
	e.MustCreateHook("acme", "fair", dead.URL, "json", "")
	e.MustCreateHook("acme", "fair", healthy.URL, "json", "")
	c := e.WS.MustClone(bare, "work")
	const pushes = 8
	for i := 0; i < pushes; i++ {
		c.Commit(fmt.Sprint("fair ", i), map[string]string{"x": fmt.Sprint(i)})
		c.Push("origin", "main")
		healthy.WaitFor(t, "push", i+1, wait)
		if i == 0 { // from now on the dead hook holds an attempt open
			waitUntil(t, "the dead hook's first attempt", func() bool { return deadStarted.Load() > 0 })
		}
	}
	if n := deadEnded.Load(); n != 0 {
		t.Fatalf("%d dead attempts ended before the healthy hook got its %d pushes, want none: the healthy deliveries waited for them", n, pushes)
	}
	if n := deadStarted.Load(); n != 1 {
		t.Errorf("the dead hook has %d attempts in flight, want 1 (one per hook keeps push order)", n)
	}
}
