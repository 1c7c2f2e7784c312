package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/pgtest"
)

// TestDB_Listen checks that a push recorded through one handle (a git
// server's hook) wakes a daemon listening through another.
func TestDB_Listen(t *testing.T) {
	dsn := pgtest.MustDSN(t)
	daemon, hook := MustOpen(t, dsn), MustOpen(t, dsn)
	ctx, cancel := context.WithCancel(context.Background())
	wakes := make(chan struct{}, 16)
	done := make(chan error, 1)
	go func() { done <- daemon.Listen(ctx, func() { wakes <- struct{}{} }) }()
	defer func() {
		cancel()
		if err := <-done; err != context.Canceled {
			t.Errorf("Listen returned %v, want context.Canceled", err)
		}
	}()
	wait := func(what string) {
		t.Helper()
		select {
		case <-wakes:
		case <-time.After(30 * time.Second):
			t.Fatalf("no wake-up %s", what)
		}
	}
	wait("on connecting") // notifications sent before it listened are lost: look once
	if err := hook.EnqueuePush(ctx, &hooks.Push{GitDir: "/srv/git/o/r.git", Pusher: "alice"}); err != nil {
		t.Fatal(err)
	}
	wait("after a push was recorded")
}
