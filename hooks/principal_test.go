package hooks_test

import (
	"testing"

	"github.com/forgehook/forgehook/hooks"
)

func TestPrincipal_CanAdmin(t *testing.T) {
	admin := &hooks.Principal{Login: "root"}
	repo := &hooks.Principal{Login: "bob", Repos: []string{"acme/widgets"}}
	owner := &hooks.Principal{Login: "bob", Repos: []string{"other/x", "acme/*"}}
	for _, tt := range []struct {
		name        string
		p           *hooks.Principal
		owner, repo string
		want        bool
	}{
		{"admin, any repository", admin, "Acme", "Widgets", true},
		{"scoped, its repository", repo, "acme", "widgets", true},
		{"scoped, repository in another case", repo, "Acme", "Widgets", false},
		{"scoped, owner in another case", repo, "Acme", "widgets", false},
		{"scoped, name in another case", repo, "acme", "Widgets", false},
		{"scoped, other repository", repo, "acme", "gadgets", false},
		{"scoped, a prefix of its repository", repo, "acme", "widget", false},
		{"owner scope, any of its repositories", owner, "acme", "Gadgets", true},
		{"owner scope, owner in another case", owner, "ACME", "widgets", false},
		{"owner scope, other owner", owner, "acmex", "widgets", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.CanAdminRepo(tt.owner, tt.repo); got != tt.want {
				t.Fatalf("CanAdminRepo(%q, %q) with %v = %v, want %v", tt.owner, tt.repo, tt.p.Repos, got, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		name  string
		p     *hooks.Principal
		owner string
		want  bool
	}{
		{"admin", admin, "Acme", true},
		{"owner scope", owner, "acme", true},
		{"owner scope, owner in another case", owner, "Acme", false},
		{"repository scope is not owner scope", repo, "acme", false},
	} {
		t.Run("owner/"+tt.name, func(t *testing.T) {
			if got := tt.p.CanAdminOwner(tt.owner); got != tt.want {
				t.Fatalf("CanAdminOwner(%q) with %v = %v, want %v", tt.owner, tt.p.Repos, got, tt.want)
			}
		})
	}
}

func TestPrincipal_CanSeeOwner(t *testing.T) {
	for _, tt := range []struct {
		name  string
		p     *hooks.Principal
		owner string
		want  bool
	}{
		{"admin, any owner", &hooks.Principal{Login: "root"}, "Acme", true},
		{"scoped, the owner of its repository", &hooks.Principal{Repos: []string{"acme/widgets"}}, "acme", true},
		{"scoped, owner in another case", &hooks.Principal{Repos: []string{"acme/widgets"}}, "Acme", false},
		{"scoped, a prefix of its owner", &hooks.Principal{Repos: []string{"acme/widgets"}}, "acm", false},
		{"owner scope", &hooks.Principal{Repos: []string{"other/x", "acme/*"}}, "acme", true},
		{"scoped, other owner", &hooks.Principal{Repos: []string{"other/x"}}, "acme", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.CanSeeOwner(tt.owner); got != tt.want {
				t.Fatalf("CanSeeOwner(%q) with %v = %v, want %v", tt.owner, tt.p.Repos, got, tt.want)
			}
		})
	}
}
