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
			n.date = parseSignature(val).When.Unix()
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

// toCommit decodes n into a push commit, without its paths.
func (n *commitNode) toCommit() hooks.Commit {
	c := hooks.Commit{ID: n.hash.String(), TreeID: n.tree.String()}
	rest := n.raw
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

// parseSignature decodes "Name <email> 1700000000 +0200", leniently like git:
// missing parts are left empty.
func parseSignature(b []byte) hooks.Signature {
	var s hooks.Signature
	open := bytes.IndexByte(b, '<')
	if open < 0 {
		s.Name = string(bytes.TrimSpace(b))
		return s
	}
	end := bytes.IndexByte(b[open:], '>')
	if end < 0 {
		s.Name = string(bytes.TrimSpace(b[:open]))
		return s
	}
	end += open
	s.Name = string(bytes.TrimSpace(b[:open]))
	s.Email = string(b[open+1 : end])
	s.When = parseWhen(bytes.TrimSpace(b[end+1:]))
	return s
}

// parseWhen decodes "1700000000 +0200" into a time in that zone; the zero
// time if the seconds are missing, UTC if the zone is.
func parseWhen(b []byte) time.Time {
	secs, zone, _ := bytes.Cut(b, []byte{' '})
	ts, err := strconv.ParseInt(string(secs), 10, 64)
	if err != nil {
		return time.Time{}
	}
	t := time.Unix(ts, 0).UTC()
	zone = bytes.TrimSpace(zone)
	if len(zone) != 5 || (zone[0] != '+' && zone[0] != '-') {
		return t
	}
	hh, err1 := strconv.Atoi(string(zone[1:3]))
	mm, err2 := strconv.Atoi(string(zone[3:5]))
	if err1 != nil || err2 != nil {
		return t
	}
	offset := hh*3600 + mm*60
	if zone[0] == '-' {
		offset = -offset
	}
	if offset == 0 {
		return t
	}
	return t.In(time.FixedZone("", offset))
}
