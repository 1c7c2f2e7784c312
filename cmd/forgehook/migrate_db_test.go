package main_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
	"github.com/forgehook/forgehook/internal/pgtest"
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

	// The daemon on PostgreSQL, with the file's key (the secrets travel
	// sealed), and the receiver up: every pending delivery arrives, with
	// the GUID it was first sent with.
	keyFile := e.DB + ".key"
	e.DB = dsn
	e.Prepare = func(cmd *exec.Cmd) { cmd.Env = append(os.Environ(), "FORGEHOOK_SECRET_KEY_FILE="+keyFile) }
	recv.mu.Lock()
	recv.down = false
	recv.mu.Unlock()
	e.MustStart("--retry-schedule", "1s")
	want, events := recv.turnedAway()
	got := recv.WaitFor(t, "", len(want), wait)
	for _, r := range got {
		if r.Err != nil || r.Event != events[r.GUID] {
			t.Fatalf("delivery %s %s: %v; want a verified %s", r.Event, r.GUID, r.Err, events[r.GUID])
		}
	}
	if guids := receivedGUIDs(got); !slices.Equal(guids, sorted(want)) {
		t.Fatalf("delivered on PostgreSQL: %v, want the pending %v", guids, sorted(want))
	}
	// The token authenticates, and the hook kept its id.
	hs, _, err := e.Client(false).Repositories.ListHooks(ctx, "ada", "app", nil)
	if err != nil || len(hs) != 1 || hs[0].GetID() != hook.GetID() {
		t.Fatalf("hooks on PostgreSQL: %v (%v), want hook %d", hs, err, hook.GetID())
	}
}

// receivedGUIDs returns the distinct GUIDs of got, sorted.
func receivedGUIDs(got []*hookstest.Received) []string {
	var out []string
	for _, r := range got {
		out = append(out, r.GUID)
	}
	return slices.Compact(sorted(out))
}

// sorted returns a sorted copy of s.
func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
