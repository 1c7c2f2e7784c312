package main_test

import (
	"context"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/hooks/hookstest"
	"github.com/forgehook/forgehook/internal/pgtest"
	"github.com/forgehook/forgehook/internal/seal"
	"github.com/forgehook/forgehook/store/postgres"
)

// pendingReceiver is a receiver that answers 503 while down, noting the
// GUID of every delivery it turned away.
type pendingReceiver struct {
	*hookstest.Receiver
	mu     sync.Mutex
	down   bool
	guids  []string // turned away, in order of first sight
	events map[string]string
}

func newPendingReceiver(t *testing.T, secret string) *pendingReceiver {
	pr := &pendingReceiver{Receiver: hookstest.NewReceiver(t, secret), down: true, events: map[string]string{}}
	pr.Respond = func(r *http.Request) int {
		pr.mu.Lock()
		defer pr.mu.Unlock()
		if !pr.down {
			return http.StatusOK
		}
		guid := github.DeliveryID(r)
		if _, ok := pr.events[guid]; !ok {
			pr.guids = append(pr.guids, guid)
			pr.events[guid] = github.WebHookType(r)
		}
		return http.StatusServiceUnavailable
	}
	return pr
}

// turnedAway returns the GUIDs turned away so far and their events.
func (pr *pendingReceiver) turnedAway() ([]string, map[string]string) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return slices.Clone(pr.guids), pr.events
}

func TestMigrateDB_PendingDeliveriesArriveAfterTheSwitch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustNewEnv(t)
	bare := e.MustRepo("ada", "app")
	recv := newPendingReceiver(t, "s3cret")
	e.MustStart("--retry-schedule", "1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s")
	hook := e.MustCreateHook("ada", "app", recv.URL, "json", "s3cret")
	c := e.WS.MustClone(bare, "work")
	c.Commit("first", map[string]string{"a.txt": "a\n"})
	c.Push("origin", "main")
	// The ping and the push were sent and turned away: both are pending.
	waitUntil(t, "the ping and the push turned away", func() bool {
		guids, events := recv.turnedAway()
		return len(guids) == 2 && events[guids[1]] == "push"
	})
	dsn := pgtest.MustDSN(t)

	t.Run("refused while the daemon runs", func(t *testing.T) {
		out, err := exec.Command(binary, "migrate-db", "--from", e.DB, "--to", dsn).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "a daemon is running") {
			t.Fatalf("migrate-db with the daemon running: %v\n%s", err, out)
		}
	})

	// SIGKILL: a delivery may be leased (in flight), its wake-up socket is left.
	e.Daemon.Kill()
	out := e.MustRun("migrate-db", "--from", e.DB, "--to", dsn)
	for _, want := range []string{"hooks           1", "tokens          1", "pushes          1", "events          2", "jobs            2"} {
		if !strings.Contains(out, want) {
			t.Errorf("migrate-db output has no %q:\n%s", want, out)
		}
	}

	t.Run("refused into a database with rows", func(t *testing.T) {
		out, err := exec.Command(binary, "migrate-db", "--from", e.DB, "--to", dsn).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "not empty") {
			t.Fatalf("migrate-db again: %v\n%s", err, out)
		}
	})

	pg, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	keys, err := seal.Load(e.DB + ".key") // the secrets travel sealed: the same key file opens them
	if err != nil {
		t.Fatal(err)
	}
	pg.Secrets = keys
	if p, err := pg.Authenticate(ctx, e.Token); err != nil || p.Login != "ada" {
		t.Fatalf("the token on PostgreSQL: %+v, %v; want ada", p, err)
	}
	hs, _, err := pg.FindHooks(ctx, hooks.HookFilter{Owner: "ada", Repo: "app"})
	if err != nil || len(hs) != 1 || hs[0].ID != hook.GetID() || hs[0].Config.Secret != "s3cret" {
		t.Fatalf("hooks on PostgreSQL: %+v, %v; want hook %d with its secret", hs, err, hook.GetID())
	}
	// Every pending delivery is claimable on PostgreSQL, with its GUID.
	want, _ := recv.turnedAway()
	var got []string
	deadline := time.Now().Add(wait)
	for len(got) < len(want) && time.Now().Before(deadline) {
		jobs, err := pg.ClaimJobs(ctx, "new", 10, nil, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs {
			got = append(got, j.Event.GUID)
		}
		time.Sleep(50 * time.Millisecond)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("claimable on PostgreSQL: %v, want the pending %v", got, want)
	}
}
