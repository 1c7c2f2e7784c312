package egress

import "net/netip"

// carried is an IPv4 address that an IPv6 address carries, and the form
// that carries it.
type carried struct {
	v4   netip.Addr
	form string
}

var (
	v4Compatible = netip.MustParsePrefix("::/96")
	nat64        = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local   = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour    = netip.MustParsePrefix("2002::/16")
	teredo       = netip.MustParsePrefix("2001::/32")
)

// embeddedV4 returns the IPv4 addresses an IPv6 address carries: one for
// IPv4-compatible (::/96 but :: and ::1), well-known NAT64 (64:ff9b::/96) and
// 6to4 (2002::/16) addresses; the server's and the client's (bit-inverted)
// for Teredo (2001::/32); and for local-use NAT64 (64:ff9b:1::/48, RFC 8215)
// one for each RFC 6052 layout the address fits, since the operator's prefix
// length is not known here. IPv4-mapped addresses are unmapped before this.
// A refused IPv4 address must not be reached through any of these.
func embeddedV4(ip netip.Addr) []carried {
	if !ip.Is6() || ip.Is4In6() {
		return nil
	}
	b := ip.As16()
	v4 := func(i, j, k, l int) netip.Addr { return netip.AddrFrom4([4]byte{b[i], b[j], b[k], b[l]}) }
	switch {
	case v4Compatible.Contains(ip) && !ip.IsUnspecified() && !ip.IsLoopback():
		return []carried{{v4(12, 13, 14, 15), "IPv4-compatible"}}
	case nat64.Contains(ip):
		return []carried{{v4(12, 13, 14, 15), "NAT64"}}
	case sixToFour.Contains(ip):
		return []carried{{v4(2, 3, 4, 5), "6to4"}}
	case teredo.Contains(ip):
		client := netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]})
		return []carried{{v4(4, 5, 6, 7), "Teredo server"}, {client, "Teredo client"}}
	case nat64Local.Contains(ip):
		return localNAT64(b)
	}
	return nil
}

// localNAT64 reads a local-use NAT64 address under each RFC 6052 layout
// whose prefix fits in 64:ff9b:1::/48 (/48, /56, /64, /96): a layout fits if
// its reserved octet (bits 64..71) and its suffix are zero; /96 always fits.
func localNAT64(b [16]byte) []carried {
	zero := func(from int) bool {
		for _, c := range b[from:] {
			if c != 0 {
				return false
			}
		}
		return true
	}
	c := []carried{{netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), "local-use NAT64 /96"}}
	if b[8] != 0 {
		return c
	}
	if zero(13) {
		c = append(c, carried{netip.AddrFrom4([4]byte{b[9], b[10], b[11], b[12]}), "local-use NAT64 /64"})
	}
	if zero(12) {
		c = append(c, carried{netip.AddrFrom4([4]byte{b[7], b[9], b[10], b[11]}), "local-use NAT64 /56"})
	}
	if zero(11) {
		c = append(c, carried{netip.AddrFrom4([4]byte{b[6], b[7], b[9], b[10]}), "local-use NAT64 /48"})
	}
	return c
}
