package hooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// The fakes below embed the interface they fake: a method the push worker
// is not expected to call panics.

// onePushQueue hands out its pushes in one claim and reports what the
// worker stores, or why it gave a push up.
type onePushQueue struct {
	hooks.PushQueue
	mu     sync.Mutex
	pushes []*hooks.ClaimedPush
	done   chan hooks.PushEvents
	failed chan string
}

func (q *onePushQueue) ClaimPushes(context.Context, string, int, time.Duration) ([]*hooks.ClaimedPush, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	p := q.pushes
	q.pushes = nil
	return p, nil
}

func (q *onePushQueue) CompletePushes(_ context.Context, done []hooks.PushEvents) ([]error, error) {
	for _, d := range done {
		q.done <- d
	}
	return make([]error, len(done)), nil
}

func (q *onePushQueue) RetryPush(_ context.Context, _ *hooks.ClaimedPush, _ time.Time, reason string, _ bool) error {
	q.failed <- reason
	return nil
}

type allEventsHook struct{ hooks.HookService }

func (allEventsHook) HooksFor(_ context.Context, owner, repo string) ([]*hooks.Hook, error) {
	return []*hooks.Hook{{ID: 1, Owner: owner, Repo: repo, Active: true, Events: []string{"*"}}}, nil
}

type fixedAccounts struct{ hooks.AccountService }

func (fixedAccounts) EnsureAccount(_ context.Context, login string) (*hooks.Account, error) {
	return &hooks.Account{ID: 7, Login: login}, nil
}

func (fixedAccounts) EnsureRepo(context.Context, string, string) (int64, time.Time, error) {
	return 9, time.Unix(1e9, 0), nil
}

type oneRepo struct{ hooks.GitRepos }

func (oneRepo) RepoAt(_ context.Context, gitDir string) (*hooks.GitRepo, error) {
	return &hooks.GitRepo{GitDir: gitDir, Owner: "acme", Name: "w", DefaultBranch: "main"}, nil
}

// headOnly reads every ref change as its new head commit alone.
type headOnly struct{}

func (headOnly) ReadRefs(context.Context, string) (map[string]string, error) { return nil, nil }

func (headOnly) ReadPush(_ context.Context, _ string, _ map[string]string, push []hooks.RefUpdate, from, to int) ([]hooks.RefRead, error) {
	var out []hooks.RefRead
	for _, u := range push[from:to] {
		if u.Deleted() {
			out = append(out, hooks.RefRead{Change: &hooks.RefChange{}})
			continue
		}
		c := hooks.Commit{ID: u.After, Message: "m"}
		out = append(out, hooks.RefRead{Change: &hooks.RefChange{Commits: []hooks.Commit{c}, TotalCommits: 1, Head: &c}})
	}
	return out, nil
}

// emptyRefs keeps every repository's ref state empty.
type emptyRefs struct{ hooks.RefStates }

func (emptyRefs) RefState(context.Context, string, int64) (map[string]string, bool, error) {
	return map[string]string{}, true, nil
}

// runPush has a push worker with MaxTagsPerPush max handle one push of
// updates, and returns its events as "event ref" and what it logged.
func runPush(t *testing.T, max int, updates []hooks.RefUpdate) (events []string, logs string) {
	t.Helper()
	q := &onePushQueue{done: make(chan hooks.PushEvents, 1), failed: make(chan string, 1),
		pushes: []*hooks.ClaimedPush{{Push: hooks.Push{ID: 1, GitDir: "/srv/git/acme/w.git", Pusher: "ada",
			Updates: updates, ReceivedAt: time.Unix(2e9, 0)}, Attempts: 1}}}
	var buf bytes.Buffer
	w := &hooks.PushWorker{Pushes: q, Hooks: allEventsHook{}, Accounts: fixedAccounts{}, Repos: oneRepo{},
		Commits: headOnly{}, Refs: emptyRefs{}, URLs: hooks.NewURLs("http://h", ""), Owner: "test", Poll: time.Hour,
		Logger: slog.New(slog.NewTextHandler(&buf, nil)), MaxTagsPerPush: max}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { defer close(ran); _ = w.Run(ctx) }()
	var got hooks.PushEvents
	select {
	case got = <-q.done:
	case reason := <-q.failed:
		t.Fatalf("the worker gave the push up: %s", reason)
	case <-time.After(10 * time.Second):
		t.Fatal("the worker stored nothing")
	}
	cancel()
	<-ran
	for _, e := range got.Events {
		var p struct{ Ref string }
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			t.Fatalf("%s payload: %v", e.Name, err)
		}
		events = append(events, e.Name+" "+p.Ref)
	}
	return events, buf.String()
}

func TestPushWorker_MaxTagsPerPush(t *testing.T) {
	sha := strings.Repeat("a", 40)
	create := func(ref string) hooks.RefUpdate { return hooks.RefUpdate{Before: hooks.ZeroSHA, After: sha, Ref: ref} }
	remove := func(ref string) hooks.RefUpdate { return hooks.RefUpdate{Before: sha, After: hooks.ZeroSHA, Ref: ref} }
	fourTags := []hooks.RefUpdate{create("refs/tags/v1"), create("refs/tags/v2"), create("refs/heads/main"),
		create("refs/tags/v3"), create("refs/tags/v4")}
	tests := []struct {
		name      string
		max       int
		updates   []hooks.RefUpdate
		want      []string
		wantSkips string // in the log, or "" for no INFO line about tags
	}{
		{"4 tags over 3: the branch only", 3, fourTags,
			[]string{"push refs/heads/main", "create main"}, "tags_skipped=4 max_tags_per_push=3"},
		{"3 tags: all", 3, []hooks.RefUpdate{create("refs/tags/v1"), create("refs/tags/v2"), create("refs/tags/v3")},
			[]string{"push refs/tags/v1", "create v1", "push refs/tags/v2", "create v2", "push refs/tags/v3", "create v3"}, ""},
		{"deleted tags count", 3, []hooks.RefUpdate{create("refs/tags/v1"), create("refs/tags/v2"), remove("refs/tags/v0"), remove("refs/tags/old")},
			nil, "tags_skipped=4"},
		{"0: no limit", 0, fourTags,
			[]string{"push refs/tags/v1", "create v1", "push refs/tags/v2", "create v2", "push refs/heads/main", "create main",
				"push refs/tags/v3", "create v3", "push refs/tags/v4", "create v4"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, logs := runPush(t, tt.max, tt.updates)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("events = %q, want %q", got, tt.want)
			}
			var line string // the INFO line about skipped tags
			for _, l := range strings.Split(logs, "\n") {
				if strings.Contains(l, "level=INFO") && strings.Contains(l, "tags_skipped=") {
					line = l
				}
			}
			if (line != "") != (tt.wantSkips != "") || !strings.Contains(line, tt.wantSkips) {
				t.Fatalf("log = %q, want an INFO line with %q: %v", logs, tt.wantSkips, tt.wantSkips != "")
			}
		})
	}
}
