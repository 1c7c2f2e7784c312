package hooks

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// glob is a compiled branch filter: the glob syntax of github.com/gobwas/glob
// (which Gitea's branch filters use) compiled without separators, so that
// "*" and "**" both match any text, "/" included:
//
//	*, **        any text
//	?            any one character
//	[abc] [!abc] one character of (not of) the list
//	[a-z] [!a-z] one character in (not in) the range
//	{p,q,...}    any of the patterns p, q, ... (which may nest)
//	\c           the character c itself
//
// Every other character matches itself. A comma outside braces separates
// alternatives too, as if the whole filter were in braces: gobwas reads it
// as a literal comma (write \, for that). Unlike gobwas, an unclosed "{" or
// "[" is an error rather than read to the end of the filter.
type glob struct{ alts []globSeq }

// globSeq is a sequence of nodes, matched one after another.
type globSeq []globNode

// globNode is one term of a pattern. kind says which fields count.
type globNode struct {
	kind   globKind
	text   string    // globText; the characters of a globList
	lo, hi rune      // globRange
	not    bool      // globList, globRange: match a character not listed
	alts   []globSeq // globAnyOf
}

type globKind int

const (
	globText globKind = iota
	globAny
	globSingle
	globList
	globRange
	globAnyOf
)

// maxGlobDepth bounds the nesting of braces in a filter.
const maxGlobDepth = 16

// compileGlob parses pattern, which must be valid UTF-8.
func compileGlob(pattern string) (*glob, error) {
	if !utf8.ValidString(pattern) {
		return nil, errors.New("it is not valid UTF-8")
	}
	if strings.ContainsFunc(pattern, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return nil, errors.New("it has a control character, which no git ref name has")
	}
	p := &globParser{s: pattern}
	alts, err := p.alternatives(0) // at the top level only the end stops it
	if err != nil {
		return nil, err
	}
	return &glob{alts: alts}, nil
}

// globParser reads a pattern from s[i:].
type globParser struct {
	s string
	i int
}

// alternatives reads comma-separated sequences up to a "}" (inside braces,
// at depth > 0, left unread) or the end.
func (p *globParser) alternatives(depth int) ([]globSeq, error) {
	var alts []globSeq
	for {
		seq, err := p.sequence(depth)
		if err != nil {
			return nil, err
		}
		alts = append(alts, seq)
		if p.i == len(p.s) || p.s[p.i] != ',' {
			return alts, nil
		}
		p.i++
	}
}

// sequence reads terms up to a "," or "}" that ends it, or the end. At the
// top level (depth 0) a "}" is a literal character, as in gobwas.
func (p *globParser) sequence(depth int) (globSeq, error) {
	var seq globSeq
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			seq = append(seq, globNode{kind: globText, text: text.String()})
			text.Reset()
		}
	}
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == ',' || c == '}' && depth > 0:
			flush()
			return seq, nil
		case c == '\\':
			r, n := utf8.DecodeRuneInString(p.s[p.i+1:])
			if n == 0 {
				return nil, errors.New(`it ends in a lone "\"`)
			}
			text.WriteRune(r)
			p.i += 1 + n
		case c == '*':
			flush()
			p.i++
			if p.i < len(p.s) && p.s[p.i] == '*' {
				p.i++
			}
			seq = append(seq, globNode{kind: globAny})
		case c == '?':
			flush()
			p.i++
			seq = append(seq, globNode{kind: globSingle})
		case c == '[':
			flush()
			n, err := p.class()
			if err != nil {
				return nil, err
			}
			seq = append(seq, n)
		case c == '{':
			flush()
			if depth+1 > maxGlobDepth {
				return nil, fmt.Errorf("braces nest deeper than %d", maxGlobDepth)
			}
			open := p.i
			p.i++
			alts, err := p.alternatives(depth + 1)
			if err != nil {
				return nil, err
			}
			if p.i == len(p.s) {
				return nil, fmt.Errorf(`the "{" at offset %d is not closed`, open)
			}
			p.i++ // the "}"
			seq = append(seq, globNode{kind: globAnyOf, alts: alts})
		default:
			r, n := utf8.DecodeRuneInString(p.s[p.i:])
			text.WriteRune(r)
			p.i += n
		}
	}
	flush()
	return seq, nil
}

