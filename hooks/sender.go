package hooks

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Delivery limits, as on GitHub.
const (
	MaxPayloadSize      = 25 << 20 // payloads larger than this are not sent
	MaxResponseBodySize = 64 << 10 // response bodies are stored up to this size; headers: response_headers.go
	DefaultTimeout      = 10 * time.Second
)

// UserAgent is sent with every delivery; receivers check its GitHub-Hookshot/ prefix.
const UserAgent = "GitHub-Hookshot/forgehook"

// Sender makes one delivery attempt: it encodes, signs and POSTs an event to
// a hook and records what happened. It never touches storage.
type Sender struct {
	Client         *http.Client // verifies TLS certificates; must not follow redirects
	InsecureClient *http.Client // for hooks with insecure_ssl "1"
	Timeout        time.Duration
	Now            func() time.Time
}

// Attempt is the result of one Send.
type Attempt struct {
	Delivery   *Delivery
	Permanent  bool          // retrying cannot help: refused target, oversized payload, 410 Gone
	RetryAfter time.Duration // the receiver's Retry-After on 429 and 503, if any
}

// ErrBlocked marks a dial refused by the egress guard; Send treats it as permanent.
var ErrBlocked = errors.New("blocked by egress policy")

// Send delivers job's event to job's hook and returns the attempt.
func (s *Sender) Send(ctx context.Context, job *Job) Attempt {
	h, e := job.Hook, job.Event
	at := s.now()
	r, err := NewRequest(h, e, at)
	d := &Delivery{
		GUID: e.GUID, HookID: h.ID, EventID: e.ID, RepoID: e.RepoID, Event: e.Name, Action: e.Action,
		Redelivery: job.Redelivery, URL: r.URL, DeliveredAt: at, RequestHeaders: r.Recorded(),
	}
	if err != nil {
		d.Status = "invalid request: " + err.Error()
		return Attempt{Delivery: d, Permanent: true}
	}
	if len(r.Body) > MaxPayloadSize {
		d.Status = fmt.Sprintf("payload too large: %d bytes, over the %d MiB limit; not sent", len(r.Body), MaxPayloadSize>>20)
		return Attempt{Delivery: d, Permanent: true}
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		d.Status = "invalid URL: " + err.Error()
		return Attempt{Delivery: d, Permanent: true}
	}
	req.Header = r.Header
	client := s.Client
	if h.Config.InsecureSSL {
		client = s.InsecureClient
	}
	resp, err := client.Do(req)
	if err != nil {
		d.Duration = s.now().Sub(d.DeliveredAt)
		d.Status = errorStatus(err)
		return Attempt{Delivery: d, Permanent: errors.Is(err, ErrBlocked)}
	}
	respBody, _ := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBodySize))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	resp.Body.Close()
	d.Duration = s.now().Sub(d.DeliveredAt)
	d.StatusCode = resp.StatusCode
	d.ResponseHeaders = storedHeaders(resp.Header)
	d.ResponseBody = string(respBody)
	a := Attempt{Delivery: d, Permanent: resp.StatusCode == http.StatusGone}
	if d.OK() {
		d.Status = "OK"
	} else {
		d.Status = "Invalid HTTP Response: " + strconv.Itoa(resp.StatusCode)
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		a.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), d.DeliveredAt)
	}
	return a
}

func (s *Sender) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// targetType is what kind of thing a hook belongs to, as GitHub names it.
func targetType(h *Hook) string {
	switch {
	case h.IsGlobal():
		return "business" // GitHub Enterprise Server's global hooks belong to the enterprise
	case h.IsOrg():
		return "organization"
	}
	return "repository"
}

// targetID is the id of targetType: the repository's, the organization's,
// or 1 for the one enterprise a forgehook serves.
func targetID(h *Hook, e *Event) int64 {
	switch {
	case h.IsGlobal():
		return 1
	case h.IsOrg():
		return e.OwnerID
	}
	return e.RepoID
}

// errorStatus turns a transport error into GitHub's delivery status texts.
func errorStatus(err error) string {
	var (
		netErr  net.Error
		certErr *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		dnsErr  *net.DNSError
	)
	switch {
	case errors.Is(err, ErrBlocked):
		return "failed to connect: " + strings.TrimPrefix(unwrapDial(err), "dial tcp ")
	case errors.As(err, &certErr), errors.As(err, &unknown):
		return "Peer certificate cannot be authenticated with given CA certificates"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timed out"
	case errors.As(err, &dnsErr):
		return "failed to connect to host"
	case strings.Contains(err.Error(), "server response headers exceeded"): // net/http has no sentinel for it
		return fmt.Sprintf("Invalid HTTP Response: headers over %d KiB", MaxResponseHeaderSize>>10)
	}
	return "failed to connect"
}

func unwrapDial(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}

// parseRetryAfter reads a Retry-After value: seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// flatten turns a header into the string map GitHub's delivery API shows,
// joining repeated values with ", ".
func flatten(h http.Header) map[string]string {
	m := make(map[string]string, len(h))
	for k, v := range h {
		m[k] = strings.Join(v, ", ")
	}
	return m
}
