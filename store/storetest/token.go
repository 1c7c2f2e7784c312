package storetest

import (
	"context"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

func (s suite) testTokens(t *testing.T) {
	ctx := context.Background()
	db, clock := s.open(t)
	token, err := db.CreateToken(ctx, "alice", []string{"octo/hello", "team/*"})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^fh_[0-9a-f]{40}$`).MatchString(token) {
		t.Fatalf("token=%q, want fh_ and 40 hex digits", token)
	}
	admin, err := db.CreateToken(ctx, "root", nil)
	if err != nil {
		t.Fatal(err)
	}
	if admin == token {
		t.Fatal("two tokens are equal")
	}

	t.Run("OK", func(t *testing.T) {
		p, err := db.Authenticate(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if p.Login != "alice" || !slices.Equal(p.Repos, []string{"octo/hello", "team/*"}) {
			t.Fatalf("principal=%+v", p)
		}
		p, err = db.Authenticate(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		if p.Login != "root" || len(p.Repos) != 0 || !p.CanAdminRepo("any", "repo") {
			t.Fatalf("principal=%+v, want an admin of every repository", p)
		}
	})

	t.Run("LastUsedOncePerMinute", func(t *testing.T) {
		lastUsed := func() time.Time {
			t.Helper()
			s.settle(db)
			list, err := db.ListTokens(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, tok := range list {
				if tok.Login == "alice" {
					return tok.LastUsedAt
				}
			}
			t.Fatal("alice's token is not listed")
			return time.Time{}
		}
		clock.Add(time.Hour)
		first := clock.Now()
		if _, err := db.Authenticate(ctx, token); err != nil {
			t.Fatal(err)
		}
		clock.Add(59 * time.Second)
		if _, err := db.Authenticate(ctx, token); err != nil {
			t.Fatal(err)
		}
		if got := lastUsed(); !got.Equal(first) {
			t.Fatalf("last used=%v within the minute, want %v", got, first)
		}
		clock.Add(2 * time.Second)
		if _, err := db.Authenticate(ctx, token); err != nil {
			t.Fatal(err)
		}
		if got := lastUsed(); !got.Equal(clock.Now()) {
			t.Fatalf("last used=%v after a minute, want %v", got, clock.Now())
		}
	})

	t.Run("ErrBadCredentials", func(t *testing.T) {
		for _, bad := range []string{"", "fh_", token[:len(token)-1] + "x", token + "0", "ghp_" + token[3:],
			"fh_0000000000000000000000000000000000000000"} {
			p, err := db.Authenticate(ctx, bad)
			wantCode(t, err, hooks.EUNAUTHORIZED)
			if p != nil || hooks.ErrorMessage(err) != "Bad credentials" {
				t.Fatalf("Authenticate(%q)=%v, %q; want nil, Bad credentials", bad, p, hooks.ErrorMessage(err))
			}
		}
	})

	t.Run("ErrNoLogin", func(t *testing.T) {
		_, err := db.CreateToken(ctx, "", nil)
		wantCode(t, err, hooks.EINVALID)
	})
}

func (s suite) testListAndRevokeTokens(t *testing.T) {
	ctx := context.Background()
	db, clock := s.open(t)
	alice, err := db.CreateToken(ctx, "alice", []string{"octo/hello"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateToken(ctx, "root", nil); err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Hour)
	if _, err := db.Authenticate(ctx, alice); err != nil {
		t.Fatal(err)
	}
	s.settle(db) // the last use is recorded in the background
	list, err := db.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Login != "alice" || list[1].Login != "root" {
		t.Fatalf("tokens=%+v, want alice then root", list)
	}
	if !slices.Equal(list[0].Repos, []string{"octo/hello"}) || len(list[1].Repos) != 0 {
		t.Fatalf("repos=%v and %v, want [octo/hello] and none", list[0].Repos, list[1].Repos)
	}
	if !list[0].LastUsedAt.After(list[0].CreatedAt) || !list[1].LastUsedAt.IsZero() {
		t.Fatalf("last used=%v (created %v) and %v, want after creation and never", list[0].LastUsedAt, list[0].CreatedAt, list[1].LastUsedAt)
	}

	t.Run("RevokedTokenIsBadCredentials", func(t *testing.T) {
		if err := db.RevokeToken(ctx, list[0].ID); err != nil {
			t.Fatal(err)
		}
		_, err := db.Authenticate(ctx, alice)
		wantCode(t, err, hooks.EUNAUTHORIZED)
		if left, err := db.ListTokens(ctx); err != nil || len(left) != 1 || left[0].Login != "root" {
			t.Fatalf("tokens after revoke=%+v (%v), want root's", left, err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantCode(t, db.RevokeToken(ctx, list[0].ID), hooks.ENOTFOUND)
	})
}
