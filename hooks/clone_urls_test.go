package hooks_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks"
)

func TestValidateCloneTemplate(t *testing.T) {
	tests := []struct {
		name, template, wantErr string // wantErr "" for a valid template
	}{
		{"https", "https://git.example.com/{owner}/{repo}.git", ""},
		{"scp-like ssh", "git@git.example.com:{owner}/{repo}.git", ""},
		{"ssh URL with port", "ssh://git@git.example.com:2222/srv/git/{owner}/{repo}.git", ""},
		{"repo only", "https://git.example.com/{repo}", ""},
		{"no repo", "https://git.example.com/{owner}.git", "no {repo} placeholder"},
		{"unknown placeholder", "https://git.example.com/{user}/{repo}.git", "unknown placeholder {user}"},
		{"wrong case", "https://git.example.com/{Owner}/{repo}.git", "unknown placeholder {Owner}"},
		{"unclosed", "https://git.example.com/{owner/{repo}.git", "unknown placeholder {owner/{repo}"},
		{"open only", "https://git.example.com/{repo}/{", `"{" without "}"`},
		{"close only", "https://git.example.com/}{repo}", `"}" without "{"`},
		{"white space", "https://git.example.com/{owner} {repo}", "white space"},
		{"empty", "", "no {repo} placeholder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := hooks.ValidateCloneTemplate(tt.template)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("err = %v, want nil", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func cloneURLsOf(t *testing.T, repo *hooks.RepoJSON) [3]string {
	t.Helper()
	b, err := json.Marshal(repo)
	if err != nil {
		t.Fatal(err)
	}
	var r github.Repository
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("go-github cannot decode the repository: %v", err)
	}
	return [3]string{r.GetCloneURL(), r.GetSSHURL(), r.GetGitURL()}
}

func TestRepoJSON_CloneURLs(t *testing.T) {
	repo := &hooks.Repository{ID: 1, Owner: hooks.Account{ID: 2, Login: "acme"}, Name: "my.widgets", DefaultBranch: "main"}
	both := hooks.CloneURLs{HTTP: "https://git.example.com/{owner}/{repo}.git", SSH: "git@git.example.com:{owner}/{repo}.git"}
	tests := []struct {
		name  string
		clone hooks.CloneURLs
		want  [3]string // clone_url, ssh_url, git_url
	}{
		{"no templates: derived from the public URL", hooks.CloneURLs{}, [3]string{
			"http://forge.example:8080/acme/my.widgets.git", "git@forge.example:acme/my.widgets.git",
			"git://forge.example/acme/my.widgets.git"}},
		{"both templates; git_url is the clone URL", both, [3]string{
			"https://git.example.com/acme/my.widgets.git", "git@git.example.com:acme/my.widgets.git",
			"https://git.example.com/acme/my.widgets.git"}},
		{"ssh template only", hooks.CloneURLs{SSH: "ssh://git@git.example.com:2222/{repo}.git"}, [3]string{
			"http://forge.example:8080/acme/my.widgets.git", "ssh://git@git.example.com:2222/my.widgets.git",
			"git://forge.example/acme/my.widgets.git"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := hooks.NewURLs("http://forge.example:8080/", "/api/v3")
			u.Clone = tt.clone
			if got := cloneURLsOf(t, hooks.NewRepoJSON(u, repo)); got != tt.want {
				t.Fatalf("REST repository: clone, ssh, git URLs = %q, want %q", got, tt.want)
			}
			if got := cloneURLsOf(t, hooks.NewPushRepoJSON(u, repo)); got != tt.want {
				t.Fatalf("push repository: clone, ssh, git URLs = %q, want %q", got, tt.want)
			}
		})
	}
}
