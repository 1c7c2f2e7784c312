package egress_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/forgehook/forgehook/egress"
	"github.com/forgehook/forgehook/hooks"
)

func TestPolicy_Check(t *testing.T) {
	tests := []struct {
		list  string
		host  string
		ip    string
		allow bool
	}{
		{egress.DefaultPolicy, "169.254.169.254", "169.254.169.254", false},
		{egress.DefaultPolicy, "metadata.internal", "169.254.169.254", false},
		{"*", "metadata.internal", "169.254.169.254", false}, // link-local is never allowed
		{"169.254.0.0/16", "x", "169.254.169.254", false},
		{egress.DefaultPolicy, "x", "fe80::1", false},
		{egress.DefaultPolicy, "x", "0.0.0.0", false},
		{egress.DefaultPolicy, "x", "::", false},
		{egress.DefaultPolicy, "x", "fd00:ec2::254", false},
		{egress.DefaultPolicy, "x", "100.100.100.200", false},
		{egress.DefaultPolicy, "x", "224.0.0.1", false},
		{egress.DefaultPolicy, "x", "64:ff9b::a9fe:a9fe", false}, // NAT64 of 169.254.169.254
		{egress.DefaultPolicy, "x", "::ffff:169.254.169.254", false},
		{egress.DefaultPolicy, "localhost", "127.0.0.1", true},
		{egress.DefaultPolicy, "x", "10.1.2.3", true},
		{egress.DefaultPolicy, "x", "8.8.8.8", true},
		{"external", "localhost", "127.0.0.1", false},
		{"external", "x", "192.168.1.1", false},
		{"external", "x", "100.64.0.1", false},
		{"external", "x", "8.8.8.8", true},
		{"private", "x", "172.16.0.1", true},
		{"private", "x", "127.0.0.1", false},
		{"private", "x", "8.8.8.8", false},
		{"loopback", "x", "::1", true},
		{"ci.example.com", "ci.example.com", "10.0.0.5", true},
		{"ci.example.com", "other.example.com", "10.0.0.5", false},
		{"*.example.com", "a.b.example.com", "10.0.0.5", true},
		{"*.example.com", "example.com.evil", "10.0.0.5", false},
		{"10.0.0.0/8", "x", "10.9.9.9", true},
		{"10.0.0.0/8", "x", "11.0.0.1", false},
		{"192.168.1.7", "x", "192.168.1.7", true},
		{"", "x", "8.8.8.8", false}, // an empty list allows nothing

		// Every IPv6 form that carries an IPv4 address is judged by that address.
		{"external", "x", "64:ff9b:1::a9fe:a9fe", false},     // local-use NAT64 (RFC 8215) of 169.254.169.254
		{"external", "x", "64:ff9b:1::7f00:1", false},        // ... of 127.0.0.1
		{"external", "x", "64:ff9b:1::808:808", true},        // ... of 8.8.8.8
		{"external", "x", "64:ff9b:1:a9fe:a9:fe00::", false}, // the /48 layout of 169.254.169.254
		{"external", "x", "64:ff9b:1:7f:0:100::", false},     // the /64 layout of 127.0.0.1
		{"private", "x", "64:ff9b:1::a00:1", true},           // 10.0.0.1 via local-use NAT64
		{"external", "x", "64:ff9b::808:808", true},          // well-known NAT64 of 8.8.8.8
		{"external", "x", "64:ff9b::a00:1", false},           // ... of 10.0.0.1
		{"external", "x", "::a9fe:a9fe", false},              // IPv4-compatible 169.254.169.254
		{"external", "x", "::127.0.0.1", false},
		{"loopback", "x", "::127.0.0.1", true},
		{"external", "x", "::8.8.8.8", true},
		{"loopback", "x", "::1", true}, // ::1 and :: are not IPv4-compatible
		{"*", "x", "::", false},
		{"external", "x", "2002:a9fe:a9fe::1", false}, // 6to4 of 169.254.169.254
		{"external", "x", "2002:c0a8:101::1", false},  // 6to4 of 192.168.1.1
		{"external", "x", "2002:808:808::1", true},
		{"external", "x", "2001:0:4136:e378:8000:63bf:80ff:fffe", false}, // Teredo, client 127.0.0.1
		{"external", "x", "2001:0:a9fe:a9fe:8000:63bf:f7f7:f7f7", false}, // Teredo, server 169.254.169.254
		{"external", "x", "2001:0:4136:e378:8000:63bf:f7f7:f7f7", true},  // Teredo, server 65.54.227.120, client 8.8.8.8
		{"external", "x", "::ffff:127.0.0.1", false},

		// IETF special-purpose ranges that are not globally reachable.
		{"*", "x", "192.0.0.192", false}, // an older Oracle Cloud metadata address
		{"*", "x", "0.1.2.3", false},     // "this network"
		{"*", "x", "255.255.255.255", false},
		{"external", "x", "192.0.0.8", false},
		{"external", "x", "192.0.0.9", true}, // PCP anycast is global
		{"external", "x", "192.0.2.1", false},
		{"external", "x", "198.18.0.1", false},
		{"external", "x", "198.19.255.255", false},
		{"external", "x", "198.51.100.7", false},
		{"external", "x", "203.0.113.7", false},
		{"external", "x", "240.0.0.1", false},
		{"external", "x", "192.88.99.1", false},
		{"external", "x", "2001:db8::1", false},
		{"external", "x", "2001:2::1", false},
		{"external", "x", "2001:10::1", false},
		{"external", "x", "2001:4:112::1", true}, // AS112-v6 is global
		{"external", "x", "100::1", false},
		{"external", "x", "3fff::1", false},
		{"external", "x", "5f00::1", false},
		{"external", "x", "fc00::1", false},
		{"private", "x", "fd12::1", true},
		{"external", "x", "fec0::1", false}, // site-local
		{"private", "x", "fec0::1", true},
		{"external", "x", "2606:4700::1111", true},
		{"*", "x", "198.18.0.1", true}, // * and a CIDR allow the non-global ranges
		{"198.18.0.0/15", "x", "198.18.0.1", true},
	}
	for _, tt := range tests {
		p, err := egress.ParsePolicy(tt.list)
		if err != nil {
			t.Fatalf("ParsePolicy(%q): %v", tt.list, err)
		}
		err = p.Check(tt.host, netip.MustParseAddr(tt.ip))
		if (err == nil) != tt.allow {
			t.Errorf("%q: Check(%s, %s) = %v, want allowed %v", tt.list, tt.host, tt.ip, err, tt.allow)
		}
	}
}

