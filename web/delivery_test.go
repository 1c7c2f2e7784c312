package web

import (
	"strings"
	"testing"
)

func TestPretty(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"JSON keeps its key order", `{"b":1,"a":{"c":"x"}}`, "{\n  \"b\": 1,\n  \"a\": {\n    \"c\": \"x\"\n  }\n}"},
		{"secrets are masked", `{"config":{"secret":"hunter2","url":"https://u:p@example.com/x"},"token":"abc"}`,
			"{\n  \"config\": {\n    \"secret\": \"********\",\n    \"url\": \"https://********@example.com/x\"\n  },\n  \"token\": \"********\"\n}"},
		{"form payload field", `payload=%7B%22a%22%3A%22%3Cb%3E%22%7D`, "{\n  \"a\": \"<b>\"\n}"},
		{"not JSON", `<html>oops</html>`, `<html>oops</html>`},
		{"two documents", `{} {}`, `{} {}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := pretty([]byte(tt.in)); got != tt.want {
				t.Errorf("pretty(%s)=\n%s\nwant\n%s", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskHeaders(t *testing.T) {
	got := maskHeaders(map[string]string{"Set-Cookie": "sid=1", "X-Gitlab-Token": "t0k", "X-Hub-Signature-256": "sha256=ab", "Location": "https://a:b@h/"})
	var lines []string
	for _, h := range got {
		lines = append(lines, h.Name+": "+h.Value)
	}
	want := "Location: https://********@h/|Set-Cookie: ********|X-Gitlab-Token: ********|X-Hub-Signature-256: sha256=ab"
	if s := strings.Join(lines, "|"); s != want {
		t.Errorf("maskHeaders=%s, want %s", s, want)
	}
}
