package hooks

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ZeroSHA is the object id git uses for "no object": the before of a created
// ref and the after of a deleted one.
const ZeroSHA = "0000000000000000000000000000000000000000"

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

// maxLine bounds one line of post-receive input: a longer line (git's
// refs are far shorter) is reported as malformed, not kept in memory.
const maxLine = 64 << 10

// LineError is a line of post-receive input that is not "<old> <new> <ref>".
type LineError struct {
	Line int    // 1-based line number
	Text string // the line, cut to 200 bytes
	Why  string // what is wrong with it
}

// Error says which line is malformed and why.
func (e *LineError) Error() string {
	return fmt.Sprintf("line %d: %s, got %q", e.Line, e.Why, e.Text)
}

// ParseRefUpdates reads post-receive's stdin: one "<old> <new> <ref>" line per
// updated ref. Object ids may be SHA-1 (40 hex) or SHA-256 (64 hex). It keeps
// every well-formed line, however many there are, and returns each malformed
// one, skipped, in malformed; err is only a failure to read.
func ParseRefUpdates(r io.Reader) (updates []RefUpdate, malformed []*LineError, err error) {
	br := bufio.NewReaderSize(r, maxLine)
	for n := 1; ; n++ {
		b, err := br.ReadSlice('\n')
		long := false
		if errors.Is(err, bufio.ErrBufferFull) {
			long = true
			text := truncate(string(b), 200)
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			b = []byte(text)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return updates, malformed, fmt.Errorf("read ref updates: %w", err)
		}
		line := strings.TrimRight(string(b), "\r\n")
		switch f := strings.Fields(line); {
		case long:
			malformed = append(malformed, &LineError{Line: n, Text: line, Why: fmt.Sprintf("longer than %d KiB", maxLine>>10)})
		case line == "":
		case len(f) != 3 || !isObjectID(f[0]) || !isObjectID(f[1]) || !strings.HasPrefix(f[2], "refs/"):
			malformed = append(malformed, &LineError{Line: n, Text: truncate(line, 200), Why: `want "<old> <new> <ref>"`})
		default:
			updates = append(updates, RefUpdate{Before: f[0], After: f[1], Ref: f[2]})
		}
		if err != nil {
			return updates, malformed, nil
		}
	}
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
