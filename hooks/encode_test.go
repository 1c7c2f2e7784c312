package hooks_test

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks"
)

// The test vectors of the protocol reference, §2.4.
func TestSign_Vectors(t *testing.T) {
	const secret = "It's a Secret to Everybody"
	tests := []struct{ body, sha1, sha256 string }{
		{"Hello, World!", "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59",
			"sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"},
		{`payload=%7B%22zen%22%3A%22Keep+it+logically+awesome.%22%2C%22hook_id%22%3A1%7D`,
			"sha1=a69de3c0e8bf73ea14f2f387578c7416338528ff",
			"sha256=fddacfb7d7106fd32f5d94dc8846df6694e2ed5e2aed3806b11ab82cccff8d01"},
	}
	for _, tt := range tests {
		h := hooks.Sign(secret, []byte(tt.body))
		if got := h.Get("X-Hub-Signature"); got != tt.sha1 {
			t.Errorf("sha1 of %q = %s, want %s", tt.body, got, tt.sha1)
		}
		if got := h.Get("X-Hub-Signature-256"); got != tt.sha256 {
			t.Errorf("sha256 of %q = %s, want %s", tt.body, got, tt.sha256)
		}
	}
	if h := hooks.Sign("", []byte("x")); h != nil {
		t.Errorf("Sign without a secret = %v, want no headers", h)
	}
}

func TestEncodeBody_ValidatesWithGoGithub(t *testing.T) {
	payload := []byte(`{"zen":"Keep it logically awesome.","hook_id":1}`)
	for _, ct := range []hooks.ContentType{hooks.ContentJSON, hooks.ContentForm} {
		t.Run(ct.String(), func(t *testing.T) {
			body := hooks.EncodeBody(ct, payload)
			if ct == hooks.ContentForm {
				if want := "payload=" + url.QueryEscape(string(payload)); string(body) != want {
					t.Fatalf("form body = %s, want %s", body, want)
				}
			}
			req, _ := http.NewRequest("POST", "/", bytes.NewReader(body))
			req.Header = hooks.Sign("k", body)
			req.Header.Set("Content-Type", ct.MIME())
			got, err := github.ValidatePayload(req, []byte("k"))
			if err != nil || !bytes.Equal(got, payload) {
				t.Fatalf("ValidatePayload = %s, %v; want the JSON payload", got, err)
			}
			req, _ = http.NewRequest("POST", "/", bytes.NewReader(body))
			req.Header = hooks.Sign("k", body)
			req.Header.Set("Content-Type", ct.MIME())
			if _, err := github.ValidatePayload(req, []byte("not k")); err == nil {
				t.Fatal("ValidatePayload with a wrong secret passed")
			}
		})
	}
}
