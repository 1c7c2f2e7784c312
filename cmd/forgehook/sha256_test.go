package main_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks/hookstest"
	"github.com/forgehook/forgehook/internal/gittest"
)

// MustLog waits until the daemon has logged a line containing want and
// returns every such line.
func (d *Daemon) MustLog(t *testing.T, want string) []string {
	t.Helper()
	var lines []string
	waitUntil(t, "a daemon log line with "+want, func() bool {
		lines = lines[:0]
		for _, l := range strings.Split(d.Logs(), "\n") {
			if strings.Contains(l, want) {
				lines = append(lines, l)
			}
		}
		return len(lines) > 0
	})
	return lines
}

func TestSHA256_OneUnsupportedFailurePerPushNoRetries(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	sha := filepath.Join(e.Root, "sha", "twofiftysix.git")
	gittest.Git(t, e.WS.Env, e.WS.Dir, "init", "--quiet", "--bare", "--initial-branch=main", "--object-format=sha256", sha)
	const warning = "sha256 repositories get no webhooks yet"
	if out := e.MustRun("install", "--db", e.DB, "--repos", e.Root, sha); !strings.Contains(out, "sha/twofiftysix: "+warning) {
		t.Errorf("install said:\n%s\nwant the warning %q", out, warning)
	}
	if out := e.MustRunFail("doctor", "--db", e.DB, "--repos", e.Root, sha); !strings.Contains(out, "sha/twofiftysix: "+warning) {
		t.Errorf("doctor said:\n%s\nwant the warning %q", out, warning)
	}
	widgets := e.MustRepo("acme", "widgets")
	d := e.MustStart()
	recv := hookstest.NewReceiver(t, "")
	e.MustCreateHook("sha", "twofiftysix", recv.URL, "json", "", "push", "create")
	e.MustCreateHook("acme", "widgets", recv.URL, "json", "", "push")

	work := filepath.Join(e.WS.Dir, "sha-work") // a clone of an empty SHA-256 repository would be SHA-1
	gittest.Git(t, e.WS.Env, e.WS.Dir, "init", "--quiet", "--initial-branch=main", "--object-format=sha256", work)
	gittest.Git(t, e.WS.Env, work, "commit", "--quiet", "--allow-empty", "-m", "one")
	gittest.Git(t, e.WS.Env, work, "push", "--quiet", sha, "main")
	failed := d.MustLog(t, "unsupported object format sha256")
	if len(failed) != 1 || !strings.Contains(failed[0], "level=WARN") || !strings.Contains(failed[0], "attempt=1 final=true") ||
		!strings.Contains(failed[0], sha) {
		t.Fatalf("failure lines:\n%s\nwant one WARN line, final at attempt 1, naming %s", strings.Join(failed, "\n"), sha)
	}

	// Other repositories are delivered. A retry would come a second after
	// the first attempt (the backoff is attempts² seconds): wait for three
	// of them, then count the attempts.
	w := e.WS.MustClone(widgets, "widgets-work")
	w.Commit("two", map[string]string{"b": "2"})
	w.Push("origin", "main")
	pushes := pushEvents(t, recv.WaitFor(t, "push", 1, wait))
	time.Sleep(3 * time.Second)
	if got := strings.Count(d.Logs(), `msg="build push events"`); got != 1 {
		t.Errorf("%d attempts logged, want 1:\n%s", got, d.Logs())
	}
	if got := e.MustRun("doctor", "--db", e.DB, "--repos", e.Root, widgets); !strings.Contains(got, "0 problems") {
		t.Errorf("doctor on the SHA-1 repository: %s", got)
	}
	for _, ev := range append(pushes, pushEvents(t, recv.All())...) {
		if name := ev.GetRepo().GetFullName(); name != "acme/widgets" {
			t.Errorf("a push event for %s, want only acme/widgets", name)
		}
	}
	if strings.Contains(d.Logs(), "level=ERROR") {
		t.Errorf("the daemon logged errors:\n%s", d.Logs())
	}
}
