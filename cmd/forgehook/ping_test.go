package main_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// TestPing_LastResponseIsUnusedInThePayload checks a ping sent to a hook
// that has already been answered: the REST API shows the answer, and the
// ping's hook.last_response is still GitHub's {"code": null, "status":
// "unused", "message": null}.
func TestPing_LastResponseIsUnusedInThePayload(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "ping")
	e.MustStart()
	recv := hookstest.NewReceiver(t, "")
	ctx := context.Background()
	gh := e.Client(false).Repositories
	h := e.MustCreateHook("acme", "ping", recv.URL, "json", "", "push")
	recv.WaitFor(t, "ping", 1, 20*time.Second)

	deadline := time.Now().Add(20 * time.Second)
	for {
		got, _, err := gh.GetHook(ctx, "acme", "ping", h.GetID())
		if err != nil {
			t.Fatal(err)
		}
		if got.LastResponse["code"] == float64(200) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("last_response = %v, want code 200 once the ping was answered", got.LastResponse)
		}
		waitBrief()
	}

	if _, err := gh.PingHook(ctx, "acme", "ping", h.GetID()); err != nil {
		t.Fatal(err)
	}
	pings := recv.WaitFor(t, "ping", 2, 20*time.Second)
	var p struct {
		Hook struct {
			LastResponse json.RawMessage `json:"last_response"`
		} `json:"hook"`
	}
	if err := json.Unmarshal(pings[1].Payload, &p); err != nil {
		t.Fatal(err)
	}
	if got, want := string(p.Hook.LastResponse), `{"code":null,"status":"unused","message":null}`; got != want {
		t.Errorf("second ping: hook.last_response = %s, want %s", got, want)
	}
}
