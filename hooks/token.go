package hooks

import "time"

// Token is what an administrator may see of an API token: never the token
// itself nor its hash.
type Token struct {
	ID         int64
	Login      string   // the user the token acts as
	Repos      []string // "owner/name" or "owner/*" it may administer; none means every repository
	CreatedAt  time.Time
	LastUsedAt time.Time // zero if never used; recorded to the minute
}
