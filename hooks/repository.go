package hooks

import (
	"strings"
	"time"
)

// Account is a user or organization known to forgehook: a pusher, a token's
// user, or the owner of repositories.
type Account struct {
	ID        int64
	Login     string
	Org       bool      // the owner of organization hooks is shown as an Organization
	CreatedAt time.Time // when forgehook first saw the login
}

// Repository is a bare git repository under the repos root, with the
// identity forgehook gives it.
type Repository struct {
	ID            int64
	Owner         Account
	Name          string
	GitDir        string
	Description   string
	DefaultBranch string
	CreatedAt     time.Time
	PushedAt      time.Time // zero if forgehook never saw a push
}

// FullName returns "owner/name".
func (r *Repository) FullName() string { return r.Owner.Login + "/" + r.Name }

// GitRepo is what git knows about a bare repository.
type GitRepo struct {
	GitDir        string
	Owner, Name   string // as spelled on disk
	Description   string
	DefaultBranch string
	CreatedAt     time.Time
}

// ValidName reports whether s may be an owner or repository name: 1 to 100
// characters of letters, digits, '-', '_' and '.', not starting with '.'.
func ValidName(s string) bool {
	if s == "" || len(s) > 100 || s[0] == '.' || strings.HasSuffix(s, ".git") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
