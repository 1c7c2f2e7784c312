package hooks_test

import (
	"maps"
	"testing"

	"github.com/forgehook/forgehook/hooks"
)

func TestPusherFromEnv(t *testing.T) {
	all := map[string]string{
		"FORGEHOOK_PUSHER": "admin-set", "GL_USER": "gitolite-user",
		"GL_USERNAME": "gitlab-user", "REMOTE_USER": "http-user",
	}
	tests := []struct {
		name   string
		unset  []string // keys of all that are not set
		blank  []string // keys of all that are set to spaces
		osUser string
		want   string
	}{
		{name: "FORGEHOOK_PUSHER wins", osUser: "git", want: "admin-set"},
		{name: "then gitolite's GL_USER", unset: []string{"FORGEHOOK_PUSHER"}, osUser: "git", want: "gitolite-user"},
		{name: "then GitLab's GL_USERNAME", unset: []string{"FORGEHOOK_PUSHER", "GL_USER"}, osUser: "git", want: "gitlab-user"},
		{name: "then REMOTE_USER", unset: []string{"FORGEHOOK_PUSHER", "GL_USER", "GL_USERNAME"}, osUser: "git", want: "http-user"},
		{name: "then the OS user", unset: []string{"FORGEHOOK_PUSHER", "GL_USER", "GL_USERNAME", "REMOTE_USER"}, osUser: "git", want: "git"},
		{name: "blank values are skipped", blank: []string{"FORGEHOOK_PUSHER", "GL_USER"}, osUser: "git", want: "gitlab-user"},
		{name: "git without an OS user", unset: []string{"FORGEHOOK_PUSHER", "GL_USER", "GL_USERNAME", "REMOTE_USER"}, want: "git"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := maps.Clone(all)
			for _, k := range tt.unset {
				delete(env, k)
			}
			for _, k := range tt.blank {
				env[k] = "  "
			}
			getenv := func(k string) string { return env[k] }
			if got := hooks.PusherFromEnv(getenv, tt.osUser); got != tt.want {
				t.Fatalf("PusherFromEnv = %q, want %q", got, tt.want)
			}
		})
	}
}
