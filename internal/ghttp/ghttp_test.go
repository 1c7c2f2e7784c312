package ghttp_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/forgehook/forgehook/internal/ghttp"
)

// TestConventions_RequestIDIsSentAndLogged checks that every response gets
// a new X-GitHub-Request-Id and X-GitHub-Media-Type, and that an error line
// logged for the request carries the same id.
func TestConventions_RequestIDIsSentAndLogged(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	h := ghttp.Conventions(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ghttp.Error(w, r, log, errors.New("disk on fire"))
	}))
	ids := map[string]bool{}
	for i := 0; i < 3; i++ {
		logs.Reset()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
		id := rec.Header().Get("X-GitHub-Request-Id")
		if id == "" || ids[id] {
			t.Fatalf("request %d: X-GitHub-Request-Id = %q, want a new one (seen %v)", i, id, ids)
		}
		ids[id] = true
		if mt := rec.Header().Get("X-GitHub-Media-Type"); mt != "github.v3; format=json" {
			t.Errorf("X-GitHub-Media-Type = %q", mt)
		}
		if rec.Code != 500 || !strings.Contains(logs.String(), "request_id="+id) {
			t.Errorf("status %d, log %q; want 500 and request_id=%s in the log", rec.Code, logs.String(), id)
		}
	}
}
