package egress

import "net/netip"

// span is an address range with the name the IANA special-purpose registries
// give it.
type span struct {
	netip.Prefix
	name string
}

func spans(pairs ...string) []span {
	s := make([]span, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		s = append(s, span{netip.MustParsePrefix(pairs[i]), pairs[i+1]})
	}
	return s
}

func find(ss []span, ip netip.Addr) (string, bool) {
	for _, s := range ss {
		if s.Contains(ip) {
			return s.name, true
		}
	}
	return "", false
}

// never are refused whatever the allow-list says, beside the unspecified,
// link-local and multicast addresses netip classifies: cloud metadata
// endpoints outside the link-local ranges, "this network" and broadcast.
var never = spans(
	"0.0.0.0/8", "a \"this network\" address",
	"255.255.255.255/32", "the broadcast address",
	"100.100.100.200/32", "a cloud metadata address", // Alibaba Cloud
	"192.0.0.192/32", "a cloud metadata address", // Oracle Cloud, older images
	"168.63.129.16/32", "a cloud metadata address", // Azure wire server
	"fd00:ec2::254/128", "a cloud metadata address", // AWS IMDS over IPv6
)

// private are reachable only inside a site; the keyword private allows them.
var private = spans(
	"100.64.0.0/10", "shared address space",
	"fec0::/10", "site-local",
)

// special are the IANA IPv4 and IPv6 special-purpose ranges that are not
// globally reachable and that no keyword allows (a CIDR or * does). The
// ranges that carry an IPv4 address (IPv4-mapped and -compatible, NAT64,
// 6to4, Teredo) are not here: they are judged by that address (embedded.go).
var special = spans(
	"192.0.0.0/24", "IETF protocol assignments",
	"192.0.2.0/24", "documentation (TEST-NET-1)",
	"192.88.99.0/24", "deprecated 6to4 relay anycast",
	"198.18.0.0/15", "benchmarking",
	"198.51.100.0/24", "documentation (TEST-NET-2)",
	"203.0.113.0/24", "documentation (TEST-NET-3)",
	"240.0.0.0/4", "reserved",
	"100::/64", "discard-only",
	"100:0:0:1::/64", "dummy IPv6 prefix",
	"2001::/23", "IETF protocol assignments",
	"2001:db8::/32", "documentation",
	"3fff::/20", "documentation",
	"5f00::/16", "segment routing (SRv6) SIDs",
)

// global are the parts of special ranges that the registries mark globally
// reachable.
var global = spans(
	"192.0.0.9/32", "Port Control Protocol anycast",
	"192.0.0.10/32", "TURN anycast",
	"2001:1::1/128", "Port Control Protocol anycast",
	"2001:1::2/128", "TURN anycast",
	"2001:1::3/128", "DNS-SD service registration anycast",
	"2001:3::/32", "AMT",
	"2001:4:112::/48", "AS112-v6",
	"2001:20::/28", "ORCHIDv2",
	"2001:30::/28", "drone remote ID",
)

// specialPurpose names the not globally reachable special-purpose range ip
// is in, if any.
func specialPurpose(ip netip.Addr) (string, bool) {
	if _, ok := find(global, ip); ok {
		return "", false
	}
	return find(special, ip)
}
