package main

import "testing"

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"webhook-secret", "s3cret", redacted},
		{"metrics-token", "abc", redacted},
		{"smtp-password", "pw", redacted},
		{"secret-key-file", "/var/lib/forgehook/forgehook.db.key", "/var/lib/forgehook/forgehook.db.key"},
		{"metrics-token", "", ""},
		{"clone-url", "https://ci:hunter2@git.example.com/{owner}/{repo}.git", "https://********@git.example.com/{owner}/{repo}.git"},
		{"public-url", "https://TOKEN@hooks.example.com", "https://********@hooks.example.com"},
		{"ssh-url", "git@git.example.com:{owner}/{repo}.git", "git@git.example.com:{owner}/{repo}.git"},
		{"listen", "127.0.0.1:8080", "127.0.0.1:8080"},
	} {
		if got := redact(tc.name, tc.value); got != tc.want {
			t.Errorf("redact(%q, %q) = %q, want %q", tc.name, tc.value, got, tc.want)
		}
	}
}
