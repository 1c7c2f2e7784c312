package egress

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// errNotIPv4 is the answer for a host whose last label is a number but that
// is no IPv4 address in any form (1.2.3.4.5, 256.1.1.1, 1.08): the WHATWG URL
// standard, which browsers follow, refuses such a host rather than look it up.
var errNotIPv4 = errors.New("a numeric host that is not an IPv4 address")

// numericHost reads host as an IPv4 address in the forms inet_aton accepts
// and browsers and curl honour: one to four parts, each decimal, octal (a
// leading 0) or hexadecimal (0x), the last one filling the remaining bytes
// (2852039166, 0xa9fea9fe, 0251.0376.0251.0376 and 169.254.43518 are all
// 169.254.169.254). ok is false for a host name, whose last label is not a
// number; err is set for a numeric host that denotes no IPv4 address.
func numericHost(host string) (ip netip.Addr, ok bool, err error) {
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	if _, numeric := parsePart(labels[len(labels)-1]); !numeric && !isDecimal(labels[len(labels)-1]) {
		return netip.Addr{}, false, nil
	}
	if len(labels) > 4 {
		return netip.Addr{}, true, errNotIPv4
	}
	var v uint64
	for i, l := range labels {
		n, good := parsePart(l)
		last := i == len(labels)-1
		switch {
		case !good:
			return netip.Addr{}, true, errNotIPv4
		case !last && n > 255:
			return netip.Addr{}, true, errNotIPv4
		case last && n >= 1<<(8*(5-len(labels))):
			return netip.Addr{}, true, errNotIPv4
		case last:
			v = v<<(8*(5-len(labels))) | n
		default:
			v = v<<8 | n
		}
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true, nil
}

// parsePart reads one part of a numeric host: decimal, 0-prefixed octal or
// 0x-prefixed hexadecimal ("0x" alone is 0, as in browsers).
func parsePart(s string) (uint64, bool) {
	base := 10
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
		if s == "" {
			return 0, true
		}
	case len(s) > 1 && s[0] == '0':
		s, base = s[1:], 8
	}
	if s == "" || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
