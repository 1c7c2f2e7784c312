package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

func (s suite) testEnsureAccount(t *testing.T) {
	ctx := context.Background()
	db, _ := s.open(t)
	a, err := db.EnsureAccount(ctx, "Octo")
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.Login != "Octo" || a.Org || a.CreatedAt.IsZero() {
		t.Fatalf("account=%+v, want a new user Octo with its first-seen time", a)
	}
	again, err := db.EnsureAccount(ctx, "Octo")
	if err != nil {
		t.Fatal(err)
	}
	if *again != *a {
		t.Fatalf("account=%+v, want %+v", again, a)
	}
	// Logins are exact: octo is another account.
	other, err := db.EnsureAccount(ctx, "octo")
	if err != nil {
		t.Fatal(err)
	}
	if other.ID == a.ID || other.Login != "octo" {
		t.Fatalf("account=%+v, want a new account octo apart from %+v", other, a)
	}

	// An account that owns an organization hook is an organization.
	MustCreateHook(t, db, "Octo", "repo", "http://a.example/")
	if a, _ = db.EnsureAccount(ctx, "Octo"); a.Org {
		t.Fatal("a repository hook made the account an organization")
	}
	MustCreateHook(t, db, "Octo", "", "http://a.example/")
	if a, _ = db.EnsureAccount(ctx, "Octo"); !a.Org {
		t.Fatal("account with an organization hook is not an organization")
	}
	if other, _ = db.EnsureAccount(ctx, "octo"); other.Org {
		t.Fatal("Octo's organization hook made octo an organization")
	}

	_, err = db.EnsureAccount(ctx, "")
	wantCode(t, err, hooks.EINVALID)
}

func (s suite) testEnsureRepo(t *testing.T) {
	ctx := context.Background()
	db, clock := s.open(t)
	id, created, err := db.EnsureRepo(ctx, "Octo", "Hello")
	if err != nil {
		t.Fatal(err)
	}
	if id == 0 || !created.Equal(clock.Now()) {
		t.Fatalf("id=%d created=%v, want a new id created now (%v)", id, created, clock.Now())
	}
	clock.Add(time.Hour)
	id2, created2, err := db.EnsureRepo(ctx, "Octo", "Hello")
	if err != nil {
		t.Fatal(err)
	}
	if id2 != id || !created2.Equal(created) {
		t.Fatalf("id=%d created=%v, want %d %v", id2, created2, id, created)
	}
	for _, n := range [][2]string{{"Octo", "other"}, {"octo", "hello"}, {"Octo", "hello"}} {
		if id3, _, err := db.EnsureRepo(ctx, n[0], n[1]); err != nil || id3 == id {
			t.Fatalf("repository %s/%s id=%d (%v), want a new id (names are exact)", n[0], n[1], id3, err)
		}
	}
}
