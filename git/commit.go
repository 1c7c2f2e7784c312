package git

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/forgehook/forgehook/hooks"
)

// commitNode is a commit as the history walk sees it.
type commitNode struct {
	hash    plumbing.Hash
	tree    plumbing.Hash
	parents []plumbing.Hash
	date    int64  // committer time, in seconds
	raw     []byte // the encoded commit, shared with the object cache

	flags   uint8
	seq     int           // queue insertion order, breaks date ties like git
	parentN []*commitNode // loaded when the walk leaves the commit
	indeg   int           // used by the topological sort
}

// parseCommitNode decodes the header fields of the commit h that the walk needs.
func parseCommitNode(h plumbing.Hash, raw []byte) (*commitNode, error) {
	n := &commitNode{hash: h, raw: raw}
	for rest := raw; ; {
		key, val, next, ok := nextHeader(rest)
		if !ok {
			break
		}
		rest = next
		switch string(key) {
		case "tree":
			if !parseHash(&n.tree, val) {
				return nil, fmt.Errorf("%w: commit %s: bad tree", errCorrupt, h)
			}
		case "parent":
			var p plumbing.Hash
			if !parseHash(&p, val) {
				return nil, fmt.Errorf("%w: commit %s: bad parent", errCorrupt, h)
			}
			n.parents = append(n.parents, p)
		case "committer":
			n.date = commitDate(val)
		}
	}
	if n.tree.IsZero() {
		return nil, fmt.Errorf("%w: commit %s: no tree", errCorrupt, h)
	}
	return n, nil
}

// nextHeader splits the first header line off an encoded commit: its key, its
// value, and what follows. ok is false at the blank line before the message
// and at the end.
func nextHeader(raw []byte) (key, val, rest []byte, ok bool) {
	if len(raw) == 0 || raw[0] == '\n' {
		return nil, nil, raw, false
	}
	line := raw
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		line, rest = raw[:i], raw[i+1:]
	}
	key, val, _ = bytes.Cut(line, []byte{' '})
	return key, val, rest, true
}

// parseHash decodes 40 lowercase hex digits into h.
func parseHash(h *plumbing.Hash, hex []byte) bool {
	if len(hex) != 2*hashLen {
		return false
	}
	for i := range h {
		hi, ok1 := unhex(hex[2*i])
		lo, ok2 := unhex(hex[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		h[i] = hi<<4 | lo
	}
	return true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// toCommit decodes n into a push commit, without its paths. Like git log,
// it converts a commit with an encoding header to UTF-8.
func (n *commitNode) toCommit() hooks.Commit {
	c := hooks.Commit{ID: n.hash.String(), TreeID: n.tree.String()}
	rest := commitUTF8(n.raw)
	for {
		key, val, next, ok := nextHeader(rest)
		if !ok {
			break
		}
		rest = next
		switch string(key) {
		case "author":
			c.Author = parseSignature(val)
		case "committer":
			c.Committer = parseSignature(val)
		}
	}
	if len(rest) > 0 { // the blank line, then the message
		c.Message = string(rest[1:])
	}
	c.Timestamp = c.Committer.When
	return c
}

// parseSignature decodes "Name <email> 1700000000 +0200" as git's
// split_ident_line does: the name runs up to the first '<' (trailing spaces
// trimmed), the e-mail from there to the next '>', and the date follows the
// last '>' of the line. Without both brackets the signature is empty; a
// missing or malformed date leaves the zero time.
func parseSignature(b []byte) hooks.Signature {
	var s hooks.Signature
	open := bytes.IndexByte(b, '<')
	if open < 0 {
		return s
	}
	end := bytes.IndexByte(b[open:], '>')
	if end < 0 {
		return s
	}
	s.Name = string(bytes.TrimRight(b[:open], spaces))
	s.Email = string(b[open+1 : open+end])
	s.When = parseWhen(b[bytes.LastIndexByte(b, '>')+1:])
	return s
}

// parseWhen decodes the date part of a signature, "1700000000 +0200", into
// a time in that zone. Like git, it needs both the seconds and the zone
// (+hhmm or -hhmm) and gives the zero time without them.
func parseWhen(b []byte) time.Time {
	b = bytes.TrimLeft(b, spaces)
	secs := b[:digits(b)]
	b = bytes.TrimLeft(b[len(secs):], spaces)
	if len(secs) == 0 || len(b) == 0 || (b[0] != '+' && b[0] != '-') {
		return time.Time{}
	}
	zone := b[1 : 1+digits(b[1:])]
	ts, err1 := strconv.ParseInt(string(secs), 10, 64)
	hhmm, err2 := strconv.Atoi(string(zone))
	if err1 != nil || err2 != nil {
		return time.Time{}
	}
	t := time.Unix(ts, 0).UTC()
	if t.Year() > 9999 {
		return time.Time{} // JSON cannot encode it
	}
	offset := hhmm/100*3600 + hhmm%100*60
	if offset == 0 || offset >= 24*3600 { // JSON cannot encode a zone of a day or more
		return t
	}
	if b[0] == '-' {
		offset = -offset
	}
	return t.In(time.FixedZone("", offset))
}

// commitDate returns the committer time of a commit's committer header
// value, in seconds, as git's parse_commit_date reads it for history walks:
// the number after the last '>', 0 if there is none.
func commitDate(committer []byte) int64 {
	i := bytes.LastIndexByte(committer, '>')
	if i < 0 {
		return 0
	}
	b := bytes.TrimLeft(committer[i+1:], spaces)
	ts, err := strconv.ParseInt(string(b[:digits(b)]), 10, 64)
	if err != nil {
		return 0
	}
	return ts
}

// spaces are the bytes C's isspace accepts in the C locale.
const spaces = " \t\n\v\f\r"

// digits returns how many ASCII digits b starts with.
func digits(b []byte) int {
	n := 0
	for n < len(b) && '0' <= b[n] && b[n] <= '9' {
		n++
	}
	return n
}
