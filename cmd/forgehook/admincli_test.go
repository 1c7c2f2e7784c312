package main_test

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// Admin runs an admin command against e's database and repos root, with
// e's daemon's public URL, and returns its stdout, stderr and exit status.
func (e *Env) Admin(stdin string, args ...string) (stdout, stderr string, code int) {
	e.T.Helper()
	args = append(args, "--db", e.DB, "--repos", e.Root)
	if e.Daemon != nil && args[0] != "token" {
		args = append(args, "--public-url", e.Daemon.URL)
	}
	cmd := e.command(args...)
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		e.T.Fatalf("forgehook %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), code
}

// MustAdmin runs an admin command that must succeed, and returns its stdout.
func (e *Env) MustAdmin(args ...string) string {
	e.T.Helper()
	out, stderr, code := e.Admin("", args...)
	if code != 0 {
		e.T.Fatalf("forgehook %s: exit %d\n%s%s", strings.Join(args, " "), code, out, stderr)
	}
	return out
}

// MustAdminJSON runs an admin command with --json and decodes its output into v.
func (e *Env) MustAdminJSON(v any, args ...string) {
	e.T.Helper()
	out := e.MustAdmin(append(args, "--json")...)
	if err := jsonUnmarshal([]byte(out), v); err != nil {
		e.T.Fatalf("forgehook %s --json: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// mustFit fails unless every line of out fits an 80-column terminal.
func mustFit(t *testing.T, out string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("line of %d columns, want at most 80:\n%s", n, line)
		}
	}
}

// TestAdminCLI_HookLifecycle drives every hook command, deliveries and
// redeliver against a real daemon and receiver.
func TestAdminCLI_HookLifecycle(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "widgets-with-a-rather-long-name")
	e.MustStart()
	recv := hookstest.NewReceiver(t, "s3cret")
	gh := e.Client(false).Repositories
	const repo = "acme/widgets-with-a-rather-long-name"
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	var created github.Hook
	e.MustAdminJSON(&created, "hook", "create", "--repo", repo, "--url", recv.URL+"/a/very/long/path/for/the/table",
		"--content-type", "json", "--secret-file", secretFile, "--events", "push,create")
	id := strconv.FormatInt(created.GetID(), 10)
	if created.GetID() == 0 || !created.GetActive() || created.Config.GetSecret() != "********" ||
		!slices.Equal(created.Events, []string{"push", "create"}) || created.GetURL() != e.Daemon.URL+"/repos/"+repo+"/hooks/"+id {
		t.Fatalf("created hook = %+v, config %+v", created, created.Config)
	}
	first := recv.WaitFor(t, "ping", 1, wait) // a new hook is pinged, as through the API
	if first[0].Err != nil {
		t.Fatalf("first ping: %v", first[0].Err)
	}

	t.Run("ListAndShowMatchTheAPI", func(t *testing.T) {
		var list []*github.Hook
		e.MustAdminJSON(&list, "hook", "list", "--repo", repo)
		api, _, err := gh.GetHook(bg(), "acme", "widgets-with-a-rather-long-name", created.GetID())
		if err != nil {
			t.Fatal(err)
		}
		var shown github.Hook
		e.MustAdminJSON(&shown, "hook", "show", id)
		for _, h := range []*github.Hook{list[0], &shown} {
			if len(list) != 1 || h.GetID() != api.GetID() || h.GetURL() != api.GetURL() || h.Config.GetURL() != api.Config.GetURL() ||
				h.Config.GetSecret() != api.Config.GetSecret() || h.GetPingURL() != api.GetPingURL() {
				t.Fatalf("CLI hook %+v, want the API's %+v", h, api)
			}
		}
		out := e.MustAdmin("hook", "list", "--repo", repo)
		mustFit(t, out)
		if !strings.Contains(out, id+" ") || !strings.Contains(out, "push,create") || strings.Contains(out, "s3cret") {
			t.Fatalf("hook list:\n%s", out)
		}
	})

	t.Run("EditChangesOnlyWhatIsGiven", func(t *testing.T) {
		var edited github.Hook
		e.MustAdminJSON(&edited, "hook", "edit", id, "--events", "push", "--events", "delete", "--insecure-ssl")
		api, _, err := gh.GetHook(bg(), "acme", "widgets-with-a-rather-long-name", created.GetID())
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(api.Events, []string{"push", "delete"}) || api.Config.GetInsecureSSL() != "1" ||
			api.Config.GetContentType() != "json" || api.Config.GetSecret() != "********" || !api.GetActive() ||
			api.Config.GetURL() != created.Config.GetURL() {
			t.Fatalf("after edit the API shows %+v, config %+v", api, api.Config)
		}
	})

	var guid string
	t.Run("PingIsSignedWithTheSecret", func(t *testing.T) {
		var ping struct {
			HookID int64  `json:"hook_id"`
			GUID   string `json:"guid"`
		}
		e.MustAdminJSON(&ping, "hook", "ping", id, "--repo", repo)
		guid = ping.GUID
		pings := recv.WaitFor(t, "ping", 2, wait)
		got := pings[len(pings)-1]
		if ping.HookID != created.GetID() || got.GUID != guid || got.Err != nil {
			t.Fatalf("ping %+v; received GUID %s, err %v", ping, got.GUID, got.Err)
		}
		if p, ok := got.Parsed.(*github.PingEvent); !ok || p.GetHookID() != created.GetID() || p.GetRepo().GetFullName() != repo {
			t.Fatalf("received %T %+v, want the ping of hook %d", got.Parsed, got.Parsed, created.GetID())
		}
	})

	var deliveryID int64
	t.Run("DeliveriesShowThePing", func(t *testing.T) {
		var list []*github.HookDelivery
		deadline := time.Now().Add(wait)
		for deliveryID == 0 {
			e.MustAdminJSON(&list, "deliveries", "--hook", id)
			for _, d := range list {
				if d.GetGUID() == guid && d.GetEvent() == "ping" && d.GetStatusCode() == 200 {
					deliveryID = d.GetID()
				}
			}
			if deliveryID == 0 && time.Now().After(deadline) {
				t.Fatalf("no delivery of ping %s among %d", guid, len(list))
			}
			waitBrief()
		}
		if len(list) != 2 || list[0].GetID() < list[1].GetID() {
			t.Fatalf("deliveries %v, want the two pings newest first", list)
		}
		out := e.MustAdmin("deliveries", "--repo", repo)
		mustFit(t, out)
		if !strings.Contains(out, guid[:8]) || !strings.Contains(out, "200 ok") || !strings.Contains(out, "ping") {
			t.Fatalf("deliveries table:\n%s", out)
		}
		if out := e.MustAdmin("deliveries", "--failed", "--since", "1h"); !strings.Contains(out, "No deliveries match") {
			t.Fatalf("deliveries --failed:\n%s", out)
		}
	})

	t.Run("RedeliverSendsTheSameGUIDAgain", func(t *testing.T) {
		out := e.MustAdmin("redeliver", strconv.FormatInt(deliveryID, 10))
		if !strings.Contains(out, guid) {
			t.Fatalf("redeliver printed %q, want the GUID %s", out, guid)
		}
		pings := recv.WaitFor(t, "ping", 3, wait)
		if got := pings[len(pings)-1]; got.GUID != guid || got.Err != nil {
			t.Fatalf("redelivery GUID %s (err %v), want %s", got.GUID, got.Err, guid)
		}
	})

	t.Run("DeleteRemovesTheHook", func(t *testing.T) {
		e.MustAdmin("hook", "delete", id)
		_, _, err := gh.GetHook(bg(), "acme", "widgets-with-a-rather-long-name", created.GetID())
		var er *github.ErrorResponse
		if !errors.As(err, &er) || er.Response.StatusCode != http.StatusNotFound {
			t.Fatalf("GetHook after delete: %v, want 404", err)
		}
		if _, stderr, code := e.Admin("", "hook", "show", id); code != 1 || !strings.Contains(stderr, "no hook "+id) {
			t.Fatalf("show after delete: exit %d, %q", code, stderr)
		}
	})
}

// TestAdminCLI_ErrorsMatchTheAPI checks that the CLI refuses what the API
// refuses, with the API's message, in one line and exit status 1; and
// usage mistakes with exit status 2.
func TestAdminCLI_ErrorsMatchTheAPI(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "widgets")
	e.MustStart()
	e.MustCreateHook("acme", "widgets", "http://127.0.0.1:9/taken", "json", "")
	for _, tc := range []struct {
		name   string
		url    string
		events []string
	}{
		{"BadURL", "ftp://127.0.0.1/x", []string{"push"}},
		{"UnknownEvent", "http://127.0.0.1:9/new", []string{"pushh"}},
		{"DuplicateURL", "http://127.0.0.1:9/taken", []string{"push"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := e.Client(false).Repositories.CreateHook(bg(), "acme", "widgets",
				&github.Hook{Config: &github.HookConfig{URL: github.String(tc.url)}, Events: tc.events})
			var er *github.ErrorResponse
			if !errors.As(err, &er) || er.Response.StatusCode != http.StatusUnprocessableEntity || len(er.Errors) == 0 {
				t.Fatalf("API CreateHook: %v, want 422 with errors", err)
			}
			_, stderr, code := e.Admin("", "hook", "create", "--repo", "acme/widgets", "--url", tc.url, "--events", strings.Join(tc.events, ","))
			if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, er.Errors[0].Message) {
				t.Fatalf("CLI: exit %d, stderr %q; want 1 and one line with %q", code, stderr, er.Errors[0].Message)
			}
		})
	}
	t.Run("UnknownRepository", func(t *testing.T) {
		_, stderr, code := e.Admin("", "hook", "list", "--repo", "acme/nope")
		if want := "no repository acme/nope under --repos " + e.Root; code != 1 || !strings.Contains(stderr, want) {
			t.Fatalf("exit %d, stderr %q; want 1 and %q", code, stderr, want)
		}
	})
	for name, args := range map[string][]string{
		"UnknownFlag":    {"hook", "create", "--repo", "acme/widgets", "--urll", "x"},
		"NoScope":        {"hook", "list"},
		"NoURL":          {"hook", "create", "--repo", "acme/widgets"},
		"NothingToEdit":  {"hook", "edit", "1"},
		"BadSince":       {"deliveries", "--since", "yesterday"},
		"NoDeliveryID":   {"redeliver"},
		"UnknownCommand": {"hook", "frobnicate"},
		"TokenNoCommand": {"token"},
	} {
		t.Run("Usage"+name, func(t *testing.T) {
			if _, stderr, code := e.Admin("", args...); code != 2 || !strings.HasPrefix(stderr, "forgehook: ") {
				t.Fatalf("forgehook %v: exit %d, stderr %q; want 2", args, code, stderr)
			}
		})
	}
}

