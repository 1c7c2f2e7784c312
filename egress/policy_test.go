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

func splitPort(addr string) (string, string, error) { return net.SplitHostPort(addr) }
