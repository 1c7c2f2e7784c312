package main_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// MustCreateTemplateHook creates a JSON hook of owner/repo with a
// config.template through go-github's raw requests (its HookConfig has no
// template field: GitHub clients ignore the addition).
func (e *Env) MustCreateTemplateHook(owner, repo, target, secret string, template any, events ...string) *github.Hook {
	e.T.Helper()
	h, err := e.createTemplateHook(owner, repo, target, secret, template, events...)
	if err != nil {
		e.T.Fatalf("create hook with template %v: %v", template, err)
	}
	return h
}

func (e *Env) createTemplateHook(owner, repo, target, secret string, template any, events ...string) (*github.Hook, error) {
	if len(events) == 0 {
		events = []string{"push"}
	}
	body := map[string]any{"events": events, "config": map[string]any{
		"url": target, "content_type": "json", "secret": secret, "template": template}}
	c := e.Client(false)
	req, err := c.NewRequest("POST", "repos/"+owner+"/"+repo+"/hooks", body)
	if err != nil {
		e.T.Fatal(err)
	}
	var h github.Hook
	_, err = c.Do(bg(), req, &h)
	return &h, err
}

// preview is the answer of POST …/hooks/{id}/preview.
type preview struct {
	Event, Delivery, Method, URL, Body string
	Headers                            map[string]string
}

// mustPreview asks for the preview of hook id of owner/repo.
func (e *Env) mustPreview(owner, repo string, id int64) *preview {
	e.T.Helper()
	c := e.Client(false)
	req, err := c.NewRequest("POST", "repos/"+owner+"/"+repo+"/hooks/"+strconv.FormatInt(id, 10)+"/preview", nil)
	if err != nil {
		e.T.Fatal(err)
	}
	var p preview
	if resp, err := c.Do(bg(), req, &p); err != nil || resp.StatusCode != http.StatusOK {
		e.T.Fatalf("preview hook %d: %v", id, err)
	}
	return &p
}

func hmacHex(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// TestTemplate_JSONBodyAndURLVariablesArriveEscaped: a commit message with
// quotes, a backslash, a tab and blank lines arrives, through a real push, as
// valid JSON holding exactly that message; URL variables arrive
// path-escaped; the signature covers the rendered body, and go-github's
// ValidatePayload accepts it.
func TestTemplate_JSONBodyAndURLVariablesArriveEscaped(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "widgets")
	e.MustStart()
	recv := hookstest.NewReceiver(t, "s3cret")
	e.MustCreateTemplateHook("acme", "widgets", recv.URL, "s3cret", map[string]any{
		"url":  recv.URL + "/build/${repository.full_name}/${ref}?by=${pusher.name}",
		"body": map[string]any{"text": "${head_commit.message}", "id": "${commits[0].id}", "who": "${pusher.name} in ${repository.full_name}"},
	})
	recv.WaitFor(t, "ping", 1, wait)

	c := e.WS.MustClone(bare, "work")
	const msg = "Say \"hi\" & <b>bye</b> \\o/\n\n\tindented\nlast line"
	sha := c.Commit(msg, map[string]string{"a.txt": "a\n"})
	c.Push("origin", "main")

	got := recv.WaitFor(t, "push", 1, wait)[0]
	var body map[string]string
	if err := json.Unmarshal(got.Body, &body); err != nil {
		t.Fatalf("templated body is not JSON: %v\n%s", err, got.Body)
	}
	if body["text"] != msg || body["id"] != sha || body["who"] != "ada in acme/widgets" || len(body) != 3 {
		t.Fatalf("body = %q, want text %q, id %s, who ada in acme/widgets", body, msg, sha)
	}
	if want := "/build/acme%2Fwidgets/refs%2Fheads%2Fmain?by=ada"; got.Method != "POST" || got.URI != want {
		t.Errorf("%s %s, want POST %s", got.Method, got.URI, want)
	}
	if got.Err != nil || got.Header.Get("X-Hub-Signature-256") != hmacHex("s3cret", got.Body) {
		t.Errorf("signature %s (ValidatePayload: %v), want the HMAC of the rendered body", got.Header.Get("X-Hub-Signature-256"), got.Err)
	}
	if got.Header.Get("Content-Type") != "application/json" || got.Header.Get("User-Agent") == "" || got.GUID == "" {
		t.Errorf("headers %v, want GitHub's, with Content-Type application/json", got.Header)
	}
}

