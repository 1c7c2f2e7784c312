package hooks

import (
	"strings"
	"time"
)

// PushPayload is the body of a push event, with GitHub's field names and
// explicit nulls.
type PushPayload struct {
	Ref          string        `json:"ref"`
	Before       string        `json:"before"`
	After        string        `json:"after"`
	Repository   *RepoJSON     `json:"repository"`
	Pusher       PusherJSON    `json:"pusher"`
	Organization *OrgJSON      `json:"organization,omitempty"`
	Sender       UserJSON      `json:"sender"`
	Created      bool          `json:"created"`
	Deleted      bool          `json:"deleted"`
	Forced       bool          `json:"forced"`
	BaseRef      *string       `json:"base_ref"`
	Compare      string        `json:"compare"`
	Commits      []*CommitJSON `json:"commits"`
	HeadCommit   *CommitJSON   `json:"head_commit"`
}

// PusherJSON is the pusher of a push event.
type PusherJSON struct {
	Name  string  `json:"name"`
	Email *string `json:"email"`
}

// CommitJSON is a commit in a push event.
type CommitJSON struct {
	ID        string        `json:"id"`
	TreeID    string        `json:"tree_id"`
	Distinct  bool          `json:"distinct"`
	Message   string        `json:"message"`
	Timestamp string        `json:"timestamp"`
	URL       string        `json:"url"`
	Author    SignatureJSON `json:"author"`
	Committer SignatureJSON `json:"committer"`
	Added     []string      `json:"added"`
	Removed   []string      `json:"removed"`
	Modified  []string      `json:"modified"`
}

// SignatureJSON is a commit's author or committer. username is left out
// because forgehook cannot map a git identity to an account.
type SignatureJSON struct {
	Name  string  `json:"name"`
	Email *string `json:"email"`
}

// PushInput is everything a push payload is built from.
type PushInput struct {
	Repo   *Repository
	Update RefUpdate
	Change *RefChange
	Pusher Account
}

// NewPushPayload builds the push event payload for one ref update.
func NewPushPayload(u URLs, in PushInput) *PushPayload {
	r, up, ch := in.Repo, in.Update, in.Change
	p := &PushPayload{
		Ref: up.Ref, Before: up.Before, After: up.After,
		Repository:   NewPushRepoJSON(u, r),
		Pusher:       PusherJSON{Name: in.Pusher.Login},
		Organization: NewOrgJSON(u, r.Owner),
		Sender:       NewUserJSON(u, in.Pusher),
		Created:      up.Created(), Deleted: up.Deleted(), Forced: ch.Forced,
		BaseRef: nullable(ch.BaseRef),
		Compare: compareURL(u, r, up),
		Commits: make([]*CommitJSON, 0, len(ch.Commits)),
	}
	for i := range ch.Commits {
		p.Commits = append(p.Commits, newCommitJSON(u, r, &ch.Commits[i]))
	}
	if ch.Head != nil && !up.Deleted() {
		p.HeadCommit = newCommitJSON(u, r, ch.Head)
	}
	return p
}

// compareURL follows GitHub: a range for updates and deletes, the ref name for
// a created ref, and the commit itself for the first push of a default branch.
func compareURL(u URLs, r *Repository, up RefUpdate) string {
	web := u.RepoWeb(r.Owner.Login, r.Name)
	switch {
	case up.Created() && up.Ref == "refs/heads/"+r.DefaultBranch:
		return web + "/commit/" + up.After
	case up.Created():
		return web + "/compare/" + up.ShortRef()
	}
	return web + "/compare/" + up.Before[:12] + "..." + up.After[:12]
}

func newCommitJSON(u URLs, r *Repository, c *Commit) *CommitJSON {
	return &CommitJSON{
		ID: c.ID, TreeID: c.TreeID, Distinct: c.Distinct,
		Message:   strings.TrimRight(c.Message, "\n"), // as GitHub shows it: without git's final newline
		Timestamp: c.Timestamp.Format(time.RFC3339),
		URL:       u.Commit(r.Owner.Login, r.Name, c.ID),
		Author:    SignatureJSON{Name: c.Author.Name, Email: nullable(c.Author.Email)},
		Committer: SignatureJSON{Name: c.Committer.Name, Email: nullable(c.Committer.Email)},
		Added:     nonNil(c.Added), Removed: nonNil(c.Removed), Modified: nonNil(c.Modified),
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
