package main_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// curl runs the real curl binary and returns the HTTP status line and body.
func curl(t *testing.T, args ...string) (status, out string) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is needed for the hub tests (.ci/run installs it)")
	}
	b, err := exec.Command("curl", append([]string{"-sS", "-i", "--max-time", "10"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("curl %v: %v\n%s", args, err, b)
	}
	out = strings.ReplaceAll(string(b), "\r", "")
	status, _, _ = strings.Cut(out, "\n")
	return status, out
}

func TestHub_CurlSubscribeThenPush(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "hub")
	e.MustStart()
	form := hookstest.NewReceiver(t, "hubsecret")
	asJSON := hookstest.NewReceiver(t, "")
	byAccept := hookstest.NewReceiver(t, "")
	hub := e.Daemon.URL + "/hub"
	topic := "https://github.com/acme/hub/events/push"

	// As in GitHub's docs: curl -u user:TOKEN -F ... (multipart/form-data).
	st, out := curl(t, "-u", "ada:"+e.Token, hub, "-F", "hub.mode=subscribe", "-F", "hub.topic="+topic,
		"-F", "hub.callback="+form.URL, "-F", "hub.secret=hubsecret")
	if !strings.Contains(st, " 204") {
		t.Fatalf("subscribe: %s", out)
	}
	// Subscribing again (url-encoded this time) modifies the same hook.
	if st, out := curl(t, "-H", "Authorization: Bearer "+e.Token, hub, "-d", "hub.mode=subscribe",
		"--data-urlencode", "hub.topic="+topic, "--data-urlencode", "hub.callback="+form.URL, "-d", "hub.secret=hubsecret"); !strings.Contains(st, " 204") {
		t.Fatalf("second subscribe: %s", out)
	}
	if st, out := curl(t, "-u", "ada:"+e.Token, hub, "-F", "hub.mode=subscribe", "-F", "hub.topic="+topic+".json",
		"-F", "hub.callback="+asJSON.URL); !strings.Contains(st, " 204") {
		t.Fatalf("subscribe .json: %s", out)
	}
	if st, out := curl(t, "-u", "ada:"+e.Token, "-H", "Accept: application/json", hub, "-F", "hub.mode=subscribe",
		"-F", "hub.topic="+topic, "-F", "hub.callback="+byAccept.URL); !strings.Contains(st, " 204") {
		t.Fatalf("subscribe with Accept: %s", out)
	}
	ctx := context.Background()
	list, _, err := e.Client(false).Repositories.ListHooks(ctx, "acme", "hub", nil)
	if err != nil || len(list) != 3 {
		t.Fatalf("hooks after 4 subscriptions for 3 callbacks = %d (%v), want 3", len(list), err)
	}
	for _, h := range list {
		want := "json"
		if h.Config.GetURL() == form.URL {
			want = "form"
		}
		if h.Config.GetContentType() != want || !h.GetActive() || len(h.Events) != 1 || h.Events[0] != "push" {
			t.Errorf("hook for %s: content_type=%s events=%v, want %s [push]", h.Config.GetURL(), h.Config.GetContentType(), h.Events, want)
		}
	}

	c := e.WS.MustClone(bare, "work")
	head := c.Commit("via the hub", map[string]string{"x": "1"})
	c.Push("origin", "main")
	for _, rc := range []*hookstest.Receiver{form, asJSON, byAccept} {
		got := rc.WaitFor(t, "push", 1, wait)
		if ev := pushEvents(t, got)[0]; ev.GetAfter() != head {
			t.Errorf("%s: after = %s, want %s", rc.URL, ev.GetAfter(), head)
		}
	}
	if ct := form.All()[len(form.All())-1].Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("default format: Content-Type %q, want form", ct)
	}
	for _, rc := range []*hookstest.Receiver{asJSON, byAccept} {
		if ct := rc.All()[len(rc.All())-1].Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("json subscription: Content-Type %q, want application/json", ct)
		}
	}

	// Unsubscribing stops deliveries and removes the hook.
	if st, out := curl(t, "-u", "ada:"+e.Token, hub, "-F", "hub.mode=unsubscribe", "-F", "hub.topic="+topic,
		"-F", "hub.callback="+form.URL); !strings.Contains(st, " 204") {
		t.Fatalf("unsubscribe: %s", out)
	}
	before := len(form.All())
	c.Commit("after unsubscribe", map[string]string{"x": "2"})
	c.Push("origin", "main")
	asJSON.WaitFor(t, "push", 2, wait)
	time.Sleep(300 * time.Millisecond)
	if n := len(form.All()); n != before {
		t.Errorf("unsubscribed callback got %d more deliveries", n-before)
	}
	list, _, _ = e.Client(false).Repositories.ListHooks(ctx, "acme", "hub", nil)
	if len(list) != 2 {
		t.Errorf("hooks after unsubscribe = %d, want 2", len(list))
	}

	// go-github's Subscribe works too.
	if _, err := e.Client(true).Repositories.Subscribe(ctx, "acme", "hub", "create", form.URL, []byte("hubsecret")); err != nil {
		t.Fatalf("go-github Subscribe: %v", err)
	}
}

