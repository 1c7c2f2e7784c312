package hooks_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// pushPayload is a push payload with the fields templates read.
const pushPayload = `{"ref":"refs/heads/feature/x","repository":{"name":"wid gets","full_name":"acme/wid gets"},
	"pusher":{"name":"Ada \"the\" Lovelace"},"sender":{"login":"ada"},"compare":"http://git/c",
	"commits":[{"id":"c0ffee","message":"first"},{"id":"beef","message":"say \"hi\"\n\n\ttab & <b>"}],
	"head_commit":{"id":"beef","message":"say \"hi\"\n\n\ttab & <b>","distinct":true}}`

func templateHook(t hooks.Template, events ...string) *hooks.Hook {
	if events == nil {
		events = []string{"push"}
	}
	return &hooks.Hook{ID: 7, Owner: "acme", Repo: "widgets", Events: events,
		Config: hooks.HookConfig{URL: "https://chat.example/base/", ContentType: hooks.ContentJSON, Secret: "s3", Template: t}}
}

func mustRequest(t *testing.T, h *hooks.Hook, event, payload string) *hooks.Request {
	t.Helper()
	if err := h.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	r, err := hooks.NewRequest(h, &hooks.Event{GUID: "guid-1", Name: event, Payload: []byte(payload)}, time.Now())
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	return r
}

func TestTemplate_JSONBodyEscapesValues(t *testing.T) {
	h := templateHook(hooks.Template{Body: `{"msg":"${head_commit.message}","who":"${pusher.name}","n":"${commits[1].id}",` +
		`"branch":"${ref_name}","e":"${event}/${delivery}/${hook_id}","none":"${commits[5].id}","lit":"$${x}","obj":"${head_commit.distinct}"}`})
	r := mustRequest(t, h, "push", pushPayload)
	var got map[string]string
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.Body)
	}
	want := map[string]string{"msg": "say \"hi\"\n\n\ttab & <b>", "who": `Ada "the" Lovelace`, "n": "beef",
		"branch": "feature/x", "e": "push/guid-1/7", "none": "", "lit": "${x}", "obj": "true"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if r.Method != http.MethodPost || r.URL != h.Config.URL || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("method=%s url=%s content-type=%s, want POST, the hook URL, application/json", r.Method, r.URL, r.Header.Get("Content-Type"))
	}
	if sig := hooks.Sign("s3", r.Body).Get("X-Hub-Signature-256"); r.Header.Get("X-Hub-Signature-256") != sig {
		t.Errorf("signature %s, want %s: over the rendered body", r.Header.Get("X-Hub-Signature-256"), sig)
	}
}

func TestTemplate_URLEscapesPathAndQuery(t *testing.T) {
	h := templateHook(hooks.Template{Method: "put", URL: "https://ci.example/job/${repository.name}/${ref}?who=${pusher.name}&m=${head_commit.message}"})
	r := mustRequest(t, h, "push", pushPayload)
	want := "https://ci.example/job/wid%20gets/refs%2Fheads%2Ffeature%2Fx?who=Ada+%22the%22+Lovelace&m=say+%22hi%22%0A%0A%09tab+%26+%3Cb%3E"
	if r.URL != want || r.Method != http.MethodPut {
		t.Fatalf("%s %s\nwant PUT %s", r.Method, r.URL, want)
	}
	if string(r.Body) != pushPayload || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("without a body template the GitHub payload is sent; got %s %q", r.Header.Get("Content-Type"), r.Body)
	}
}

func TestTemplate_PlainAndFormBodies(t *testing.T) {
	for _, tt := range []struct{ ct, want string }{
		{"text/plain", `push by Ada "the" Lovelace`},
		{"application/x-www-form-urlencoded", `push by Ada+%22the%22+Lovelace`},
	} {
		r := mustRequest(t, templateHook(hooks.Template{ContentType: tt.ct, Body: "push by ${pusher.name}"}), "push", pushPayload)
		if string(r.Body) != tt.want || r.Header.Get("Content-Type") != tt.ct {
			t.Errorf("%s: body %q (%s), want %q", tt.ct, r.Body, r.Header.Get("Content-Type"), tt.want)
		}
	}
}

