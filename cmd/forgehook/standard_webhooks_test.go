package main_test

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// verifyStandard checks one attempt's headers and body with the Standard
// Webhooks reference library, keyed by secret ("whsec_<base64>"), and that
// webhook-id is the delivery GUID.
func verifyStandard(t *testing.T, what, secret string, hdr http.Header, body []byte) {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(body, hdr); err != nil {
		t.Errorf("%s: the reference library refuses the signature: %v (headers %v)", what, err, hdr)
	}
	if id := hdr.Get("webhook-id"); id == "" || id != hdr.Get("X-GitHub-Delivery") {
		t.Errorf("%s: webhook-id %q, want the delivery GUID %q", what, id, hdr.Get("X-GitHub-Delivery"))
	}
	if err := wh.Verify(append([]byte("x"), body...), hdr); err == nil {
		t.Errorf("%s: a changed body verifies", what)
	}
}

// TestStandardWebhooks_VerifiedByTheReferenceLibrary: a hook with
// config.signature "standard-webhooks" signs each attempt as the Standard
// Webhooks reference library (Go) verifies, beside GitHub's signature,
// with one webhook-id across retries; a whsec_ secret is keyed by the bytes
// it encodes, any other secret by its own bytes; hooks without the option
// send no webhook-* header.
func TestStandardWebhooks_VerifiedByTheReferenceLibrary(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "std")
	e.MustStart("--retry-schedule", "1s")
	key := make([]byte, 32)
	rand.Read(key)
	secret := "whsec_" + base64.StdEncoding.EncodeToString(key)

	for _, bad := range []map[string]any{
		{"signature": "standard-webhooks"},                               // no secret
		{"signature": "standard-webhooks", "secret": "whsec_not base64"}, // not the base64 of a key
		{"signature": "ed25519", "secret": "s"},
	} {
		field := "secret"
		if bad["signature"] != "standard-webhooks" {
			field = "signature"
		}
		bad["url"] = "http://127.0.0.1:1/"
		_, err := e.hookAPI("POST", "repos/acme/std/hooks", map[string]any{"config": bad})
		wantValidationFailed(t, "create with config "+strconv.Quote(bad["signature"].(string)), err, field)
	}

	std := hookstest.NewReceiver(t, secret) // checks GitHub's signature, keyed by the whole secret
	var seen attempts
	std.Respond = seen.respond("push")
	h := e.MustHookAPI("POST", "repos/acme/std/hooks", map[string]any{
		"config": map[string]any{"url": std.URL, "content_type": "json", "secret": secret, "signature": "standard-webhooks"}})
	if h.Config.Signature != "standard-webhooks" {
		t.Fatalf("config.signature = %q", h.Config.Signature)
	}
	plain := hookstest.NewReceiver(t, "plain secret")
	e.MustHookAPI("POST", "repos/acme/std/hooks", map[string]any{
		"config": map[string]any{"url": plain.URL, "content_type": "form", "secret": "plain secret", "signature": "standard-webhooks"}})
	ghOnly := hookstest.NewReceiver(t, "gh")
	e.MustCreateHook("acme", "std", ghOnly.URL, "json", "gh")

	c := e.WS.MustClone(bare, "work")
	c.Commit("one", map[string]string{"f": "1"})
	c.Push("origin", "main")

	for _, r := range std.WaitFor(t, "", 2, wait) { // the ping and the push
		if r.Err != nil {
			t.Fatalf("%s: GitHub's signature: %v", r.Event, r.Err)
		}
		tries := seen.of(r.GUID)
		for i, hdr := range tries {
			verifyStandard(t, r.Event+" attempt "+strconv.Itoa(i+1), secret, hdr, r.Body)
		}
		if r.Event == "push" {
			if len(tries) != 2 {
				t.Fatalf("push attempts = %d, want 2 (a 500, then a retry)", len(tries))
			}
			t1, _ := strconv.ParseInt(tries[0].Get("webhook-timestamp"), 10, 64)
			t2, _ := strconv.ParseInt(tries[1].Get("webhook-timestamp"), 10, 64)
			if t2 <= t1 || tries[0].Get("webhook-signature") == tries[1].Get("webhook-signature") {
				t.Errorf("retry: webhook-timestamp %d then %d, signatures %q and %q: want a later timestamp and a new signature",
					t1, t2, tries[0].Get("webhook-signature"), tries[1].Get("webhook-signature"))
			}
		}
	}
	plainKey := "whsec_" + base64.StdEncoding.EncodeToString([]byte("plain secret"))
	for _, r := range plain.WaitFor(t, "", 2, wait) {
		if r.Err != nil {
			t.Fatalf("%s: GitHub's signature: %v", r.Event, r.Err)
		}
		verifyStandard(t, "form "+r.Event, plainKey, r.Header, r.Body) // the form body, as sent
	}
	for _, r := range ghOnly.WaitFor(t, "", 2, wait) {
		if r.Err != nil || r.Header.Get("webhook-signature") != "" || r.Header.Get("webhook-id") != "" {
			t.Errorf("a hook with GitHub's signature only: err %v, webhook-signature %q", r.Err, r.Header.Get("webhook-signature"))
		}
	}
}
