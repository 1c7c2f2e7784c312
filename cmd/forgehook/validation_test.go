package main_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestAPI_ValidationDetails checks what the attack pass found accepted or
// misreported (issue 11, item 9): ports out of range, URLs that are not
// UTF-8, per_page 0 or negative, and a hub secret that is too long.
func TestAPI_ValidationDetails(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "valid")
	e.MustStart()
	for i := 0; i < 3; i++ {
		e.MustCreateHook("acme", "valid", "http://127.0.0.1:9/h"+itoa(int64(i)), "json", "")
	}
	do := func(method, path, contentType, body string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, e.Daemon.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "token "+e.Token)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, raw
	}
	type fieldErrors struct {
		Message string
		Errors  []struct{ Resource, Field, Code, Message string }
	}

	// per_page as GitHub reads it: <= 0 is the default (30), > 100 is 100.
	// (Before the hooks below, which should all be refused, are tried.)
	for _, pp := range []string{"0", "-5", "1000"} {
		status, raw := do("GET", "/repos/acme/valid/hooks?per_page="+pp, "", "")
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); status != 200 || err != nil || len(list) != 3 {
			t.Errorf("per_page=%s: status %d, %d hooks (%v); want all 3", pp, status, len(list), err)
		}
	}

	for _, tt := range []struct{ name, body, field string }{
		{"port out of range", `{"config":{"url":"http://127.0.0.1:99999/"}}`, "url"},
		{"port zero", `{"config":{"url":"http://127.0.0.1:0/"}}`, "url"},
		{"invalid UTF-8 in the URL", "{\"config\":{\"url\":\"http://127.0.0.1:9/\xff\xfe\"}}", "url"},
		{"a replacement character in the URL", `{"config":{"url":"http://127.0.0.1:9/\ufffd"}}`, "url"},
		{"a lone surrogate in the URL", `{"config":{"url":"http://127.0.0.1:9/\ud800"}}`, "url"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, raw := do("POST", "/repos/acme/valid/hooks", "application/json", tt.body)
			var body fieldErrors
			_ = json.Unmarshal(raw, &body)
			if status != 422 || body.Message != "Validation Failed" || len(body.Errors) != 1 ||
				body.Errors[0].Resource != "Hook" || body.Errors[0].Field != tt.field || body.Errors[0].Code == "" {
				t.Errorf("status %d, body %s; want 422 Validation Failed naming %s", status, raw, tt.field)
			}
		})
	}

	// The hub names the field at fault.
	form := "hub.mode=subscribe&hub.topic=https://github.com/acme/valid/events/push&hub.callback="
	for _, tt := range []struct{ name, form, field string }{
		{"secret too long", form + "http://127.0.0.1:9/cb&hub.secret=" + strings.Repeat("s", 1025), "hub.secret"},
		{"callback port out of range", form + "http://127.0.0.1:99999/cb", "hub.callback"},
		{"callback not UTF-8", form + "http://127.0.0.1:9/%ff", "hub.callback"},
	} {
		t.Run("hub "+tt.name, func(t *testing.T) {
			status, raw := do("POST", "/hub", "application/x-www-form-urlencoded", tt.form)
			var body fieldErrors
			_ = json.Unmarshal(raw, &body)
			if status != 422 || len(body.Errors) != 1 || body.Errors[0].Field != tt.field {
				t.Errorf("status %d, body %s; want 422 naming %s", status, raw, tt.field)
			}
		})
	}
}
