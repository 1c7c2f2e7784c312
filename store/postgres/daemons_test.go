package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/pgtest"
	"github.com/forgehook/forgehook/store/postgres"
)

// mustPush records a push of one update to gitDir through db.
func mustPush(t *testing.T, db *postgres.DB, gitDir string) *hooks.Push {
	t.Helper()
	p := &hooks.Push{GitDir: gitDir, Pusher: "ada", Updates: []hooks.RefUpdate{{Before: hooks.ZeroSHA, After: "1111111111111111111111111111111111111111", Ref: "refs/heads/main"}}}
	if err := db.EnqueuePush(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

func claimedIDs(list []*hooks.ClaimedPush) []int64 {
	var ids []int64
	for _, p := range list {
		ids = append(ids, p.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestDaemons_OnlyTheLeasesOfDeadDaemonsAreFreed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, pgtest.MustDSN(t))
	var pushes []*hooks.Push
	for _, repo := range []string{"/r/dead.git", "/r/live.git", "/r/ghost.git"} {
		pushes = append(pushes, mustPush(t, db, repo))
	}
	if err := db.Beat(ctx, "dead", "n"); err != nil {
		t.Fatal(err)
	}
	if err := db.Beat(ctx, "live", "n"); err != nil {
		t.Fatal(err)
	}
	for _, owner := range []string{"dead", "live", "ghost"} { // ghost never beat
		if got, err := db.ClaimPushes(ctx, owner, 1, time.Hour); err != nil || len(got) != 1 {
			t.Fatalf("claim as %s: %d pushes, %v; want 1", owner, len(got), err)
		}
	}
	const deadAfter = 2 * time.Second
	time.Sleep(deadAfter + 500*time.Millisecond) // dead stops beating
	if err := db.Beat(ctx, "live", "n"); err != nil {
		t.Fatal(err)
	}
	n, err := db.RecoverDeadLeases(ctx, deadAfter)
	if err != nil || n != 2 {
		t.Fatalf("RecoverDeadLeases = %d, %v; want 2 (dead's and ghost's)", n, err)
	}
	got, err := db.ClaimPushes(ctx, "next", 10, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// One claim per owner in repository order: dead got pushes[0], live [1], ghost [2].
	if ids, want := claimedIDs(got), []int64{pushes[0].ID, pushes[2].ID}; !slices.Equal(ids, want) {
		t.Fatalf("claimable after recovery: %v, want %v (live's push still leased)", ids, want)
	}
	list, err := db.Daemons(ctx)
	if err != nil || len(list) != 2 || list[0].Owner != "live" || list[0].Node != "n" {
		t.Fatalf("Daemons = %+v, %v; want live first, then dead", list, err)
	}
	if err := db.Retire(ctx, "live"); err != nil {
		t.Fatal(err)
	}
	if n, err := db.RecoverDeadLeases(ctx, time.Hour); err != nil || n != 3 {
		t.Fatalf("after live retired, RecoverDeadLeases = %d, %v; want 3 (live's and next's two: next never beat)", n, err)
	}
}

func TestNode_PushesAreClaimedOnlyByDaemonsOfTheirNode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.MustDSN(t)
	a, b := MustOpen(t, dsn), MustOpen(t, dsn)
	a.Node, b.Node = "git-a", "git-b"
	pa := mustPush(t, a, "/srv/git/acme/w.git")
	if got, err := b.OldestUnhandledPush(ctx); err != nil || !got.IsZero() {
		t.Fatalf("node git-b's oldest unhandled push: %v, %v; want none: the push is git-a's", got, err)
	}
	if got, err := b.NextDue(ctx); err != nil || !got.IsZero() {
		t.Fatalf("node git-b's next due: %v, %v; want nothing: the push is git-a's", got, err)
	}
	pb := mustPush(t, b, "/srv/git/acme/x.git")
	for _, tt := range []struct {
		db   *postgres.DB
		name string
		want int64
	}{{b, "git-b", pb.ID}, {a, "git-a", pa.ID}} {
		got, err := tt.db.ClaimPushes(ctx, tt.name, 10, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if ids := claimedIDs(got); !slices.Equal(ids, []int64{tt.want}) {
			t.Errorf("node %s claimed %v, want only its push %d", tt.name, ids, tt.want)
		}
	}
}
