package hooks

import (
	"context"
	"slices"
	"strings"
)

// Principal is an authenticated API caller: a user, and the repositories its
// token may administer. A token without repositories is admin for all.
type Principal struct {
	Login string
	Repos []string // "owner/name" or "owner/*"; empty means every repository
}

// CanAdminRepo reports whether p may manage the hooks of owner/repo, which
// must be the repository's names as spelled on disk: names are exact, and
// Acme/Widgets is not acme/widgets.
func (p *Principal) CanAdminRepo(owner, repo string) bool {
	return len(p.Repos) == 0 || slices.Contains(p.Repos, owner+"/"+repo) || slices.Contains(p.Repos, owner+"/*")
}

// CanAdminOwner reports whether p may manage the organization hooks of
// owner, spelled as on disk.
func (p *Principal) CanAdminOwner(owner string) bool {
	return len(p.Repos) == 0 || slices.Contains(p.Repos, owner+"/*")
}

// CanSeeOwner reports whether p may see the account owner, spelled as on
// disk: the owner of a repository p may administer.
func (p *Principal) CanSeeOwner(owner string) bool {
	return len(p.Repos) == 0 || slices.ContainsFunc(p.Repos, func(r string) bool { return strings.HasPrefix(r, owner+"/") })
}

// IsAdmin reports whether p may administer everything: its token is
// limited to no repository.
func (p *Principal) IsAdmin() bool { return len(p.Repos) == 0 }

type principalKey struct{}

// NewContextWithPrincipal returns a copy of ctx carrying p.
func NewContextWithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFromContext returns the principal of an authenticated request, or nil.
func PrincipalFromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
