package egress

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// Resolver looks up a host's addresses; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Dialer dials only addresses the policy allows. It resolves the host itself,
// checks every address, and dials the checked address, so that a DNS answer
// that changes between check and dial (rebinding) cannot slip past. A
// numeric host (2852039166, 0xa9fea9fe, 127.1) is the IPv4 address it
// denotes, as in browsers and curl, never a name to look up.
type Dialer struct {
	Policy   *Policy
	Resolver Resolver // net.DefaultResolver if nil
	Timeout  time.Duration
}

// DialContext implements http.Transport's DialContext.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else if ip, ok, err := numericHost(host); ok {
		if err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("%w: %s: %v", hooks.ErrBlocked, host, err)}
		}
		ips = []netip.Addr{ip}
	} else {
		r := d.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		if ips, err = r.LookupNetIP(ctx, "ip", host); err != nil {
			return nil, err
		}
	}
	var lastErr error
	nd := &net.Dialer{Timeout: d.Timeout, KeepAlive: 30 * time.Second}
	for _, ip := range ips {
		if err := d.Policy.Check(host, ip); err != nil {
			lastErr = &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("%w: %s: %v", hooks.ErrBlocked, host, err)}
			continue
		}
		conn, err := nd.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		lastErr = err
	}
	if lastErr == nil {
		lastErr = errors.New("no addresses")
	}
	return nil, lastErr
}

// NewClient returns the HTTP client deliveries go through: guarded dialing,
// no proxy, no redirects followed, bounded timeouts, response headers and
// keep-alive pools.
// insecure skips TLS certificate verification (a hook's insecure_ssl "1").
func NewClient(p *Policy, timeout time.Duration, insecure bool) *http.Client {
	d := &Dialer{Policy: p, Timeout: min(timeout, 5*time.Second)}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    min(timeout, 5*time.Second),
		ResponseHeaderTimeout:  timeout,
		MaxResponseHeaderBytes: hooks.MaxResponseHeaderSize,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    64,
		MaxConnsPerHost:        64,
		IdleConnTimeout:        30 * time.Second,
		TLSClientConfig:        &tls.Config{InsecureSkipVerify: insecure, MinVersion: tls.VersionTLS12}, //nolint:gosec // per-hook opt-in
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