func TestTemplate_GETSendsNoBody(t *testing.T) {
	r := mustRequest(t, templateHook(hooks.Template{Method: "GET", URL: "https://ci.example/build?ref=${ref_name}"}), "push", pushPayload)
	if r.Body != nil || r.Header.Get("Content-Type") != "" || r.URL != "https://ci.example/build?ref=feature%2Fx" {
		t.Fatalf("GET %s with content type %q and body %q, want no body", r.URL, r.Header.Get("Content-Type"), r.Body)
	}
}

func TestTemplate_ValidateRefusesUnusableTemplates(t *testing.T) {
	tests := []struct {
		name   string
		t      hooks.Template
		events []string
		want   string // in the message
	}{
		{"unknown variable", hooks.Template{Body: `{"a":"${repository.fullname}"}`}, nil, "unknown variable ${repository.fullname}"},
		{"push variable on a ping-only hook", hooks.Template{Body: `{"a":"${head_commit.message}"}`}, []string{"issues"}, "unknown variable"},
		{"index on an object", hooks.Template{Body: `{"a":"${repository[0]}"}`}, nil, "unknown variable"},
		{"malformed variable", hooks.Template{Body: `{"a":"${commits[x]}"}`}, nil, "invalid variable"},
		{"unclosed variable", hooks.Template{ContentType: "text/plain", Body: "x ${ref"}, nil, "unclosed"},
		{"variable outside a JSON string", hooks.Template{Body: `{"a":${ref}}`}, nil, "not valid JSON"},
		{"variable in the host", hooks.Template{URL: "https://${repository.name}.example.com/"}, nil, "literal"},
		{"variable in the scheme", hooks.Template{URL: "${ref}://x/"}, nil, "literal"},
		{"not an http URL", hooks.Template{URL: "ftp://x/${ref}"}, nil, "template URL"},
		{"unknown method", hooks.Template{Method: "DELETE"}, nil, "method"},
		{"GET with a body", hooks.Template{Method: "GET", Body: "x"}, nil, "GET"},
		{"content type alone", hooks.Template{ContentType: "text/plain"}, nil, "needs a body"},
		{"unknown preset", hooks.Template{Preset: "teams"}, nil, "unknown preset"},
		{"matrix without a room", hooks.Template{Preset: "matrix"}, nil, "room id"},
		{"matrix with an alias", hooks.Template{Preset: "matrix", Room: "#dev:example.org"}, nil, "room id"},
		{"preset with a body", hooks.Template{Preset: "slack", Body: "x"}, nil, "preset"},
		{"room without matrix", hooks.Template{Room: "!r"}, nil, "room"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := templateHook(tt.t, tt.events...).Validate()
			var e *hooks.Error
			if !asError(err, &e) || e.Code != hooks.EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != "template" {
				t.Fatalf("Validate = %v, want EINVALID on field template", err)
			}
			if !strings.Contains(e.Fields[0].Message, tt.want) {
				t.Errorf("message %q, want it to mention %q", e.Fields[0].Message, tt.want)
			}
		})
	}
}

func asError(err error, e **hooks.Error) bool {
	var ok bool
	*e, ok = err.(*hooks.Error)
	return ok
}

