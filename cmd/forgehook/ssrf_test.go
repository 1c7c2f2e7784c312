package main_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// TestSSRF_RefusedTargetsAreRecordedNotRetried: with --allowed-hosts narrowed
// to external addresses, a hook aimed at loopback gets nothing; the attempt is
// recorded with the reason and not retried. The metadata address is refused
// whatever the list says, and so are loopback and metadata written as an
// IPv4-compatible IPv6 address or as one number (issue 11).
func TestSSRF_RefusedTargetsAreRecordedNotRetried(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "ssrf")
	e.MustStart(append([]string{"--allowed-hosts", "external,*.example.com"}, shortRetries...)...)
	recv := hookstest.NewReceiver(t, "")
	local := e.MustCreateHook("acme", "ssrf", recv.URL, "json", "")
	meta := e.MustCreateHook("acme", "ssrf", "http://169.254.169.254/latest/meta-data/", "json", "")
	port := recv.URL[strings.LastIndex(recv.URL, ":"):]
	compat := e.MustCreateHook("acme", "ssrf", "http://[::127.0.0.1]"+port+"/", "json", "")        // IPv4-compatible loopback
	numeric := e.MustCreateHook("acme", "ssrf", "http://2852039166/latest/meta-data/", "json", "") // 169.254.169.254
	hs := []*github.Hook{local, meta, compat, numeric}

	for _, h := range hs {
		var ds []*github.HookDelivery
		for i := 0; i < polls && len(ds) == 0; i++ {
			ds, _, _ = e.Client(false).Repositories.ListHookDeliveries(bg(), "acme", "ssrf", h.GetID(), nil)
			waitBrief()
		}
		if len(ds) != 1 || ds[0].GetStatusCode() != 0 || !strings.Contains(ds[0].GetStatus(), "failed to connect") {
			t.Fatalf("hook %s: deliveries %v, want one refused attempt", h.Config.GetURL(), ds)
		}
		full, _, err := e.Client(false).Repositories.GetHookDelivery(bg(), "acme", "ssrf", h.GetID(), ds[0].GetID())
		if err != nil || !(strings.Contains(full.GetStatus(), "loopback") || strings.Contains(full.GetStatus(), "link-local")) {
			t.Errorf("hook %s: status %q, want the reason (loopback / link-local)", h.Config.GetURL(), full.GetStatus())
		}
		got, _, _ := e.Client(false).Repositories.GetHook(bg(), "acme", "ssrf", h.GetID())
		if got.LastResponse["status"] != "misconfigured" {
			t.Errorf("hook %s: last_response %v, want misconfigured", h.Config.GetURL(), got.LastResponse)
		}
	}
	time.Sleep(800 * time.Millisecond) // longer than the whole retry schedule's first steps
	for _, h := range hs {
		ds, _, _ := e.Client(false).Repositories.ListHookDeliveries(bg(), "acme", "ssrf", h.GetID(), nil)
		if len(ds) != 1 {
			t.Errorf("hook %s: refused delivery was attempted %d times, want once (no retries)", h.Config.GetURL(), len(ds))
		}
	}
	if n := len(recv.All()); n != 0 {
		t.Errorf("the loopback receiver got %d requests through a narrowed guard", n)
	}
}
