package hooks

import (
	"context"
	"time"
)

// HookService stores hooks.
type HookService interface {
	// FindHookByID returns the hook, or ENOTFOUND.
	FindHookByID(ctx context.Context, id int64) (*Hook, error)
	// FindHooks returns the hooks matching f ordered by id, and how many match
	// f without its Offset and Limit.
	FindHooks(ctx context.Context, f HookFilter) ([]*Hook, int, error)
	// CreateHook validates h, stores it and sets its ID and timestamps. A hook
	// with the same URL and overlapping events, or one past the limits, is
	// EINVALID.
	CreateHook(ctx context.Context, h *Hook) error
	// UpdateHook applies upd to hook id and returns the result.
	UpdateHook(ctx context.Context, id int64, upd HookUpdate) (*Hook, error)
	// DeleteHook removes hook id and its queued deliveries, or returns ENOTFOUND.
	DeleteHook(ctx context.Context, id int64) error
	// DeleteHookWithMeta removes hook id as DeleteHook does and, in the same
	// transaction, queues meta, its meta event, to be delivered once, after
	// the hook is gone, to the hook as it was (a Job with Farewell set): the
	// queue keeps the hook's URL, content type, secret and TLS setting.
	DeleteHookWithMeta(ctx context.Context, id int64, meta *Event) error
	// HooksFor returns the active hooks that receive events of repository
	// owner/repo: its own and its owner's organization hooks.
	HooksFor(ctx context.Context, owner, repo string) ([]*Hook, error)
}

// AccountService gives users, owners and repositories stable ids.
type AccountService interface {
	// EnsureAccount returns the account for login, creating it if needed.
	// Logins are exact: "Octo" and "octo" are two accounts. Org reports
	// whether the account owns organization hooks: such owners are shown as
	// organizations.
	EnsureAccount(ctx context.Context, login string) (*Account, error)
	// EnsureRepo returns the id and first-seen time of owner/name, recording
	// it if needed. Names are exact: Acme/Widgets is not acme/widgets.
	EnsureRepo(ctx context.Context, owner, name string) (id int64, created time.Time, err error)
}

// GitRepos finds bare repositories on disk.
type GitRepos interface {
	// FindOwner returns owner as repositories spell it: exactly, else the one
	// spelling that matches ignoring case; ENOTFOUND if no repository has it.
	FindOwner(ctx context.Context, owner string) (string, error)
	// FindRepo returns the bare repository owner/name: the exact name, else the
	// one repository that matches ignoring case; ENOTFOUND otherwise.
	FindRepo(ctx context.Context, owner, name string) (*GitRepo, error)
	// RepoAt returns the repository whose git dir is gitDir, or ENOTFOUND if it
	// is not under the repos root.
	RepoAt(ctx context.Context, gitDir string) (*GitRepo, error)
}

// RepoLister lists the bare repositories on disk, for the pages that show
// them all.
type RepoLister interface {
	// ListRepos returns every repository that has a name, sorted by owner
	// and name as spelled on disk, as the latest scan of the repos root found
	// them. Only GitDir, Owner and Name are set.
	ListRepos(ctx context.Context) ([]*GitRepo, error)
}

// CommitReader reads what ref updates changed. Implemented with go-git.
type CommitReader interface {
	// ReadRefs returns the branches and tags of the bare repository at
	// gitDir as they are now, by name: the object id each points to.
	ReadRefs(ctx context.Context, gitDir string) (map[string]string, error)
	// ReadPush returns what push[from:to] did in the bare repository at
	// gitDir, one RefRead per update. push is every update of one push, in
	// order, and refs the branches and tags as they were just before it:
	// together they decide which commits are new and which are distinct. Its
	// cost is linear in the updates and commits of the push. An update whose
	// objects cannot be read gets its own Err; err is for the whole call
	// (the repository cannot be opened, ctx ended).
	ReadPush(ctx context.Context, gitDir string, refs map[string]string, push []RefUpdate, from, to int) ([]RefRead, error)
}

// RefRead is what ReadPush found for one ref update: its change, or why it
// could not be read.
type RefRead struct {
	Change *RefChange
	Err    error
}

// RefChange is what one ref update did to the history.
type RefChange struct {
	Commits      []Commit // oldest first, at most MaxPushCommits (the newest ones)
	TotalCommits int      // how many commits the update brought, before capping
	Head         *Commit  // the commit after points to (peeled); nil when deleted
	Forced       bool     // before is not an ancestor of after
	BaseRef      string   // for tags: a branch whose tip is the tagged commit, or ""
}

// MaxPushCommits is how many commits a push payload carries, as on GitHub.
const MaxPushCommits = 2048

// Commit is one commit of a push, with the paths it changed against its first parent.
type Commit struct {
	ID        string
	TreeID    string
	Message   string
	Timestamp time.Time // committer date, in the committer's zone
	Author    Signature
	Committer Signature
	Added     []string
	Removed   []string
	Modified  []string
	Distinct  bool
}

// Signature is a commit's author or committer.
type Signature struct {
	Name  string
	Email string
	When  time.Time
}

// Tokens authenticates API callers.
type Tokens interface {
	// Authenticate returns the principal that owns token, or EUNAUTHORIZED.
	Authenticate(ctx context.Context, token string) (*Principal, error)
}