func TestParsePolicy_RejectsGarbage(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "exa mple.com", "http://x"} {
		if _, err := egress.ParsePolicy(bad); err == nil {
			t.Errorf("ParsePolicy(%q) passed, want an error", bad)
		}
	}
}

// fakeResolver answers every lookup with one address, like a rebinding DNS server would.
type fakeResolver struct{ addr netip.Addr }

func (f fakeResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{f.addr}, nil
}

func TestDialer_RefusesAHostNameThatResolvesToMetadata(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer srv.Close()
	_, port, _ := splitPort(srv.Listener.Addr().String())

	p, _ := egress.ParsePolicy("*")
	d := &egress.Dialer{Policy: p, Resolver: fakeResolver{netip.MustParseAddr("169.254.169.254")}, Timeout: time.Second}
	if _, err := d.DialContext(context.Background(), "tcp", "metadata.example:"+port); !errors.Is(err, hooks.ErrBlocked) {
		t.Fatalf("dial of a name resolving to 169.254.169.254: %v, want ErrBlocked", err)
	}
	d.Resolver = fakeResolver{netip.MustParseAddr("127.0.0.1")}
	conn, err := d.DialContext(context.Background(), "tcp", "receiver.example:"+port)
	if err != nil {
		t.Fatalf("dial of a name resolving to loopback with * allowed: %v", err)
	}
	conn.Close()
}

func TestClient_RefusesLoopbackWhenNarrowedAndDoesNotFollowRedirects(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	narrow, _ := egress.ParsePolicy("external")
	_, err := egress.NewClient(narrow, time.Second, false).Get(srv.URL)
	if !errors.Is(err, hooks.ErrBlocked) {
		t.Fatalf("GET loopback with only external allowed: %v, want ErrBlocked", err)
	}
	wide, _ := egress.ParsePolicy(egress.DefaultPolicy)
	resp, err := egress.NewClient(wide, time.Second, false).Get(srv.URL + "/redirect")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status = %d, want the 302 itself (redirects are not followed)", resp.StatusCode)
	}
}

// countingResolver records the names it is asked for and answers none.
type countingResolver struct{ asked *[]string }

func (c countingResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	*c.asked = append(*c.asked, host)
	return nil, errors.New("no such host")
}

// TestDialer_NumericHostsAreTheIPv4TheyDenote: the inet_aton forms browsers
// and curl accept are read as IPv4 addresses and judged by the policy, and a
// numeric host that is no address is refused; none goes to DNS.
func TestDialer_NumericHostsAreTheIPv4TheyDenote(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	_, port, _ := splitPort(srv.Listener.Addr().String())
	var asked []string
	p, _ := egress.ParsePolicy("loopback,private,external")
	d := &egress.Dialer{Policy: p, Resolver: countingResolver{&asked}, Timeout: time.Second}

	for _, host := range []string{"2852039166", "0xa9fea9fe", "0XA9FEA9FE", "0251.0376.0251.0376", "169.254.43518", "169.16689662", "0xa9.0xfe.0xa9.0xfe", "169.254.169.254.",
		"1.2.3.4.5", "256.1.1.1", "1.2.3.08", "4294967296", "1..2.3", "example.0x"} {
		if _, err := d.DialContext(context.Background(), "tcp", net.JoinHostPort(host, port)); !errors.Is(err, hooks.ErrBlocked) {
			t.Errorf("dial %s: %v, want ErrBlocked", host, err)
		}
	}
	for _, host := range []string{"2130706433", "0x7f000001", "017700000001", "127.1", "127.0.1", "0177.0.0.1"} {
		conn, err := d.DialContext(context.Background(), "tcp", net.JoinHostPort(host, port))
		if err != nil {
			t.Errorf("dial %s (127.0.0.1): %v", host, err)
			continue
		}
		conn.Close()
	}
	if len(asked) != 0 {
		t.Errorf("numeric hosts went to DNS: %q", asked)
	}
	if _, err := d.DialContext(context.Background(), "tcp", net.JoinHostPort("0x1g.example", port)); err == nil || len(asked) != 1 {
		t.Errorf("a host name that is not numeric: err %v, looked up %q, want one lookup", err, asked)
	}
}

func splitPort(addr string) (string, string, error) { return net.SplitHostPort(addr) }