// TestAdminCLI_SecretFromStdin checks that --secret - reads the secret
// from stdin, signs with it and never prints it.
func TestAdminCLI_SecretFromStdin(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "org-repo")
	e.MustStart()
	recv := hookstest.NewReceiver(t, "from-stdin")
	out, stderr, code := e.Admin("from-stdin\n", "hook", "create", "--org", "acme", "--url", recv.URL, "--secret", "-")
	if code != 0 || strings.Contains(out+stderr, "from-stdin") || !strings.Contains(out, "organization acme") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if got := recv.WaitFor(t, "ping", 1, wait)[0]; got.Err != nil {
		t.Fatalf("ping of the organization hook: %v", got.Err)
	}
	var list []*github.Hook
	e.MustAdminJSON(&list, "hook", "list", "--org", "acme")
	if len(list) != 1 || list[0].GetType() != "Organization" || list[0].Config.GetSecret() != "********" {
		t.Fatalf("organization hooks %+v", list)
	}
}

// TestAdminCLI_TokenListAndRevoke checks that token list shows no secret
// and that a revoked token gets 401 from the daemon.
func TestAdminCLI_TokenListAndRevoke(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "widgets")
	bob := e.MustToken("bob", "acme/widgets")
	e.MustStart()
	if _, _, err := e.ClientWithToken(false, bob).Repositories.ListHooks(bg(), "acme", "widgets", nil); err != nil {
		t.Fatalf("bob's token before revoke: %v", err)
	}
	var list []struct {
		ID         int64    `json:"id"`
		Login      string   `json:"login"`
		Repos      []string `json:"repos"`
		LastUsedAt *string  `json:"last_used_at"`
	}
	e.MustAdminJSON(&list, "token", "list")
	if len(list) != 2 || list[1].Login != "bob" || !slices.Equal(list[1].Repos, []string{"acme/widgets"}) || list[1].LastUsedAt == nil {
		t.Fatalf("tokens %+v, want ada's and bob's, bob's used", list)
	}
	out := e.MustAdmin("token", "list")
	mustFit(t, out)
	if strings.Contains(out, bob) || strings.Contains(out, e.Token) || !strings.Contains(out, "acme/widgets") {
		t.Fatalf("token list shows a token or misses bob's scope:\n%s", out)
	}
	e.MustAdmin("token", "revoke", strconv.FormatInt(list[1].ID, 10))
	_, _, err := e.ClientWithToken(false, bob).Repositories.ListHooks(bg(), "acme", "widgets", nil)
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bob's token after revoke: %v, want 401", err)
	}
	if _, _, err := e.Client(false).Repositories.ListHooks(bg(), "acme", "widgets", nil); err != nil {
		t.Fatalf("ada's token after revoking bob's: %v", err)
	}
	if _, stderr, code := e.Admin("", "token", "revoke", strconv.FormatInt(list[1].ID, 10)); code != 1 || !strings.Contains(stderr, "no token") {
		t.Fatalf("revoke twice: exit %d, %q", code, stderr)
	}
}