func TestHub_Errors(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "hub")
	e.MustRepo("other", "private")
	e.MustStart()
	scoped := e.MustToken("bob", "acme/hub")
	hub := e.Daemon.URL + "/api/v3/hub"
	ok := []string{"-F", "hub.mode=subscribe", "-F", "hub.topic=https://github.com/acme/hub/events/push", "-F", "hub.callback=http://127.0.0.1:9/cb"}
	tests := []struct {
		name   string
		args   []string
		status string
		body   string
	}{
		{"no credentials", ok, " 401", "Requires authentication"},
		{"bad token", append([]string{"-u", "ada:wrong"}, ok...), " 401", "Bad credentials"},
		{"bad mode", []string{"-u", "ada:" + e.Token, "-F", "hub.mode=watch", "-F", "hub.topic=https://github.com/acme/hub/events/push", "-F", "hub.callback=http://127.0.0.1:9/cb"}, " 422", "hub.mode"},
		{"missing topic", []string{"-u", "ada:" + e.Token, "-F", "hub.mode=subscribe", "-F", "hub.callback=http://127.0.0.1:9/cb"}, " 422", "hub.topic"},
		{"bad topic path", []string{"-u", "ada:" + e.Token, "-F", "hub.mode=subscribe", "-F", "hub.topic=https://github.com/acme/hub/push", "-F", "hub.callback=http://127.0.0.1:9/cb"}, " 422", "hub.topic"},
		{"unknown event", []string{"-u", "ada:" + e.Token, "-F", "hub.mode=subscribe", "-F", "hub.topic=https://github.com/acme/hub/events/nope", "-F", "hub.callback=http://127.0.0.1:9/cb"}, " 422", "nope"},
		{"missing callback", []string{"-u", "ada:" + e.Token, "-F", "hub.mode=subscribe", "-F", "hub.topic=https://github.com/acme/hub/events/push"}, " 422", "Needs hub.callback"},
		{"bad callback scheme", []string{"-u", "ada:" + e.Token, "-F", "hub.mode=subscribe", "-F", "hub.topic=https://github.com/acme/hub/events/push", "-F", "hub.callback=github://campfire?subdomain=x"}, " 422", "hub.callback"},
		{"unknown repo", []string{"-u", "ada:" + e.Token, "-F", "hub.mode=subscribe", "-F", "hub.topic=https://github.com/acme/nope/events/push", "-F", "hub.callback=http://127.0.0.1:9/cb"}, " 404", "Not Found"},
		{"repo outside the token's scope", []string{"-u", "bob:" + scoped, "-F", "hub.mode=subscribe", "-F", "hub.topic=https://github.com/other/private/events/push", "-F", "hub.callback=http://127.0.0.1:9/cb"}, " 404", "Not Found"},
		{"JSON body is not understood", []string{"-u", "ada:" + e.Token, "-H", "Content-Type: application/json", "-d", `{"hub.mode":"subscribe"}`}, " 422", "hub.mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, out := curl(t, append([]string{hub}, tt.args...)...)
			if !strings.Contains(st, tt.status) || !strings.Contains(out, tt.body) || !strings.Contains(out, `"message"`) {
				t.Fatalf("got %s\n%s\nwant status%s and %q in a JSON message", st, out, tt.status, tt.body)
			}
		})
	}
	if list, _, _ := e.Client(false).Repositories.ListHooks(context.Background(), "acme", "hub", nil); len(list) != 0 {
		t.Errorf("failed subscriptions created %d hooks", len(list))
	}
}
