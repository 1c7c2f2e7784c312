package redact_test

import (
	"testing"

	"github.com/forgehook/forgehook/internal/redact"
)

func TestSetting(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"webhook-secret", "s3cret", redact.Mask},
		{"metrics-token", "abc", redact.Mask},
		{"smtp-password", "pw", redact.Mask},
		{"secret-key-file", "/var/lib/forgehook/forgehook.db.key", "/var/lib/forgehook/forgehook.db.key"},
		{"metrics-token", "", ""},
		{"clone-url", "https://ci:hunter2@git.example.com/{owner}/{repo}.git", "https://********@git.example.com/{owner}/{repo}.git"},
		{"public-url", "https://TOKEN@hooks.example.com", "https://********@hooks.example.com"},
		{"ssh-url", "git@git.example.com:{owner}/{repo}.git", "git@git.example.com:{owner}/{repo}.git"},
		{"listen", "127.0.0.1:8080", "127.0.0.1:8080"},
	} {
		if got := redact.Setting(tc.name, tc.value); got != tc.want {
			t.Errorf("redact.Setting(%q, %q) = %q, want %q", tc.name, tc.value, got, tc.want)
		}
	}
}
