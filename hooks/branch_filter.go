package hooks

import (
	"fmt"
	"strings"
)

// MaxBranchFilterLength bounds a hook's config.branch_filter, in bytes.
const MaxBranchFilterLength = 1024

// BranchFilter is a hook's config.branch_filter, compiled: which refs' push,
// create and delete events the hook receives. Its syntax is Gitea's (a
// github.com/gobwas/glob pattern, see glob), for example
// "{main,release/*}" or "main,{release/*,hotfix/*}".
type BranchFilter struct {
	g *glob // nil: every ref
}

// ParseBranchFilter compiles filter. An empty filter, "*" and "**" let every
// ref through, as in Gitea.
func ParseBranchFilter(filter string) (*BranchFilter, error) {
	if filter == "" || filter == "*" || filter == "**" {
		return &BranchFilter{}, nil
	}
	g, err := compileGlob(filter)
	if err != nil {
		return nil, err
	}
	return &BranchFilter{g: g}, nil
}

// Match reports whether f lets the events of ref (a full ref name such as
// refs/heads/main or refs/tags/v1) through. As in Gitea, a branch matches
// by its name (main) or its full ref, and a tag (or any other ref) by its
// full ref: "main" lets no tag through, "refs/tags/v*" lets tags v... through.
func (f *BranchFilter) Match(ref string) bool {
	if f.g == nil {
		return true
	}
	if branch, ok := strings.CutPrefix(ref, "refs/heads/"); ok && f.g.Match(branch) {
		return true
	}
	return f.g.Match(ref)
}

// WantsRef reports whether h's branch filter lets the push, create and
// delete events of ref through. Pings, test pushes and redeliveries are
// sent to h directly and never filtered.
func (h *Hook) WantsRef(ref string) bool {
	f, err := ParseBranchFilter(h.Config.BranchFilter)
	return err == nil && f.Match(ref) // a stored filter was validated: err is nil
}

// validateBranchFilter checks config.branch_filter.
func validateBranchFilter(filter string) error {
	if len(filter) > MaxBranchFilterLength {
		return Invalid("Hook", "branch_filter", "invalid", fmt.Sprintf("Branch filter must be at most %d characters", MaxBranchFilterLength))
	}
	if _, err := ParseBranchFilter(filter); err != nil {
		return Invalid("Hook", "branch_filter", "invalid", "Branch filter is not a valid glob pattern: "+err.Error())
	}
	return nil
}
