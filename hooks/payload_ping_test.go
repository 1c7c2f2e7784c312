package hooks_test

import (
	"encoding/json"
	"testing"

	"github.com/forgehook/forgehook/hooks"
)

// TestPingPayload_LastResponseIsUnused checks that the hook object in a ping
// always has GitHub's published last_response, {"code": null, "status":
// "unused", "message": null}, even for a hook whose deliveries the REST API
// shows as answered.
func TestPingPayload_LastResponseIsUnused(t *testing.T) {
	u := hooks.NewURLs("https://git.example", "")
	repo := &hooks.Repository{ID: 1, Owner: hooks.Account{ID: 2, Login: "acme"}, Name: "w", DefaultBranch: "main"}
	for _, last := range []hooks.LastResponse{
		{},
		{Code: 200, Status: "active", Message: "OK"},
		{Code: 0, Status: "misconfigured", Message: "failed to connect to host"},
	} {
		h := &hooks.Hook{ID: 7, Owner: "acme", Repo: "w", Name: "web", Events: []string{"push"}, Active: true,
			Config: hooks.HookConfig{URL: "http://127.0.0.1:9/", ContentType: hooks.ContentJSON}, LastResponse: last}
		b, err := json.Marshal(hooks.NewPingPayload(u, h, repo, repo.Owner, hooks.Account{ID: 3, Login: "ada"}))
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Hook struct {
				LastResponse json.RawMessage `json:"last_response"`
			} `json:"hook"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		const want = `{"code":null,"status":"unused","message":null}`
		if string(got.Hook.LastResponse) != want {
			t.Errorf("hook with last response %+v: ping hook.last_response = %s, want %s", last, got.Hook.LastResponse, want)
		}
		// The REST object keeps the real outcome.
		if rest := hooks.NewHookJSON(u, h).LastResponse; last.Code == 200 && (rest.Code == nil || *rest.Code != 200) {
			t.Errorf("REST last_response = %+v, want code 200", rest)
		}
	}
}
