package main_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
)

// TestAPI_RootAnswersAsGitHubEnterprise checks GET / and GET /api/v3/ (what
// gh auth status asks with the token): a 200 with GitHub's root links under
// the request's prefix and --public-url, and authentication like the rest.
func TestAPI_RootAnswersAsGitHubEnterprise(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "root")
	e.MustStart("--public-url", "http://git.example.test:8080/")
	ctx := context.Background()
	public := "http://git.example.test:8080"

	for _, tt := range []struct {
		name       string
		enterprise bool
		api        string // where the links point
	}{{"root", false, public}, {"api/v3", true, public + "/api/v3"}} {
		t.Run(tt.name, func(t *testing.T) {
			c := e.Client(tt.enterprise)
			req, err := c.NewRequest("GET", "", nil)
			if err != nil {
				t.Fatal(err)
			}
			var links map[string]string
			resp, err := c.Do(ctx, req, &links)
			if err != nil {
				t.Fatalf("GET %s: %v", req.URL, err)
			}
			for key, want := range map[string]string{
				"current_user_url": tt.api + "/user",
				"hub_url":          tt.api + "/hub",
				"repository_url":   tt.api + "/repos/{owner}/{repo}",
				"organization_url": tt.api + "/orgs/{org}",
				"user_url":         tt.api + "/users/{user}",
			} {
				if links[key] != want {
					t.Errorf("%s = %q, want %q", key, links[key], want)
				}
			}
			_, scoped := resp.Header["X-Oauth-Scopes"]
			if !scoped {
				t.Errorf("no X-OAuth-Scopes header: gh auth status reads it")
			}
			got := resp.Header.Get("X-GitHub-Enterprise-Version")
			if tt.enterprise && !strings.HasPrefix(got, "3.") {
				t.Errorf("X-GitHub-Enterprise-Version = %q under /api/v3, want 3.x.y", got)
			}
			if !tt.enterprise && got != "" {
				t.Errorf("X-GitHub-Enterprise-Version = %q at /, want none (api.github.com style)", got)
			}
		})
	}

	// Without a token, or with a bad one, the root is 401 like every route.
	for _, auth := range []string{"", "token nope"} {
		for _, path := range []string{"/", "/api/v3/", "/api/v3"} {
			req, _ := http.NewRequest("GET", e.Daemon.URL+path, nil)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 401 {
				t.Errorf("GET %s with %q: status %d, want 401", path, auth, resp.StatusCode)
			}
		}
	}

	// GET /user is the token's user.
	scoped := e.MustToken("bob", "acme/root")
	for token, login := range map[string]string{e.Token: "ada", scoped: "bob"} {
		u, _, err := e.ClientWithToken(true, token).Users.Get(ctx, "")
		if err != nil || u.GetLogin() != login || u.GetType() != "User" || u.GetID() == 0 ||
			u.GetURL() != public+"/api/v3/users/"+login {
			t.Errorf("Users.Get(\"\") = %+v, %v; want user %s", u, err, login)
		}
	}
	anon, err := github.NewClient(nil).WithEnterpriseURLs(e.Daemon.URL+"/", e.Daemon.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	var er *github.ErrorResponse
	if _, _, err := anon.Users.Get(ctx, ""); !errors.As(err, &er) || er.Response.StatusCode != 401 {
		t.Errorf("Users.Get without a token: %v, want 401", err)
	}
}

// TestAPI_EveryResponseCarriesGitHubHeaders checks X-GitHub-Request-Id (a
// new one per request) and X-GitHub-Media-Type on answers of every kind:
// success, errors, unknown routes, the hub.
func TestAPI_EveryResponseCarriesGitHubHeaders(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "hdrs")
	e.MustStart()
	seen := map[string]string{}
	for _, tt := range []struct {
		method, path string
		auth         bool
		status       int
	}{
		{"GET", "/repos/acme/hdrs/hooks", true, 200},
		{"GET", "/api/v3/repos/acme/hdrs/hooks", true, 200},
		{"GET", "/repos/acme/hdrs/hooks", true, 200},
		{"GET", "/repos/acme/hdrs/hooks", false, 401},
		{"GET", "/repos/acme/nope/hooks", true, 404},
		{"GET", "/no/such/route", true, 404},
		{"PUT", "/repos/acme/hdrs/hooks", true, 405},
		{"POST", "/hub", true, 422},
		{"GET", "/", true, 200},
	} {
		req, _ := http.NewRequest(tt.method, e.Daemon.URL+tt.path, nil)
		if tt.auth {
			req.Header.Set("Authorization", "token "+e.Token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		what := tt.method + " " + tt.path
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", what, resp.StatusCode, tt.status)
		}
		if mt := resp.Header.Get("X-GitHub-Media-Type"); mt != "github.v3; format=json" {
			t.Errorf("%s: X-GitHub-Media-Type = %q, want %q", what, mt, "github.v3; format=json")
		}
		id := resp.Header.Get("X-GitHub-Request-Id")
		if id == "" {
			t.Errorf("%s: no X-GitHub-Request-Id", what)
			continue
		}
		if prev, dup := seen[id]; dup {
			t.Errorf("%s: X-GitHub-Request-Id %q was already given to %s", what, id, prev)
		}
		seen[id] = what
	}
}
