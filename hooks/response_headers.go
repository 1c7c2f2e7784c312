package hooks

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// Response header limits. A response whose headers are larger than
// MaxResponseHeaderSize fails (the HTTP client stops reading them); of the
// rest at most MaxStoredHeaders headers and MaxStoredHeaderBytes of names and
// values are stored, so that a hostile receiver cannot grow the database or
// the daemon's memory by more than a few KiB per attempt.
const (
	MaxResponseHeaderSize = 64 << 10
	MaxStoredHeaders      = 64
	MaxStoredHeaderBytes  = 16 << 10
)

// TruncatedHeader is added to stored response headers that were cut short;
// its value says how much was kept.
const TruncatedHeader = "X-Forgehook-Truncated"

// storedHeaders flattens h as GitHub's delivery API shows headers (repeated
// values joined with ", ") within the storage limits: headers in name order
// until MaxStoredHeaders or MaxStoredHeaderBytes is reached, the value that
// crosses the byte limit cut short, the rest left out and TruncatedHeader
// added.
func storedHeaders(h http.Header) map[string]string {
	all := flatten(h)
	names := make([]string, 0, len(all))
	total := 0
	for k, v := range all {
		names = append(names, k)
		total += len(k) + len(v)
	}
	if len(all) <= MaxStoredHeaders && total <= MaxStoredHeaderBytes {
		return all
	}
	slices.Sort(names)
	m := make(map[string]string, MaxStoredHeaders+1)
	used := 0
	for _, k := range names {
		room := MaxStoredHeaderBytes - used - len(k)
		if len(m) == MaxStoredHeaders || room <= 0 {
			break
		}
		m[k] = cut(all[k], room)
		used += len(k) + len(m[k])
	}
	m[TruncatedHeader] = fmt.Sprintf("%d of %d headers, %d of %d bytes stored", len(m), len(all), used, total)
	return m
}

// cut shortens v to at most n bytes without splitting a UTF-8 sequence.
func cut(v string, n int) string {
	if len(v) <= n {
		return v
	}
	for n > 0 && !utf8.RuneStart(v[n]) {
		n--
	}
	return strings.Clone(v[:n])
}