// TestTemplate_UnknownVariableIs422: create and edit refuse a template with
// a variable that no payload of the hook's events has, in GitHub's
// validation-error shape as go-github reads it.
func TestTemplate_UnknownVariableIs422(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "widgets")
	e.MustStart()
	recv := hookstest.NewReceiver(t, "")
	want422 := func(t *testing.T, err error, mention string) {
		t.Helper()
		var ge *github.ErrorResponse
		if !errors.As(err, &ge) || ge.Response.StatusCode != http.StatusUnprocessableEntity || ge.Message != "Validation Failed" ||
			len(ge.Errors) != 1 || ge.Errors[0].Field != "template" || !strings.Contains(ge.Errors[0].Message, mention) {
			t.Fatalf("err = %v, want 422 Validation Failed on field template mentioning %q", err, mention)
		}
	}
	t.Run("CreateWithATypo", func(t *testing.T) {
		_, err := e.createTemplateHook("acme", "widgets", recv.URL, "", map[string]any{"body": `{"t":"${head_commit.mesage}"}`})
		want422(t, err, "${head_commit.mesage}")
	})
	t.Run("CreateWithAPushVariableOnACreateHook", func(t *testing.T) {
		_, err := e.createTemplateHook("acme", "widgets", recv.URL, "", map[string]any{"body": `{"t":"${head_commit.message}"}`}, "create")
		want422(t, err, "unknown variable")
	})
	t.Run("EditDroppingTheEventTheTemplateNeeds", func(t *testing.T) {
		h := e.MustCreateTemplateHook("acme", "widgets", recv.URL, "", map[string]any{"body": `{"t":"${head_commit.message}"}`})
		_, _, err := e.Client(false).Repositories.EditHook(bg(), "acme", "widgets", h.GetID(), &github.Hook{Events: []string{"create"}})
		want422(t, err, "unknown variable")
	})
	t.Run("UnknownPreset", func(t *testing.T) {
		_, err := e.createTemplateHook("acme", "widgets", recv.URL, "", "teams")
		want422(t, err, "unknown preset")
	})
	hs, _, err := e.Client(false).Repositories.ListHooks(bg(), "acme", "widgets", nil)
	if err != nil || len(hs) != 1 {
		t.Fatalf("hooks = %d (%v), want only the valid one", len(hs), err)
	}
}

// TestTemplate_PreviewRendersWithoutSending: the preview shows the request
// for the last push (a ping before there is one) and sends nothing; a
// GitHub client reading the hook sees its usual config.
func TestTemplate_PreviewRendersWithoutSending(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "widgets")
	e.MustStart()
	recv := hookstest.NewReceiver(t, "s3cret")
	h := e.MustCreateTemplateHook("acme", "widgets", recv.URL, "s3cret", map[string]any{
		"method": "PUT", "url": recv.URL + "/ci/${repository.name}", "content_type": "text/plain",
		"body": "${pusher.name} pushed ${after} to ${ref}",
	})
	recv.WaitFor(t, "ping", 1, wait)

	p := e.mustPreview("acme", "widgets", h.GetID())
	if p.Event != "ping" || p.Method != "PUT" || p.URL != recv.URL+"/ci/widgets" || p.Body != " pushed  to " {
		t.Errorf("preview before a push = %+v, want the ping rendered (a ping has no pusher, after or ref)", p)
	}

	c := e.WS.MustClone(bare, "work")
	sha := c.Commit("one", map[string]string{"a.txt": "a\n"})
	c.Push("origin", "main")
	sent := recv.WaitFor(t, "push", 1, wait)[0]

	p = e.mustPreview("acme", "widgets", h.GetID())
	if p.Event != "push" || p.Method != "PUT" || p.URL != recv.URL+"/ci/widgets" || p.Body != "ada pushed "+sha+" to refs/heads/main" {
		t.Fatalf("preview = %+v, want the last push rendered", p)
	}
	if p.Body != string(sent.Body) || p.Headers["Content-Type"] != "text/plain" || p.Headers["X-Hub-Signature-256"] != hmacHex("s3cret", []byte(p.Body)) {
		t.Errorf("preview body %q headers %v, want the body the push delivery had (%q), signed", p.Body, p.Headers, sent.Body)
	}
	if p.Delivery == "" || p.Delivery == sent.GUID || p.Headers["X-GitHub-Delivery"] != p.Delivery {
		t.Errorf("preview delivery %q (header %q), want a new GUID, not %s", p.Delivery, p.Headers["X-GitHub-Delivery"], sent.GUID)
	}

	for i := 0; i < 10; i++ { // give a wrongly sent preview time to arrive
		waitBrief()
	}
	if n := len(recv.All()); n != 2 {
		t.Errorf("receiver got %d requests, want 2 (the ping and the push): previews send nothing", n)
	}
	ds, _, err := e.Client(false).Repositories.ListHookDeliveries(bg(), "acme", "widgets", h.GetID(), nil)
	if err != nil || len(ds) != 2 {
		t.Errorf("deliveries = %d (%v), want 2: previews record none", len(ds), err)
	}
	got, _, err := e.Client(false).Repositories.GetHook(bg(), "acme", "widgets", h.GetID())
	if err != nil || got.Config.GetURL() != recv.URL || got.Config.GetContentType() != "json" {
		t.Errorf("GetHook through go-github = %+v (%v), want the usual config", got.GetConfig(), err)
	}
}

