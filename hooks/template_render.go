package hooks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// A template text is literal text with ${path} variables: a path is names
// joined by dots, each name optionally followed by [N] indexes
// (${commits[0].author.name}). "$${" stands for a literal "${". Nothing
// else is special: there are no functions, conditions or loops.

// step is one part of a variable's path: a name, or an index when name is "".
type step struct {
	name  string
	index int
}

// variable is one ${…} of a template text.
type variable struct {
	text string // the path as written, for messages
	path []step
}

// part is a literal or a variable of a parsed template text.
type part struct {
	lit string
	v   *variable
}

// parsedText is a template text split into literals and variables.
type parsedText []part

// escaper makes a variable's value safe for where it is inserted.
type escaper func(string) string

// parseText splits s into literals and variables, or reports the first
// malformed ${…}.
func parseText(s string) (parsedText, error) {
	var out parsedText
	var lit strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			lit.WriteString(s)
			break
		}
		if i > 0 && s[i-1] == '$' { // $${ is a literal ${
			lit.WriteString(s[:i-1] + "${")
			s = s[i+2:]
			continue
		}
		lit.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return nil, fmt.Errorf("unclosed ${ at %q", truncate(s[i:], 30))
		}
		text := s[i+2 : i+end]
		path, err := parsePath(text)
		if err != nil {
			return nil, err
		}
		if lit.Len() > 0 {
			out = append(out, part{lit: lit.String()})
			lit.Reset()
		}
		out = append(out, part{v: &variable{text: text, path: path}})
		s = s[i+end+1:]
	}
	if lit.Len() > 0 {
		out = append(out, part{lit: lit.String()})
	}
	return out, nil
}

// parsePath reads a variable's path: name(.name|[N])*.
func parsePath(text string) ([]step, error) {
	bad := fmt.Errorf("invalid variable ${%s}: want a path such as ${repository.full_name} or ${commits[0].id}", truncate(text, 50))
	var path []step
	for rest := text; ; {
		n := 0
		for n < len(rest) && isNameByte(rest[n]) {
			n++
		}
		if n == 0 {
			return nil, bad
		}
		path = append(path, step{name: rest[:n]})
		rest = rest[n:]
		for strings.HasPrefix(rest, "[") {
			end := strings.IndexByte(rest, ']')
			if end < 2 {
				return nil, bad
			}
			i, err := strconv.Atoi(rest[1:end])
			if err != nil || i < 0 || rest[1] == '+' {
				return nil, bad
			}
			path = append(path, step{index: i})
			rest = rest[end+1:]
		}
		if rest == "" {
			return path, nil
		}
		if rest[0] != '.' {
			return nil, bad
		}
		rest = rest[1:]
	}
}

func isNameByte(c byte) bool {
	return c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// variables returns the variables of t.
func (t parsedText) variables() []*variable {
	var out []*variable
	for _, p := range t {
		if p.v != nil {
			out = append(out, p.v)
		}
	}
	return out
}

// render writes t with each variable's value from lookup, escaped by esc
// (chosen per variable, by its part index, when escAt is set).
func (t parsedText) render(lookup func(*variable) string, escAt func(i int) escaper) string {
	var b strings.Builder
	for i, p := range t {
		if p.v == nil {
			b.WriteString(p.lit)
			continue
		}
		b.WriteString(escAt(i)(lookup(p.v)))
	}
	return b.String()
}

// payloadValue returns the value at path in a decoded JSON payload as text:
// strings as they are, numbers and booleans as JSON writes them, objects
// and arrays as compact JSON, and "" for null or a missing path.
func payloadValue(doc any, path []step) string {
	v := doc
	for _, s := range path {
		switch node := v.(type) {
		case map[string]any:
			if s.name == "" {
				return ""
			}
			v = node[s.name]
		case []any:
			if s.name != "" || s.index >= len(node) {
				return ""
			}
			v = node[s.index]
		default:
			return ""
		}
	}
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := marshalNoHTML(v)
	return string(b)
}

// decodePayload decodes a JSON payload for payloadValue, keeping numbers exact.
func decodePayload(payload []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode payload: %w", err)
	}
	return doc, nil
}

// marshalNoHTML is json.Marshal without the \u003c-style escaping of <, > and &.
func marshalNoHTML(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// jsonString escapes s as the content of a JSON string, without its quotes.
func jsonString(s string) string {
	b, _ := marshalNoHTML(s)
	return string(b[1 : len(b)-1])
}

// plain inserts a value as it is.
func plain(s string) string { return s }

// bodyEscaper returns how values are escaped in a body of media type mime:
// as JSON string content for JSON, query-escaped for a form, as they are
// otherwise.
func bodyEscaper(mime string) escaper {
	switch {
	case isJSONMedia(mime):
		return jsonString
	case mediaType(mime) == "application/x-www-form-urlencoded":
		return url.QueryEscape
	}
	return plain
}

// mediaType returns mime without parameters, in lower case.
func mediaType(mime string) string {
	t, _, _ := strings.Cut(mime, ";")
	return strings.ToLower(strings.TrimSpace(t))
}

// isJSONMedia reports whether mime is application/json or a +json type.
func isJSONMedia(mime string) bool {
	t := mediaType(mime)
	return t == "application/json" || strings.HasSuffix(t, "+json")
}

// urlEscapers returns, for each part of a URL template, how its variable is
// escaped: as a path segment before the query, as a query component after
// the first literal "?", and the same in the fragment after "#".
func urlEscapers(t parsedText) func(i int) escaper {
	esc := make([]escaper, len(t))
	cur := escaper(url.PathEscape)
	for i, p := range t {
		esc[i] = cur
		if p.v == nil && strings.ContainsAny(p.lit, "?#") {
			cur = url.QueryEscape
		}
	}
	return func(i int) escaper { return esc[i] }
}
