package hooks_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks"
)

func samplePush(msg, name, email, ref string) hooks.PushInput {
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 3600))
	c := hooks.Commit{ID: strings.Repeat("b", 40), TreeID: strings.Repeat("c", 40), Message: msg, Timestamp: when,
		Author: hooks.Signature{Name: name, Email: email}, Committer: hooks.Signature{Name: name, Email: email},
		Added: []string{"a"}, Distinct: true}
	return hooks.PushInput{
		Repo:   &hooks.Repository{ID: 1, Owner: hooks.Account{ID: 2, Login: "acme", Org: true}, Name: "w", DefaultBranch: "main", CreatedAt: when, PushedAt: when},
		Update: hooks.RefUpdate{Before: strings.Repeat("a", 40), After: c.ID, Ref: ref},
		Change: &hooks.RefChange{Commits: []hooks.Commit{c}, Head: &c},
		Pusher: hooks.Account{ID: 3, Login: "ada"},
	}
}

// TestPushPayload_DecodesWithGoGithub checks the legacy push flavour that
// receivers depend on: integer timestamps, organization as a login, nulls.
func TestPushPayload_DecodesWithGoGithub(t *testing.T) {
	b, err := json.Marshal(hooks.NewPushPayload(hooks.NewURLs("https://git.example", ""), samplePush("fix\n", "Ada", "", "refs/heads/main")))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	_ = json.Unmarshal(b, &raw)
	repo := raw["repository"].(map[string]any)
	if _, isNum := repo["created_at"].(float64); !isNum || repo["organization"] != "acme" || raw["base_ref"] != nil {
		t.Fatalf("repository.created_at=%v organization=%v base_ref=%v", repo["created_at"], repo["organization"], raw["base_ref"])
	}
	if _, ok := raw["head_commit"].(map[string]any)["author"].(map[string]any)["email"]; !ok {
		t.Fatal("author.email is missing; GitHub sends null")
	}
	v, err := github.ParseWebHook("push", b)
	if err != nil {
		t.Fatalf("ParseWebHook: %v", err)
	}
	ev := v.(*github.PushEvent)
	if ev.GetCompare() != "https://git.example/acme/w/compare/aaaaaaaaaaaa...bbbbbbbbbbbb" || ev.GetOrganization().GetLogin() != "acme" || ev.Commits[0].GetMessage() != "fix" {
		t.Fatalf("compare=%s org=%s message=%q", ev.GetCompare(), ev.GetOrganization().GetLogin(), ev.Commits[0].GetMessage())
	}
}

func FuzzPushPayload(f *testing.F) {
	f.Add("message\n\nbody", "Ada Lovelace", "ada@example.com", "refs/heads/main")
	f.Add("\x00\xff\u2028", "\"<>&", "", "refs/tags/\u00e9")
	f.Fuzz(func(t *testing.T, msg, name, email, ref string) {
		in := samplePush(msg, name, email, ref)
		b, err := json.Marshal(hooks.NewPushPayload(hooks.NewURLs("http://h", "/api/v3"), in))
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		v, err := github.ParseWebHook("push", b)
		if err != nil {
			t.Fatalf("go-github cannot parse the payload: %v\n%s", err, b)
		}
		var want string // JSON carries invalid UTF-8 as U+FFFD, byte by byte
		quoted, _ := json.Marshal(ref)
		_ = json.Unmarshal(quoted, &want)
		if got := v.(*github.PushEvent).GetRef(); got != want {
			t.Fatalf("ref = %q, want %q", got, want)
		}
	})
}
