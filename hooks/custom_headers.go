package hooks

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// Bounds on a hook's custom headers (config.headers), enforced by Validate.
const (
	MaxHeaders           = 20
	MaxHeaderNameLength  = 128
	MaxHeaderValueLength = 4096
	MaxHeadersSize       = 8 << 10 // names and values together
)

// reservedHeaders are the headers forgehook or Go's HTTP client set on a
// delivery, or that would change how it is framed: custom headers cannot
// override them. reservedPrefixes extends the list to families of names.
var (
	reservedHeaders = []string{
		"accept", "accept-encoding", "connection", "content-encoding", "content-length", "content-type",
		"expect", "host", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "user-agent",
	}
	reservedPrefixes = []string{"x-github-", "x-hub-signature", "webhook-", "proxy-"}
)

// reservedHeader reports whether name is a header that forgehook sets itself.
func reservedHeader(name string) bool {
	n := strings.ToLower(name)
	if slices.Contains(reservedHeaders, n) {
		return true
	}
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// validateHeaders checks config.headers: names that are HTTP tokens, none
// that forgehook sets, no name twice (ignoring case), values of visible
// characters, and the bounds. A value still SecretMask had no stored value
// to keep.
func validateHeaders(h map[string]string) error {
	invalid := func(format string, args ...any) error {
		return Invalid("Hook", "headers", "invalid", fmt.Sprintf(format, args...))
	}
	if len(h) > MaxHeaders {
		return invalid("A hook may have at most %d custom headers", MaxHeaders)
	}
	size := 0
	seen := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(h)) {
		value := h[name]
		size += len(name) + len(value)
		switch {
		case name == "" || len(name) > MaxHeaderNameLength || !isToken(name):
			return invalid("Header name %q must be an HTTP token of at most %d characters", truncateText(name, 40), MaxHeaderNameLength)
		case reservedHeader(name):
			return Invalid("Hook", "headers", "custom", fmt.Sprintf("Header %s is set by forgehook and cannot be overridden", name))
		case seen[strings.ToLower(name)] != "":
			return invalid("Headers %s and %s are the same header", seen[strings.ToLower(name)], name)
		case value == "":
			return invalid("Header %s has an empty value", name)
		case value == SecretMask:
			return invalid("Header %s is masked (%s) but the hook has no value of it to keep", name, SecretMask)
		case len(value) > MaxHeaderValueLength:
			return invalid("The value of header %s must be at most %d characters", name, MaxHeaderValueLength)
		case !validHeaderValue(value):
			return invalid("The value of header %s must be valid UTF-8 without control characters", name)
		}
		seen[strings.ToLower(name)] = name
	}
	if size > MaxHeadersSize {
		return invalid("Custom headers must be at most %d bytes in all", MaxHeadersSize)
	}
	return nil
}

// isToken reports whether s is an HTTP token (RFC 9110 section 5.6.2).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// validHeaderValue reports whether v can be sent as a header value: UTF-8
// with no control character but tab, and no leading or trailing space.
func validHeaderValue(v string) bool {
	if !utf8.ValidString(v) || strings.TrimSpace(v) != v {
		return false
	}
	for _, r := range v {
		if r < ' ' && r != '\t' || r == 0x7f {
			return false
		}
	}
	return true
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// keepMaskedHeaders returns next with every value equal to SecretMask
// replaced by the value of the same header (ignoring case) in stored: a
// client that sends back a hook it read keeps its header values. A masked
// header that stored lacks stays masked, for Validate to refuse.
func keepMaskedHeaders(next, stored map[string]string) map[string]string {
	if next == nil {
		return nil
	}
	out := maps.Clone(next)
	for name, v := range out {
		if v != SecretMask {
			continue
		}
		for sname, sv := range stored {
			if strings.EqualFold(name, sname) {
				out[name] = sv
			}
		}
	}
	return out
}

// MaskHeaders returns h with every value replaced by SecretMask: custom
// headers as every read shows them. It returns nil for no headers.
func MaskHeaders(h map[string]string) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, len(h))
	for name := range h {
		out[name] = SecretMask
	}
	return out
}