// TestTemplate_PresetsArriveInTheirServicesShapes: the Slack, Discord and
// Matrix presets reach local receivers as each service documents: Slack's
// {"text"}, Discord's {"content"}, and Matrix's PUT of an m.text message
// with the delivery GUID as the transaction id.
func TestTemplate_PresetsArriveInTheirServicesShapes(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "widgets")
	e.MustStart()
	slack, discord, matrix := hookstest.NewReceiver(t, ""), hookstest.NewReceiver(t, ""), hookstest.NewReceiver(t, "")
	e.MustCreateTemplateHook("acme", "widgets", slack.URL+"/services/T0/B0/x", "", "slack")
	e.MustCreateTemplateHook("acme", "widgets", discord.URL+"/api/webhooks/1/tok", "", map[string]any{"preset": "discord"})
	e.MustCreateTemplateHook("acme", "widgets", matrix.URL, "", map[string]any{"preset": "matrix", "room": "!abc:localhost"})

	c := e.WS.MustClone(bare, "work")
	c.Commit("Fix the \"parser\"", map[string]string{"a.txt": "a\n"})
	c.Push("origin", "main")

	wantPush := "[acme/widgets] ada pushed to main: Fix the \"parser\" "
	for _, tc := range []struct {
		name string
		recv *hookstest.Received
		key  string
		uri  string
	}{
		{"slack", slack.WaitFor(t, "push", 1, wait)[0], "text", "/services/T0/B0/x"},
		{"discord", discord.WaitFor(t, "push", 1, wait)[0], "content", "/api/webhooks/1/tok"},
		{"matrix", matrix.WaitFor(t, "push", 1, wait)[0], "body", ""},
	} {
		r := tc.recv
		var body map[string]string
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("%s: body is not JSON: %v\n%s", tc.name, err, r.Body)
		}
		if !strings.HasPrefix(body[tc.key], wantPush) || !strings.Contains(body[tc.key], "/acme/widgets/commit/") {
			t.Errorf("%s: %s = %q, want it to start %q and link the commit (the compare field of a new branch)", tc.name, tc.key, body[tc.key], wantPush)
		}
		method, uri, keys := "POST", tc.uri, 1
		if tc.name == "matrix" {
			method, uri, keys = "PUT", "/_matrix/client/v3/rooms/%21abc:localhost/send/m.room.message/"+r.GUID, 2
			if body["msgtype"] != "m.text" {
				t.Errorf("matrix: msgtype %q, want m.text", body["msgtype"])
			}
		}
		if r.Method != method || r.URI != uri || len(body) != keys || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %s %s (%s) with %v, want %s %s with %d keys", tc.name, r.Method, r.URI, r.Header.Get("Content-Type"), body, method, uri, keys)
		}
	}
	for _, p := range matrix.All() { // every delivery has its own transaction id
		if p.URI != "/_matrix/client/v3/rooms/%21abc:localhost/send/m.room.message/"+p.GUID {
			t.Errorf("matrix %s delivery went to %s, want its GUID %s as the transaction id", p.Event, p.URI, p.GUID)
		}
	}
	ping := slack.WaitFor(t, "ping", 1, wait)[0]
	if !strings.Contains(string(ping.Body), `"text":"forgehook hook `) {
		t.Errorf("slack ping = %s, want a text message", ping.Body)
	}
}

