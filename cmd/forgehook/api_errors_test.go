package main_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestAPI_Errors checks every error the API gives: status, and GitHub's body.
func TestAPI_Errors(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "errs")
	e.MustRepo("other", "hidden")
	e.MustStart()
	scoped := e.MustToken("bob", "acme/errs")
	hook := e.MustCreateHook("acme", "errs", "http://127.0.0.1:9/hook", "json", "", "push")
	hookURL := "/repos/acme/errs/hooks/" + itoa(hook.GetID())
	valid := `{"config":{"url":"http://127.0.0.1:9/x"}}`
	big := `{"config":{"url":"http://127.0.0.1:9/x"},"pad":"` + strings.Repeat("x", 1<<20) + `"}`

	tests := []struct {
		name     string
		method   string
		path     string
		auth     string // "" none, "admin", "scoped", or a raw header value
		body     string
		status   int
		message  string
		errCode  string // errors[0].code, if any
		errField string
		allow    string
	}{
		{"no credentials", "GET", "/repos/acme/errs/hooks", "", "", 401, "Requires authentication", "", "", ""},
		{"bad token", "GET", "/repos/acme/errs/hooks", "Bearer nope", "", 401, "Bad credentials", "", "", ""},
		{"bad basic", "GET", "/repos/acme/errs/hooks", "Basic " + base64.StdEncoding.EncodeToString([]byte("u:nope")), "", 401, "Bad credentials", "", "", ""},
		{"basic with token works", "GET", "/repos/acme/errs/hooks", "basic-admin", "", 200, "", "", "", ""},
		{"token scheme works", "GET", "/api/v3/repos/acme/errs/hooks", "token-admin", "", 200, "", "", "", ""},
		{"unknown repo", "GET", "/repos/acme/nope/hooks", "admin", "", 404, "Not Found", "", "", ""},
		{"repo outside the token's scope", "GET", "/repos/other/hidden/hooks", "scoped", "", 404, "Not Found", "", "", ""},
		{"scoped token in scope", "GET", "/repos/acme/errs/hooks", "scoped", "", 200, "", "", "", ""},
		{"unknown owner for org hooks", "GET", "/orgs/nobody/hooks", "admin", "", 404, "Not Found", "", "", ""},
		{"org hooks need an owner-wide token", "GET", "/orgs/acme/hooks", "scoped", "", 404, "Not Found", "", "", ""},
		{"org hooks with an admin token", "GET", "/orgs/ACME/hooks", "admin", "", 200, "", "", "", ""},
		{"repository", "GET", "/repos/ACME/Errs", "scoped", "", 200, "", "", "", ""},
		{"unknown hook", "GET", "/repos/acme/errs/hooks/999999", "admin", "", 404, "Not Found", "", "", ""},
		{"hook of another repo", "GET", "/repos/other/hidden/hooks/" + itoa(hook.GetID()), "admin", "", 404, "Not Found", "", "", ""},
		{"non-numeric hook id", "GET", "/repos/acme/errs/hooks/abc", "admin", "", 404, "Not Found", "", "", ""},
		{"unknown delivery", "GET", hookURL + "/deliveries/424242", "admin", "", 404, "Not Found", "", "", ""},
		{"unknown route", "GET", "/nothing/here", "admin", "", 404, "Not Found", "", "", ""},
		{"invalid JSON", "POST", "/repos/acme/errs/hooks", "admin", `{"config":`, 400, "Problems parsing JSON", "", "", ""},
		{"empty body", "POST", "/repos/acme/errs/hooks", "admin", ``, 400, "Problems parsing JSON", "", "", ""},
		{"JSON not an object", "POST", "/repos/acme/errs/hooks", "admin", `["push"]`, 400, "Body should be a JSON object", "", "", ""},
		{"body over 1 MiB", "POST", "/repos/acme/errs/hooks", "admin", big, 413, "", "", "", ""},
		{"missing url", "POST", "/repos/acme/errs/hooks", "admin", `{"config":{}}`, 422, "Validation Failed", "missing_field", "url", ""},
		{"missing config", "POST", "/repos/acme/errs/hooks", "admin", `{"events":["push"]}`, 422, "Validation Failed", "missing_field", "url", ""},
		{"not http", "POST", "/repos/acme/errs/hooks", "admin", `{"config":{"url":"ftp://x/"}}`, 422, "Validation Failed", "custom", "url", ""},
		{"bad content_type", "POST", "/repos/acme/errs/hooks", "admin", `{"config":{"url":"http://x/","content_type":"xml"}}`, 422, "Validation Failed", "invalid", "content_type", ""},
		{"bad insecure_ssl", "POST", "/repos/acme/errs/hooks", "admin", `{"config":{"url":"http://x/","insecure_ssl":"2"}}`, 422, "Validation Failed", "invalid", "insecure_ssl", ""},
		{"unknown event", "POST", "/repos/acme/errs/hooks", "admin", `{"config":{"url":"http://x/"},"events":["push","bogus"]}`, 422, "Validation Failed", "invalid", "events", ""},
		{"events not an array", "POST", "/repos/acme/errs/hooks", "admin", `{"config":{"url":"http://x/"},"events":"push"}`, 422, "", "", "", ""},
		{"name not web", "POST", "/repos/acme/errs/hooks", "admin", `{"name":"irc","config":{"url":"http://x/"}}`, 422, "Validation Failed", "invalid", "name", ""},
		{"url too long", "POST", "/repos/acme/errs/hooks", "admin", `{"config":{"url":"http://x/` + strings.Repeat("a", 3000) + `"}}`, 422, "Validation Failed", "invalid", "url", ""},
		{"too many events", "POST", "/repos/acme/errs/hooks", "admin", `{"config":{"url":"http://x/"},"events":[` + strings.Repeat(`"push",`, 200) + `"push"]}`, 422, "Validation Failed", "invalid", "events", ""},
		{"duplicate hook", "POST", "/repos/acme/errs/hooks", "admin", `{"config":{"url":"http://127.0.0.1:9/hook"},"events":["push"]}`, 422, "Validation Failed", "custom", "", ""},
		{"unknown fields are ignored", "POST", "/repos/acme/errs/hooks", "admin", `{"config":{"url":"http://127.0.0.1:9/unknown","room":"x"},"colour":"blue"}`, 201, "", "", "", ""},
		{"wrong method on collection", "PUT", "/repos/acme/errs/hooks", "admin", valid, 405, "Method Not Allowed", "", "", "GET, POST"},
		{"wrong method on hook", "POST", hookURL, "admin", valid, 405, "Method Not Allowed", "", "", "DELETE, GET, PATCH"},
		{"bad cursor", "GET", hookURL + "/deliveries?cursor=zzz", "admin", "", 400, "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, e.Daemon.URL+tt.path, strings.NewReader(tt.body))
			switch tt.auth {
			case "":
			case "admin":
				req.Header.Set("Authorization", "Bearer "+e.Token)
			case "scoped":
				req.Header.Set("Authorization", "Bearer "+scoped)
			case "basic-admin":
				req.SetBasicAuth("ada", e.Token)
			case "token-admin":
				req.Header.Set("Authorization", "token "+e.Token)
			default:
				req.Header.Set("Authorization", tt.auth)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded") // like curl -d: still parsed as JSON
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tt.status, raw)
			}
			if tt.allow != "" && resp.Header.Get("Allow") != tt.allow {
				t.Errorf("Allow = %q, want %q", resp.Header.Get("Allow"), tt.allow)
			}
			if tt.status < 400 {
				return
			}
			var body struct {
				Message string `json:"message"`
				Status  string `json:"status"`
				DocURL  string `json:"documentation_url"`
				Errors  []struct {
					Resource, Field, Code, Message string
				} `json:"errors"`
			}
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Fatalf("body is not JSON: %s", raw)
			}
			if body.Message == "" || body.Status != itoa(int64(tt.status)) || body.DocURL == "" {
				t.Errorf("body = %s, want message, status %q and documentation_url", raw, itoa(int64(tt.status)))
			}
			if tt.message != "" && body.Message != tt.message {
				t.Errorf("message = %q, want %q", body.Message, tt.message)
			}
			if tt.errCode != "" {
				if len(body.Errors) == 0 || body.Errors[0].Code != tt.errCode || body.Errors[0].Field != tt.errField || body.Errors[0].Resource == "" {
					t.Errorf("errors = %+v, want code %q field %q", body.Errors, tt.errCode, tt.errField)
				}
			}
		})
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
