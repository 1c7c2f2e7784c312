package main_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// applyStep is a step of forgehook apply --json.
type applyStep struct {
	Action  string   `json:"action"`
	Repo    string   `json:"repo"`
	Org     string   `json:"org"`
	HookID  int64    `json:"hook_id"`
	URL     string   `json:"url"`
	Changes []string `json:"changes"`
}

// applyPlanJSON is the output of forgehook apply --json.
type applyPlanJSON struct {
	DryRun  bool        `json:"dry_run"`
	Applied bool        `json:"applied"`
	Steps   []applyStep `json:"steps"`
}

// mustWriteFile writes text to name in dir and returns its path.
func mustWriteFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// actions returns the steps of plan as "action scope url" lines.
func (p applyPlanJSON) actions() []string {
	var out []string
	for _, s := range p.Steps {
		out = append(out, s.Action+" "+s.Repo+s.Org+" "+s.URL+" "+strings.Join(s.Changes, ","))
	}
	return out
}

// TestApply drives forgehook apply through a file's life: a dry run, the
// first apply, a second one with nothing to do, an edit, and an invalid
// file, checking the hooks through go-github after each.
func TestApply(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "widgets")
	e.MustRepo("acme", "other")
	e.MustStart()
	recv, plain := hookstest.NewReceiver(t, "s3cret"), hookstest.NewReceiver(t, "")
	gh := e.Client(false)
	untouched := e.MustCreateHook("acme", "other", plain.URL+"/other", "json", "")
	stray := e.MustCreateHook("acme", "widgets", plain.URL+"/stray", "json", "")

	dir := t.TempDir()
	mustWriteFile(t, dir, "ci.secret", "s3cret\n")
	ci, deploy, chat := recv.URL+"/ci", plain.URL+"/deploy", recv.URL+"/chat"
	file := `# the hooks of acme
[[repo]]
name = "acme/widgets"

  [[repo.hook]]
  url = "` + ci + `"
  content_type = "json"
  events = ["push", "create"]
  secret_file = "ci.secret"

  [[repo.hook]]
  url = "` + deploy + `"
  branch_filter = "main"
  headers = { Authorization = "Bearer t0ken" }

[[org]]
name = "acme"

  [[org.hook]]
  url = "` + chat + `"
  events = ["push"]
  secret = "s3cret"
`
	path := mustWriteFile(t, dir, "hooks.toml", file)
	repoHooks := func() map[string]*github.Hook {
		t.Helper()
		list, _, err := gh.Repositories.ListHooks(bg(), "acme", "widgets", nil)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]*github.Hook{}
		for _, h := range list {
			out[h.Config.GetURL()] = h
		}
		return out
	}

	t.Run("DryRunPrintsThePlanAndChangesNothing", func(t *testing.T) {
		out := e.MustAdmin("apply", "--dry-run", path)
		mustFit(t, out)
		for _, want := range []string{"ACTION", "create", "delete", "acme/widgets", "acme (org)", "Dry run"} {
			if !strings.Contains(out, want) {
				t.Errorf("plan lacks %q:\n%s", want, out)
			}
		}
		var plan applyPlanJSON
		e.MustAdminJSON(&plan, "apply", "--dry-run", path)
		want := []string{"delete acme/widgets " + stray.Config.GetURL() + " ", "create acme/widgets " + ci + " ",
			"create acme/widgets " + deploy + " ", "create acme " + chat + " "}
		if !plan.DryRun || plan.Applied || !slices.Equal(plan.actions(), want) || plan.Steps[0].HookID != stray.GetID() {
			t.Fatalf("dry-run plan %+v\nwant %q", plan, want)
		}
		if got := repoHooks(); len(got) != 1 || got[stray.Config.GetURL()] == nil {
			t.Fatalf("after a dry run the repo has hooks %v, want only the stray one", got)
		}
	})

	t.Run("ApplyCreatesTheHooks", func(t *testing.T) {
		out := e.MustAdmin("apply", path)
		mustFit(t, out)
		if strings.Contains(out, "s3cret") || strings.Contains(out, "t0ken") || !strings.Contains(out, "3 created, 0 updated, 1 deleted") {
			t.Fatalf("apply:\n%s", out)
		}
		got := repoHooks()
		c, d := got[ci], got[deploy]
		if len(got) != 2 || c == nil || d == nil {
			t.Fatalf("repo hooks %v, want %s and %s", got, ci, deploy)
		}
		if !slices.Equal(c.Events, []string{"push", "create"}) || c.Config.GetContentType() != "json" ||
			c.Config.GetSecret() != hooksSecretMask || !c.GetActive() {
			t.Fatalf("ci hook %+v, config %+v", c, c.Config)
		}
		if !slices.Equal(d.Events, []string{"push"}) || d.Config.GetContentType() != "form" || d.Config.Secret != nil {
			t.Fatalf("deploy hook %+v, config %+v", d, d.Config)
		}
		obj, err := e.hookAPI("GET", "repos/acme/widgets/hooks/"+strconv.FormatInt(d.GetID(), 10), nil)
		if err != nil || obj.Config.BranchFilter != "main" || obj.Config.Headers["Authorization"] != hooksSecretMask {
			t.Errorf("deploy hook config %+v (err %v), want branch_filter main and a masked Authorization", obj.Config, err)
		}
		org, _, err := gh.Organizations.ListHooks(bg(), "acme", nil)
		if err != nil || len(org) != 1 || org[0].Config.GetURL() != chat || org[0].Config.GetSecret() != hooksSecretMask {
			t.Fatalf("org hooks %v (err %v), want %s with a secret", org, err, chat)
		}
		// The secrets and headers are the file's: the new hooks' pings
		// verify with the secret, and the deploy hook's carries its header.
		for _, p := range recv.WaitFor(t, "ping", 2, wait) {
			if p.Err != nil {
				t.Errorf("ping to %s: %v", p.URI, p.Err)
			}
		}
		var auth string
		for _, p := range plain.WaitFor(t, "ping", 3, wait) {
			if p.URI == "/deploy" {
				auth = p.Header.Get("Authorization")
			}
		}
		if auth != "Bearer t0ken" {
			t.Errorf("the deploy hook's ping had Authorization %q, want the file's", auth)
		}
		if other, _, err := gh.Repositories.GetHook(bg(), "acme", "other", untouched.GetID()); err != nil || other.Config.GetURL() != untouched.Config.GetURL() {
			t.Fatalf("hook of acme/other: %v, %v; want it untouched", other, err)
		}
	})

	t.Run("SecondApplySaysNoChanges", func(t *testing.T) {
		before := repoHooks()
		out := e.MustAdmin("apply", path)
		if !strings.Contains(out, "No changes") || strings.Contains(out, "create") || strings.Contains(out, "update") {
			t.Fatalf("second apply:\n%s", out)
		}
		after := repoHooks()
		for url, h := range before {
			if a := after[url]; a == nil || a.GetID() != h.GetID() || !a.GetUpdatedAt().Equal(h.GetUpdatedAt()) {
				t.Fatalf("hook %s was %+v, is %+v", url, h, a)
			}
		}
	})

	t.Run("EditUpdatesAndDeletesExactlyThose", func(t *testing.T) {
		before := repoHooks()
		edited := strings.Replace(file, `events = ["push", "create"]`, `events = ["push", "delete"]`, 1)
		i, j := strings.Index(edited, "  [[repo.hook]]\n  url = \""+deploy), strings.Index(edited, "[[org]]")
		edited = edited[:i] + edited[j:]
		mustWriteFile(t, dir, "hooks.toml", edited)
		var plan applyPlanJSON
		e.MustAdminJSON(&plan, "apply", path)
		want := []string{"delete acme/widgets " + deploy + " ", "update acme/widgets " + ci + " events", "keep acme " + chat + " "}
		if !plan.Applied || !slices.Equal(plan.actions(), want) {
			t.Fatalf("plan %q, applied %v; want %q", plan.actions(), plan.Applied, want)
		}
		got := repoHooks()
		c := got[ci]
		if len(got) != 1 || c == nil || c.GetID() != before[ci].GetID() || !slices.Equal(c.Events, []string{"push", "delete"}) ||
			c.Config.GetContentType() != "json" || c.Config.GetSecret() != hooksSecretMask {
			t.Fatalf("repo hooks after the edit %v (ci %+v)", got, c)
		}
		if out := e.MustAdmin("apply", path); !strings.Contains(out, "No changes") {
			t.Fatalf("apply after the edit, again:\n%s", out)
		}
	})

	t.Run("InvalidHookFailsWithTheAPIMessageAndChangesNothing", func(t *testing.T) {
		const bad = "ftp://127.0.0.1/x"
		_, _, err := gh.Repositories.CreateHook(bg(), "acme", "widgets", &github.Hook{Config: &github.HookConfig{URL: github.String(bad)}})
		var er *github.ErrorResponse
		if !errors.As(err, &er) || er.Response.StatusCode != http.StatusUnprocessableEntity || len(er.Errors) == 0 {
			t.Fatalf("API CreateHook: %v, want 422 with errors", err)
		}
		before := repoHooks()
		invalid := `[[repo]]
name = "acme/widgets"
  [[repo.hook]]
  url = "` + recv.URL + `/new"
  [[repo.hook]]
  url = "` + bad + `"
[[repo]]
name = "acme/nope"
`
		out, stderr, code := e.Admin("", "apply", mustWriteFile(t, dir, "invalid.toml", invalid))
		if code != 1 || !strings.Contains(stderr, er.Errors[0].Message) || !strings.Contains(stderr, "acme/nope") ||
			!strings.Contains(stderr, "nothing was changed") || out != "" {
			t.Fatalf("exit %d, stdout %q, stderr %q; want 1 naming acme/nope and %q", code, out, stderr, er.Errors[0].Message)
		}
		after := repoHooks()
		if len(after) != len(before) || after[recv.URL+"/new"] != nil || after[ci].GetID() != before[ci].GetID() {
			t.Fatalf("hooks after an invalid file %v, want %v", after, before)
		}
	})

	t.Run("UsageErrors", func(t *testing.T) {
		for _, args := range [][]string{{"apply"}, {"apply", "a.toml", "b.toml"}, {"apply", "--dry-runn", path}} {
			if _, stderr, code := e.Admin("", args...); code != 2 || !strings.HasPrefix(stderr, "forgehook: ") {
				t.Errorf("forgehook %v: exit %d, stderr %q; want 2", args, code, stderr)
			}
		}
		typo := mustWriteFile(t, dir, "typo.toml", "[[repo]]\nname = \"acme/widgets\"\n  [[repo.hook]]\n  urll = \"x\"\n")
		if _, stderr, code := e.Admin("", "apply", typo); code != 1 || !strings.Contains(stderr, `unknown key "repo.hook.urll"`) {
			t.Errorf("typo: exit %d, stderr %q; want 1 naming the key", code, stderr)
		}
	})
}

// hooksSecretMask is how the API shows a secret.
const hooksSecretMask = "********"