// TestTemplate_AdminCLISetsAndShowsTemplates: hook create and edit take
// --template-preset and --template-file; show prints the template.
func TestTemplate_AdminCLISetsAndShowsTemplates(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "widgets")
	e.MustStart()
	recv := hookstest.NewReceiver(t, "")
	var created github.Hook
	e.MustAdminJSON(&created, "hook", "create", "--repo", "acme/widgets", "--url", recv.URL, "--template-preset", "discord")
	id := strconv.FormatInt(created.GetID(), 10)
	if out := e.MustAdmin("hook", "show", "--repo", "acme/widgets", id); !strings.Contains(out, "Template:") || !strings.Contains(out, "discord") {
		t.Errorf("hook show:\n%s\nwant the discord template", out)
	}
	file := filepath.Join(t.TempDir(), "t.json")
	if err := os.WriteFile(file, []byte(`{"content_type":"text/plain","body":"${ref_name} by ${pusher.name}"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	e.MustAdmin("hook", "edit", "--repo", "acme/widgets", id, "--template-file", file)
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"body":"${nope}"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := e.Admin("", "hook", "edit", "--repo", "acme/widgets", id, "--template-file", bad); code == 0 || !strings.Contains(stderr, "${nope}") {
		t.Errorf("edit with an unknown variable: exit %d, stderr %q; want a failure naming ${nope}", code, stderr)
	}

	c := e.WS.MustClone(bare, "work")
	c.Commit("one", map[string]string{"a.txt": "a\n"})
	c.Push("origin", "main")
	if got := recv.WaitFor(t, "push", 1, wait)[0]; string(got.Body) != "main by ada" || got.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("push body %q (%s), want the file's template rendered", got.Body, got.Header.Get("Content-Type"))
	}
	e.MustAdmin("hook", "edit", "--repo", "acme/widgets", id, "--template-file", "")
	if out := e.MustAdmin("hook", "show", "--repo", "acme/widgets", id); !strings.Contains(out, "none (GitHub's request)") {
		t.Errorf("hook show after --template-file \"\":\n%s\nwant no template", out)
	}
}

// TestTemplate_EgressGuardChecksTheRenderedURL: a template cannot route
// around --allowed-hosts: the rendered URL is dialed through the guard, and
// the refusal is recorded against it.
func TestTemplate_EgressGuardChecksTheRenderedURL(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "widgets")
	e.MustStart(append([]string{"--allowed-hosts", "external"}, shortRetries...)...)
	recv := hookstest.NewReceiver(t, "")
	h := e.MustCreateTemplateHook("acme", "widgets", "https://chat.example.com/hook", "",
		map[string]any{"url": recv.URL + "/x/${repository.name}"})
	var ds []*github.HookDelivery
	for i := 0; i < polls && len(ds) == 0; i++ {
		ds, _, _ = e.Client(false).Repositories.ListHookDeliveries(bg(), "acme", "widgets", h.GetID(), nil)
		waitBrief()
	}
	if len(ds) != 1 || !strings.Contains(ds[0].GetStatus(), "failed to connect") {
		t.Fatalf("deliveries %v, want one refused ping", ds)
	}
	c := e.Client(false)
	req, err := c.NewRequest("GET", "repos/acme/widgets/hooks/"+strconv.FormatInt(h.GetID(), 10)+
		"/deliveries/"+strconv.FormatInt(ds[0].GetID(), 10), nil)
	if err != nil {
		t.Fatal(err)
	}
	var full struct{ Status, URL string }
	if _, err := c.Do(bg(), req, &full); err != nil || !strings.Contains(full.Status, "loopback") || full.URL != recv.URL+"/x/widgets" {
		t.Errorf("delivery status %q to %s (%v), want the loopback refusal of the rendered URL", full.Status, full.URL, err)
	}
	if n := len(recv.All()); n != 0 {
		t.Errorf("the loopback receiver got %d requests through the guard", n)
	}
}

// TestTemplate_HubResubscribeKeepsTheTemplate: a PubSubHubbub subscribe for
// a hook's callback adds the event and keeps the template the REST API set.
func TestTemplate_HubResubscribeKeepsTheTemplate(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "widgets")
	e.MustStart()
	recv := hookstest.NewReceiver(t, "")
	h := e.MustCreateTemplateHook("acme", "widgets", recv.URL, "", "slack")
	if _, err := e.Client(true).Repositories.Subscribe(bg(), "acme", "widgets", "create", recv.URL, nil); err != nil {
		t.Fatal(err)
	}
	c := e.Client(false)
	req, err := c.NewRequest("GET", "repos/acme/widgets/hooks/"+strconv.FormatInt(h.GetID(), 10), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Events []string
		Config struct{ Template map[string]string }
	}
	if _, err := c.Do(bg(), req, &got); err != nil || got.Config.Template["preset"] != "slack" || len(got.Events) != 2 {
		t.Fatalf("hook after subscribe: events %v, template %v (%v); want push and create, the slack preset", got.Events, got.Config.Template, err)
	}
}
