package main_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// TestCloneURLTemplates: --clone-url and --ssh-url fill clone_url, ssh_url
// and git_url in every payload's repository and in GET /repos/{owner}/{repo}.
func TestCloneURLTemplates(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "tools.cli")
	e.MustStart("--clone-url", "https://git.example.com/{owner}/{repo}.git", "--ssh-url", "git@git.example.com:{owner}/{repo}.git")
	const (
		wantClone = "https://git.example.com/acme/tools.cli.git"
		wantSSH   = "git@git.example.com:acme/tools.cli.git"
	)
	check := func(what string, r *github.Repository) {
		t.Helper()
		if r.GetCloneURL() != wantClone || r.GetSSHURL() != wantSSH || r.GetGitURL() != wantClone {
			t.Errorf("%s: clone_url=%q ssh_url=%q git_url=%q, want %q %q %q",
				what, r.GetCloneURL(), r.GetSSHURL(), r.GetGitURL(), wantClone, wantSSH, wantClone)
		}
	}

	recv := hookstest.NewReceiver(t, "s")
	e.MustCreateHook("acme", "tools.cli", recv.URL, "json", "s", "push", "create")
	c := e.WS.MustClone(bare, "work")
	c.Commit("first", map[string]string{"a": "1"})
	c.Push("origin", "main")
	got := map[string]bool{}
	for _, r := range recv.WaitFor(t, "", 3, wait) { // ping, push, create
		if r.Err != nil {
			t.Fatalf("%s %s: %v", r.Event, r.GUID, r.Err)
		}
		got[r.Event] = true
		switch p := r.Parsed.(type) {
		case *github.PingEvent:
			check("ping", p.GetRepo())
		case *github.PushEvent:
			pr := p.GetRepo() // the push flavour has a type of its own in go-github
			check("push", &github.Repository{CloneURL: pr.CloneURL, SSHURL: pr.SSHURL, GitURL: pr.GitURL})
		case *github.CreateEvent:
			check("create", p.GetRepo())
		}
	}
	if !got["ping"] || !got["push"] || !got["create"] {
		t.Fatalf("events = %v, want ping, push and create", got)
	}

	for _, enterprise := range []bool{false, true} {
		r, _, err := e.Client(enterprise).Repositories.Get(context.Background(), "acme", "tools.cli")
		if err != nil {
			t.Fatalf("Repositories.Get: %v", err)
		}
		check("GET /repos/acme/tools.cli", r)
		if !strings.HasPrefix(r.GetHTMLURL(), e.Daemon.URL+"/") {
			t.Errorf("html_url = %q, want it under --public-url %s", r.GetHTMLURL(), e.Daemon.URL)
		}
	}
}

// TestCloneURLTemplates_RefusedAtStart: serve refuses a template it could not
// fill in, before it listens.
func TestCloneURLTemplates_RefusedAtStart(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	if err := os.MkdirAll(e.Root, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, flag, template, want string
	}{
		{"unknown placeholder", "--clone-url", "https://git.example.com/{user}/{repo}.git", "unknown placeholder {user}"},
		{"no repo", "--ssh-url", "git@git.example.com:{owner}.git", "no {repo} placeholder"},
		{"not absolute", "--clone-url", "git.example.com/{owner}/{repo}.git", "not an absolute URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			out, err := exec.CommandContext(ctx, binary, "serve", "--listen", "127.0.0.1:0", "--db", e.DB, "--repos", e.Root,
				tt.flag, tt.template).CombinedOutput()
			if err == nil || !strings.Contains(string(out), tt.flag) || !strings.Contains(string(out), tt.want) {
				t.Fatalf("serve %s %q: err=%v, output %q, want a failure naming %s and saying %q", tt.flag, tt.template, err, out, tt.flag, tt.want)
			}
		})
	}
}