func TestTemplate_ValidateAcceptsKnownPaths(t *testing.T) {
	for _, body := range []string{
		`{"a":"${repository.owner.login}","b":"${commits[3].author.email}","c":"${zen}","d":"${ref_type}"}`,
		`{"a":"${commits}","b":"${head_commit}"}`, // objects and arrays render as JSON text
	} {
		if err := templateHook(hooks.Template{Body: body}, "*").Validate(); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
}

func TestTemplate_PresetsSendTheirServicesShapes(t *testing.T) {
	events := map[string]string{
		"push":   pushPayload,
		"ping":   `{"zen":"Speak like a human.","hook_id":7,"sender":{"login":"ada"}}`,
		"create": `{"ref":"v1","ref_type":"tag","repository":{"full_name":"acme/w"},"sender":{"login":"ada"}}`,
		"delete": `{"ref":"old","ref_type":"branch","repository":{"full_name":"acme/w"},"sender":{"login":"ada"}}`,
	}
	wantText := map[string]string{
		"push":   "[acme/wid gets] Ada \"the\" Lovelace pushed to feature/x: say \"hi\"\n\n\ttab & <b> http://git/c",
		"ping":   "forgehook hook 7 is set up: Speak like a human.",
		"create": "[acme/w] ada created tag v1",
		"delete": "[acme/w] ada deleted branch old",
	}
	for _, preset := range hooks.Presets {
		for event, payload := range events {
			tmpl := hooks.Template{Preset: preset}
			if preset == hooks.PresetMatrix {
				tmpl.Room = "!room/x:example.org"
			}
			r := mustRequest(t, templateHook(tmpl, "*"), event, payload)
			var body map[string]string
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatalf("%s %s: %v\n%s", preset, event, err, r.Body)
			}
			key, wantMethod, wantURL := map[string]string{"slack": "text", "discord": "content", "matrix": "body"}[preset], "POST", "https://chat.example/base/"
			if preset == hooks.PresetMatrix {
				wantMethod, wantURL = "PUT", "https://chat.example/base/_matrix/client/v3/rooms/%21room%2Fx:example.org/send/m.room.message/guid-1"
				if body["msgtype"] != "m.text" {
					t.Errorf("matrix %s: msgtype %q, want m.text", event, body["msgtype"])
				}
			}
			if body[key] != wantText[event] || len(body) != map[bool]int{true: 2, false: 1}[preset == hooks.PresetMatrix] {
				t.Errorf("%s %s: body %v, want %s=%q", preset, event, body, key, wantText[event])
			}
			if r.Method != wantMethod || r.URL != wantURL {
				t.Errorf("%s %s: %s %s, want %s %s", preset, event, r.Method, r.URL, wantMethod, wantURL)
			}
		}
	}
}

func TestParseTemplate(t *testing.T) {
	tests := []struct {
		in      string
		want    hooks.Template
		wantErr bool
	}{
		{`"slack"`, hooks.Template{Preset: "slack"}, false},
		{`""`, hooks.Template{}, false},
		{`{}`, hooks.Template{}, false},
		{`{"method":"PUT","url":"https://x/${ref}","body":"a","content_type":"text/plain"}`,
			hooks.Template{Method: "PUT", URL: "https://x/${ref}", Body: "a", ContentType: "text/plain"}, false},
		{`{"body": {"text": "${ref} <b>", "n": [1, 2]}}`, hooks.Template{Body: `{"text":"${ref} <b>","n":[1,2]}`}, false},
		{`{"preset":"matrix","room":"!r:x"}`, hooks.Template{Preset: "matrix", Room: "!r:x"}, false},
		{`{"bodyy":"x"}`, hooks.Template{}, true},
		{`{"method":1}`, hooks.Template{}, true},
		{`[1]`, hooks.Template{}, true},
	}
	for _, tt := range tests {
		got, err := hooks.ParseTemplate([]byte(tt.in))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseTemplate(%s) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// FuzzTemplate_JSONBodyKeepsAnyMessage: whatever a commit message holds, a
// JSON body template renders valid JSON that decodes to exactly the message.
func FuzzTemplate_JSONBodyKeepsAnyMessage(f *testing.F) {
	for _, s := range []string{"plain", "quote \" backslash \\ tab \t", "line\nline\r\n", "<b>&</b>", "\u2028\u2029", "${ref}", "\x00\x1f"} {
		f.Add(s)
	}
	h := templateHook(hooks.Template{Body: `{"t":"${head_commit.message}","u":"${head_commit.message}${ref}"}`})
	if err := h.Validate(); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		payload, err := json.Marshal(map[string]any{"ref": "r", "head_commit": map[string]string{"message": msg}})
		if err != nil {
			t.Skip()
		}
		var want string
		_ = json.Unmarshal(mustJSON(t, msg), &want) // what a JSON round trip makes of msg (invalid UTF-8 becomes U+FFFD)
		r, err := hooks.NewRequest(h, &hooks.Event{GUID: "g", Name: "push", Payload: payload}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]string
		if err := json.Unmarshal(r.Body, &got); err != nil {
			t.Fatalf("body %q is not JSON: %v", r.Body, err)
		}
		if got["t"] != want || got["u"] != want+"r" {
			t.Fatalf("t=%q u=%q, want %q", got["t"], got["u"], want)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
