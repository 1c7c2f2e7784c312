package main_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-github/v60/github"
)

// TestAPI_OwnersAreOrganizationsAndUsers checks GET /orgs/{org} and GET
// /users/{user} for every owner directory, through go-github: PyGithub's
// get_organization() is its first call, before any organization hook exists.
func TestAPI_OwnersAreOrganizationsAndUsers(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "one")
	e.MustRepo("Other", "two")
	e.MustStart()
	ctx := context.Background()
	api := e.Daemon.URL + "/api/v3"
	gh := e.Client(true)

	org, _, err := gh.Organizations.Get(ctx, "acme")
	if err != nil {
		t.Fatalf("Organizations.Get(acme): %v", err)
	}
	if org.GetLogin() != "acme" || org.GetID() == 0 || org.GetType() != "Organization" ||
		org.GetURL() != api+"/orgs/acme" || org.GetHooksURL() != api+"/orgs/acme/hooks" ||
		org.GetReposURL() != api+"/orgs/acme/repos" || org.GetHTMLURL() != e.Daemon.URL+"/acme" || org.CreatedAt == nil {
		t.Errorf("Organizations.Get(acme) = %+v", org)
	}

	// Before any organization hook the owner is a User, as payloads show it.
	u, _, err := gh.Users.Get(ctx, "acme")
	if err != nil || u.GetLogin() != "acme" || u.GetID() != org.GetID() || u.GetType() != "User" ||
		u.GetURL() != api+"/users/acme" || u.CreatedAt == nil {
		t.Errorf("Users.Get(acme) = %+v, %v; want the same account as a User", u, err)
	}

	// The hooks URL of the organization is where its hooks are created.
	if _, _, err := gh.Organizations.CreateHook(ctx, "acme", &github.Hook{
		Config: &github.HookConfig{URL: github.String("http://127.0.0.1:9/org")}}); err != nil {
		t.Fatalf("CreateHook on the organization: %v", err)
	}
	if u, _, err := gh.Users.Get(ctx, "acme"); err != nil || u.GetType() != "Organization" {
		t.Errorf("Users.Get(acme) after an org hook = %+v, %v; want type Organization", u, err)
	}

	// Logins are looked up as repositories are: the case on disk wins.
	if o, _, err := gh.Organizations.Get(ctx, "other"); err != nil || o.GetLogin() != "Other" {
		t.Errorf("Organizations.Get(other) = %+v, %v; want login Other", o, err)
	}

	mustStatus := func(what string, err error, status int) {
		t.Helper()
		var er *github.ErrorResponse
		if !errors.As(err, &er) || er.Response.StatusCode != status {
			t.Errorf("%s: err = %v, want %d", what, err, status)
		}
	}
	_, _, err = gh.Organizations.Get(ctx, "nobody")
	mustStatus("Organizations.Get(nobody)", err, 404)
	_, _, err = gh.Users.Get(ctx, "nobody")
	mustStatus("Users.Get(nobody)", err, 404)

	// A scoped token sees the owners of the repositories it may administer.
	scoped := e.ClientWithToken(true, e.MustToken("bob", "acme/one"))
	if o, _, err := scoped.Organizations.Get(ctx, "acme"); err != nil || o.GetLogin() != "acme" {
		t.Errorf("scoped Organizations.Get(acme) = %+v, %v", o, err)
	}
	_, _, err = scoped.Organizations.Get(ctx, "Other")
	mustStatus("scoped Organizations.Get(Other)", err, 404)
	_, _, err = scoped.Users.Get(ctx, "Other")
	mustStatus("scoped Users.Get(Other)", err, 404)
	if me, _, err := scoped.Users.Get(ctx, "bob"); err != nil || me.GetLogin() != "bob" || me.GetType() != "User" {
		t.Errorf("scoped Users.Get(bob), its own user = %+v, %v", me, err)
	}
}
