package main_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// TestMeta_DeletedHookGetsOneMetaEvent deletes hooks through the API and
// the admin CLI: each one subscribed to meta receives GitHub's meta event
// (action deleted, the hook object, hook_id, the repository) once, signed
// with its secret, after its row is gone; one that is not subscribed gets
// nothing, and a failed meta delivery is not retried.
func TestMeta_DeletedHookGetsOneMetaEvent(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "meta")
	e.MustStart("--retry-schedule", "1s")
	ctx := context.Background()
	gh := e.Client(false).Repositories

	api := hookstest.NewReceiver(t, "meta-secret")
	h := e.MustCreateHook("acme", "meta", api.URL, "json", "meta-secret", "push", "meta")
	api.WaitFor(t, "ping", 1, wait)
	if _, err := gh.DeleteHook(ctx, "acme", "meta", h.GetID()); err != nil {
		t.Fatal(err)
	}
	got := api.WaitFor(t, "meta", 1, wait)[0]
	if got.Err != nil {
		t.Fatalf("meta delivery did not verify or parse: %v", got.Err)
	}
	ev := got.Parsed.(*github.MetaEvent)
	if ev.GetAction() != "deleted" || ev.GetHookID() != h.GetID() || ev.GetHook().GetID() != h.GetID() ||
		ev.GetRepo().GetFullName() != "acme/meta" || ev.GetSender().GetLogin() != "ada" {
		t.Errorf("meta event = action %q hook_id %d hook.id %d repository %q sender %q, want deleted, %d, %d, acme/meta, ada",
			ev.GetAction(), ev.GetHookID(), ev.GetHook().GetID(), ev.GetRepo().GetFullName(), ev.GetSender().GetLogin(), h.GetID(), h.GetID())
	}
	if sec := ev.GetHook().Config.GetSecret(); sec != "********" {
		t.Errorf("meta hook.config.secret = %q, want masked", sec)
	}
	if id := got.Header.Get("X-GitHub-Hook-ID"); id != strconv.FormatInt(h.GetID(), 10) {
		t.Errorf("X-GitHub-Hook-ID = %q, want %d", id, h.GetID())
	}
	if _, resp, err := gh.GetHook(ctx, "acme", "meta", h.GetID()); err == nil || resp.StatusCode != 404 {
		t.Errorf("GET the deleted hook: %v, want 404", err)
	}

	// The CLI deletes the same way; this receiver fails, and is not retried.
	cli := hookstest.NewReceiver(t, "")
	tries := make(chan string, 10)
	cli.Respond = func(r *http.Request) int {
		tries <- github.WebHookType(r)
		if github.WebHookType(r) == "meta" {
			return 500
		}
		return 200
	}
	quiet := hookstest.NewReceiver(t, "")
	h2 := e.MustCreateHook("acme", "meta", cli.URL, "form", "", "*")
	h3 := e.MustCreateHook("acme", "meta", quiet.URL, "json", "", "push")
	cli.WaitFor(t, "ping", 1, wait)
	quiet.WaitFor(t, "ping", 1, wait)
	out := e.MustAdmin("hook", "delete", strconv.FormatInt(h2.GetID(), 10))
	if !strings.Contains(out, "meta event") {
		t.Errorf("hook delete output does not mention the meta event:\n%s", out)
	}
	e.MustAdmin("hook", "delete", strconv.FormatInt(h3.GetID(), 10))
	deadline := time.After(wait)
	for metas := 0; metas == 0; {
		select {
		case ev := <-tries:
			if ev == "meta" {
				metas++
			}
		case <-deadline:
			t.Fatal("the CLI-deleted hook got no meta event")
		}
	}
	select { // a retry would come after 1s
	case ev := <-tries:
		t.Errorf("another %s delivery after the failed meta event; want none", ev)
	case <-time.After(2500 * time.Millisecond):
	}
	for _, r := range quiet.All() {
		if r.Event == "meta" {
			t.Errorf("a hook not subscribed to meta got a meta event")
		}
	}
}
