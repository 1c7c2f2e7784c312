// Package egress decides which addresses webhook deliveries may reach, and
// builds the HTTP clients that enforce it when dialing, after DNS resolution.
package egress

import (
	"fmt"
	"net/netip"
	"strings"
)

// Policy is an allow-list in the shape of Pact Broker's and Gitea's: host
// names, "*.domain" wildcards, IPs, CIDRs, and the words loopback, private,
// external and "*". Link-local, unspecified, "this network", broadcast,
// multicast and cloud metadata addresses are refused whatever the list says;
// external does not cover the special-purpose ranges that are not globally
// reachable (special.go).
type Policy struct {
	hosts     map[string]bool
	suffixes  []string // ".example.com" for "*.example.com"
	prefixes  []netip.Prefix
	loopback  bool
	private   bool
	external  bool
	wildcard  bool
	listValue string
}

// DefaultPolicy is what --allowed-hosts defaults to: loopback, private and external.
const DefaultPolicy = "loopback,private,external"

// ParsePolicy reads a comma-separated allow-list.
func ParsePolicy(list string) (*Policy, error) {
	p := &Policy{hosts: map[string]bool{}, listValue: list}
	for _, f := range strings.Split(list, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		switch {
		case f == "":
		case f == "*":
			p.wildcard = true
		case f == "loopback":
			p.loopback = true
		case f == "private":
			p.private = true
		case f == "external":
			p.external = true
		case strings.HasPrefix(f, "*."):
			p.suffixes = append(p.suffixes, f[1:])
		case strings.Contains(f, "/"):
			pre, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("allowed hosts: %q is not a CIDR", f)
			}
			p.prefixes = append(p.prefixes, pre.Masked())
		default:
			if ip, err := netip.ParseAddr(f); err == nil {
				p.prefixes = append(p.prefixes, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
			} else if validHostname(f) {
				p.hosts[f] = true
			} else {
				return nil, fmt.Errorf("allowed hosts: %q is not a host name, IP, CIDR or keyword", f)
			}
		}
	}
	return p, nil
}

// String returns the list p was parsed from.
func (p *Policy) String() string { return p.listValue }

// Check returns nil if host (as written in the hook URL) may be reached at
// ip, or an error that says why not. An IPv6 address that carries an IPv4
// address (embedded.go) is judged by the IPv4 address alone.
func (p *Policy) Check(host string, ip netip.Addr) error {
	ip = ip.Unmap()
	if cs := embeddedV4(ip); cs != nil {
		for _, c := range cs {
			if err := p.Check(host, c.v4); err != nil {
				return fmt.Errorf("%s (%s): %w", ip, c.form, err)
			}
		}
		return nil
	}
	if name, ok := find(never, ip); ok {
		return fmt.Errorf("%s is %s", ip, name)
	}
	switch {
	case ip.IsUnspecified():
		return fmt.Errorf("%s is an unspecified address", ip)
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return fmt.Errorf("%s is a link-local address", ip)
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return fmt.Errorf("%s is a multicast address", ip)
	case p.wildcard, p.hostAllowed(host), inAny(p.prefixes, ip):
		return nil
	case ip.IsLoopback():
		if p.loopback {
			return nil
		}
		return fmt.Errorf("%s is a loopback address, not in the allowed hosts", ip)
	case isPrivate(ip):
		if p.private {
			return nil
		}
		return fmt.Errorf("%s is a private address, not in the allowed hosts", ip)
	}
	if name, ok := specialPurpose(ip); ok {
		return fmt.Errorf("%s is a special-purpose address (%s), not globally reachable; not in the allowed hosts", ip, name)
	}
	if p.external {
		return nil
	}
	return fmt.Errorf("%s is not in the allowed hosts", ip)
}

func (p *Policy) hostAllowed(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if p.hosts[host] {
		return true
	}
	for _, s := range p.suffixes {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

func isPrivate(ip netip.Addr) bool {
	_, ok := find(private, ip)
	return ip.IsPrivate() || ok
}

func inAny(ps []netip.Prefix, ip netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func validHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
