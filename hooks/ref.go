package hooks

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// ZeroSHA is the object id git uses for "no object": the before of a created
// ref and the after of a deleted one.
const ZeroSHA = "0000000000000000000000000000000000000000"

// MaxRefUpdates bounds how many ref updates one push may record.
const MaxRefUpdates = 10000

// RefUpdate is one line of post-receive input: a ref moved from Before to After.
type RefUpdate struct {
	Before string `json:"before"`
	After  string `json:"after"`
	Ref    string `json:"ref"`
}

// Created reports whether the ref did not exist before the push.
func (u RefUpdate) Created() bool { return u.Before == ZeroSHA }

// Deleted reports whether the push removed the ref.
func (u RefUpdate) Deleted() bool { return u.After == ZeroSHA }

// RefType returns "branch" for refs/heads/, "tag" for refs/tags/ and "" otherwise.
func (u RefUpdate) RefType() string {
	switch {
	case strings.HasPrefix(u.Ref, "refs/heads/"):
		return "branch"
	case strings.HasPrefix(u.Ref, "refs/tags/"):
		return "tag"
	}
	return ""
}

// ShortRef returns the ref without its refs/heads/ or refs/tags/ prefix.
func (u RefUpdate) ShortRef() string {
	return strings.TrimPrefix(strings.TrimPrefix(u.Ref, "refs/heads/"), "refs/tags/")
}

// ParseRefUpdates reads post-receive's stdin: one "<old> <new> <ref>" line per
// updated ref. Object ids may be SHA-1 (40 hex) or SHA-256 (64 hex).
func ParseRefUpdates(r io.Reader) ([]RefUpdate, error) {
	var out []RefUpdate
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 || !isObjectID(f[0]) || !isObjectID(f[1]) || !strings.HasPrefix(f[2], "refs/") {
			return nil, fmt.Errorf("line %d: want \"<old> <new> <ref>\", got %q", n, truncate(line, 200))
		}
		if len(out) == MaxRefUpdates {
			return nil, fmt.Errorf("more than %d ref updates", MaxRefUpdates)
		}
		out = append(out, RefUpdate{Before: f[0], After: f[1], Ref: f[2]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read ref updates: %w", err)
	}
	return out, nil
}

func isObjectID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Push is what post-receive records: who pushed which ref updates into which
// repository, and when.
type Push struct {
	ID         int64
	GitDir     string // absolute path of the bare repository
	Pusher     string // login of the pusher, from the environment of the hook
	Updates    []RefUpdate
	ReceivedAt time.Time
}