// class reads a character class, "[" included: a list of characters or one
// range lo-hi, either after an optional "!". gobwas takes no more than
// that: "[a-z0-9]" is an error there, and so here.
func (p *globParser) class() (globNode, error) {
	open := p.i
	p.i++
	n := globNode{kind: globList}
	if p.i < len(p.s) && p.s[p.i] == '!' {
		n.not = true
		p.i++
	}
	unclosed := fmt.Errorf(`the "[" at offset %d is not closed`, open)
	lo, w := utf8.DecodeRuneInString(p.s[p.i:])
	if w > 0 && p.i+w < len(p.s) && p.s[p.i+w] == '-' {
		hi, hw := utf8.DecodeRuneInString(p.s[p.i+w+1:])
		if hw == 0 {
			return n, unclosed
		}
		p.i += w + 1 + hw
		if p.i == len(p.s) || p.s[p.i] != ']' {
			return n, fmt.Errorf(`the range at offset %d must be one lo-hi pair closed by "]"`, open)
		}
		if hi < lo {
			return n, fmt.Errorf("the range at offset %d runs backwards", open)
		}
		p.i++
		n.kind, n.lo, n.hi = globRange, lo, hi
		return n, nil
	}
	var chars strings.Builder
	for {
		if p.i == len(p.s) {
			return n, unclosed
		}
		r, w := utf8.DecodeRuneInString(p.s[p.i:])
		if r == ']' {
			p.i++
			break
		}
		if r == '\\' {
			if p.i+1 == len(p.s) {
				return n, unclosed
			}
			r, w = utf8.DecodeRuneInString(p.s[p.i+1:])
			p.i++
		}
		chars.WriteRune(r)
		p.i += w
	}
	if chars.Len() == 0 {
		return n, fmt.Errorf("the class at offset %d is empty", open)
	}
	n.text = chars.String()
	return n, nil
}

// Match reports whether g matches all of s.
func (g *glob) Match(s string) bool {
	m := &globMatch{s: s, bounds: make([]bool, len(s)+1)}
	for i := 0; i < len(s); {
		m.bounds[i] = true
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	m.bounds[len(s)] = true
	start := make([]bool, len(s)+1)
	start[0] = true
	return m.alts(g.alts, start)[len(s)]
}

// globMatch is one string being matched: s and the offsets in it where a
// character starts (or s ends).
type globMatch struct {
	s      string
	bounds []bool
}

// alts returns the ends of the matches of any of alts that start where
// from is true: from and the result are sets of byte offsets into s.
func (m *globMatch) alts(alts []globSeq, from []bool) []bool {
	out := make([]bool, len(m.s)+1)
	for _, seq := range alts {
		for i, ok := range m.seq(seq, from) {
			out[i] = out[i] || ok
		}
	}
	return out
}

// seq is alts for one sequence: a set of positions carried
// through each node in turn, so that no pattern takes exponential time.
func (m *globMatch) seq(seq globSeq, from []bool) []bool {
	s, cur := m.s, from
	for _, n := range seq {
		if n.kind == globAnyOf {
			cur = m.alts(n.alts, cur)
			continue
		}
		next := make([]bool, len(s)+1)
		started := false // for globAny: a match reached here, so every later character boundary is an end
		for i := 0; i <= len(s); i++ {
			if n.kind == globAny {
				started = started || cur[i]
				next[i] = started && m.bounds[i]
				continue
			}
			if !cur[i] {
				continue
			}
			switch n.kind {
			case globText:
				if strings.HasPrefix(s[i:], n.text) {
					next[i+len(n.text)] = true
				}
			default:
				if i == len(s) {
					continue
				}
				r, w := utf8.DecodeRuneInString(s[i:])
				if n.matchRune(r) {
					next[i+w] = true
				}
			}
		}
		cur = next
	}
	return cur
}

// matchRune reports whether a one-character node matches r.
func (n globNode) matchRune(r rune) bool {
	switch n.kind {
	case globSingle:
		return true
	case globRange:
		return (n.lo <= r && r <= n.hi) != n.not
	}
	return strings.ContainsRune(n.text, r) != n.not
}
