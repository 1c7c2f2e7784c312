package main_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// TestCrash_PostgresDaemonsKilledInTurnLoseNothing is the crash test on
// PostgreSQL with 2 and 3 daemons sharing the database: they are SIGKILLed
// in turn at random moments while pushes come in and the receivers
// sometimes answer 500 or hang. Every (push, ref, hook) must arrive at least
// once, duplicates only under a repeated GUID; and a reliable hook with
// --hook-concurrency 1 gets the pushes of its repository in push order, a
// delivery repeated only after a kill.
func TestCrash_PostgresDaemonsKilledInTurnLoseNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	for _, n := range []int{2, 3} {
		t.Run(fmt.Sprintf("%d daemons", n), func(t *testing.T) { crashDaemons(t, n) })
	}
}

func crashDaemons(t *testing.T, daemons int) {
	e := MustNewPGEnv(t)
	flags := append([]string{"--delivery-timeout", "2s", "--hook-concurrency", "1", "--daemon-timeout", "2s"}, shortRetries...)
	var mu sync.Mutex          // guards running and all
	var running, all []*Daemon // all: the killed ones too
	for i := 0; i < daemons; i++ {
		running = append(running, e.MustStart(flags...))
	}
	all = append(all, running...)

	recvs := flakyReceivers(t, rand.NewPCG(3, uint64(daemons)))
	ordered := hookstest.NewReceiver(t, "o") // always 200: no retry reorders it
	const repos, pushesPerRepo = 3, 60
	clones := mustCrashRepos(e, recvs, repos)
	e.MustCreateHook("acme", "crash0", ordered.URL, "json", ordered.Secret)

	// Kill the daemons in turn at random moments while pushing; bring each back.
	stop := make(chan struct{})
	var kills atomic.Int32
	var killer sync.WaitGroup
	killer.Add(1)
	go func() {
		defer killer.Done()
		for i := 0; ; i = (i + 1) % daemons {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(300+rand.IntN(900)) * time.Millisecond):
			}
			mu.Lock()
			running[i].Kill()
			mu.Unlock()
			kills.Add(1)
			d := e.MustStart(flags...)
			mu.Lock()
			running[i] = d
			all = append(all, d)
			mu.Unlock()
		}
	}()
	want := map[string]bool{} // repo@sha#hook-index
	var order []string        // the pushes of crash0, in push order
	for p := 0; p < pushesPerRepo; p++ {
		for i, c := range clones {
			sha := c.commit(fmt.Sprintf("push %d", p), map[string]string{"n.txt": fmt.Sprint(p)})
			c.push("origin", "main")
			for j := range recvs {
				want[fmt.Sprintf("acme/%s@%s#%d", c.name, sha, j)] = true
			}
			if i == 0 {
				order = append(order, sha)
			}
		}
	}
	close(stop)
	killer.Wait()

	deadline := time.Now().Add(120 * time.Second)
	var missing []string
	for {
		got, dups, guidErrs := tally(t, recvs)
		missing = missing[:0]
		for k := range want {
			if got[k] == 0 {
				missing = append(missing, k)
			}
		}
		inOrder := len(pushEvents(t, ordered.All())) >= len(order)
		if len(missing) == 0 && inOrder {
			t.Logf("%d daemons: %d pushes x 2 flaky hooks = %d (push, ref, hook) delivered through %d SIGKILLs; %d duplicate deliveries, all with a repeated GUID",
				daemons, len(want)/2, len(want), kills.Load(), dups)
			if guidErrs > 0 {
				t.Fatalf("%d (push, ref, hook) arrived more than once under different GUIDs", guidErrs)
			}
			checkPushOrder(t, pushEvents(t, ordered.All()), order)
			mu.Lock()
			recovered := 0
			for _, d := range all {
				recovered += strings.Count(d.Logs(), "recovered work leased by daemons that stopped reporting")
			}
			mu.Unlock()
			t.Logf("%d times a daemon freed the leases of a killed one (--daemon-timeout 2s) instead of waiting for them to run out", recovered)
			return
		}
		if time.Now().After(deadline) {
			sort.Strings(missing)
			mu.Lock()
			var logs []string
			for _, d := range running {
				logs = append(logs, d.Logs())
			}
			mu.Unlock()
			t.Fatalf("%d of %d (push, hook) never arrived, e.g. %v; the ordered hook got %d of %d pushes\n%s",
				len(missing), len(want), missing[:min(5, len(missing))], len(ordered.All()), len(order), strings.Join(logs, "\n---\n"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkPushOrder checks that got brings the pushes of order first-time in
// exactly that order; a delivery may repeat (after a kill) one that came
// before, never skip ahead.
func checkPushOrder(t *testing.T, got []*github.PushEvent, order []string) {
	t.Helper()
	index := map[string]int{}
	for i, sha := range order {
		index[sha] = i
	}
	next, repeats := 0, 0
	for k, ev := range got {
		i, ok := index[ev.GetAfter()]
		switch {
		case !ok:
			t.Fatalf("the ordered hook got push %s, not one of its repository's", ev.GetAfter())
		case i == next:
			next++
		case i < next:
			repeats++
		default:
			t.Fatalf("the ordered hook's delivery %d is push %d before push %d arrived: order broken across daemons", k, i, next)
		}
	}
	if next != len(order) {
		t.Fatalf("the ordered hook got %d of %d pushes", next, len(order))
	}
	t.Logf("the --hook-concurrency 1 hook got its %d pushes in push order, %d repeated after kills", next, repeats)
}
