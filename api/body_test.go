package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzHookRequestBody feeds arbitrary bodies through the parsing a create or
// edit request goes through: it must never panic, and whatever it accepts must
// be a JSON object whose config keys have the right types.
func FuzzHookRequestBody(f *testing.F) {
	f.Add(`{"name":"web","config":{"url":"http://x/","content_type":"json","insecure_ssl":1,"secret":"s"},"events":["push"],"active":true}`)
	f.Add(`{"config":{"insecure_ssl":"1"},"add_events":["*"],"remove_events":null}`)
	f.Add(`[1,2]`)
	f.Add(`{"config":"x"}`)
	f.Fuzz(func(t *testing.T, body string) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodySize)
		o, err := readObject(r)
		if err != nil {
			return
		}
		if !strings.HasPrefix(strings.TrimSpace(body), "{") {
			t.Fatalf("accepted a body that is not a JSON object: %q", body)
		}
		for _, key := range []string{"events", "add_events", "remove_events"} {
			_, _ = o.strings(key)
		}
		_, _ = o.boolean("active")
		_, _ = o.str("name")
		cfg, err := o.object("config")
		if err != nil {
			return
		}
		if p, err := cfg.config(); err == nil && p.InsecureSSL != nil && *p.InsecureSSL && !strings.Contains(body, "insecure_ssl") {
			t.Fatalf("insecure_ssl set from nowhere: %q", body)
		}
	})
}
