package hooks

import "context"

// RefStates keeps, for each repository, its branches and tags as the push
// worker last left them: the state just before the oldest push not yet
// handled. Commit lists are computed against it, so they are the same
// whether the daemon handled a push at once or long after, when other pushes
// had moved refs meanwhile.
type RefStates interface {
	// RefState returns the refs of the repository at gitDir (name to object
	// id) just before push pushID, and ok=false if none is kept for that
	// push: the repository was never seen, or the kept state is of another
	// push (refs moved by a push the worker did not handle).
	RefState(ctx context.Context, gitDir string, pushID int64) (refs map[string]string, ok bool, err error)
	// SeedRefState keeps refs as the state of gitDir just before push pushID;
	// from then on, each push marked done (see PushQueue.CompletePushes)
	// moves it on.
	SeedRefState(ctx context.Context, gitDir string, pushID int64, refs map[string]string) error
	// LaterPushes returns the ref updates of the pushes to gitDir recorded
	// after push pushID and not handled yet, oldest first.
	LaterPushes(ctx context.Context, gitDir string, pushID int64) ([][]RefUpdate, error)
}

// ApplyPush returns refs with the updates of one push applied.
func ApplyPush(refs map[string]string, updates []RefUpdate) map[string]string {
	out := make(map[string]string, len(refs)+len(updates))
	for name, id := range refs {
		out[name] = id
	}
	for _, u := range updates {
		if u.Deleted() {
			delete(out, u.Ref)
		} else {
			out[u.Ref] = u.After
		}
	}
	return out
}

// UndoPush returns refs with the updates of one push undone, last first:
// the refs of before the push, if refs are those of after it.
func UndoPush(refs map[string]string, updates []RefUpdate) map[string]string {
	out := make(map[string]string, len(refs))
	for name, id := range refs {
		out[name] = id
	}
	for i := len(updates) - 1; i >= 0; i-- {
		u := updates[i]
		if u.Created() {
			delete(out, u.Ref)
		} else {
			out[u.Ref] = u.Before
		}
	}
	return out
}
