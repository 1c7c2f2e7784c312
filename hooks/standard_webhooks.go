package hooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The signature schemes of config.signature. GitHub's X-Hub-Signature
// headers are always sent; SignatureStandardWebhooks adds those of
// https://www.standardwebhooks.com/ beside them.
const (
	SignatureGitHub           = "" // the default: GitHub's headers only
	SignatureStandardWebhooks = "standard-webhooks"
)

// standardSecretPrefix starts a secret in Standard Webhooks' own format,
// "whsec_<base64 of the key>".
const standardSecretPrefix = "whsec_"

// StandardWebhooksKey returns the HMAC key of a hook's Standard Webhooks
// signatures. A secret in the Standard Webhooks format, "whsec_<base64>",
// stands for the bytes it encodes, so a receiver gives the reference
// libraries the very secret the hook has. Any other secret is the key
// itself, as GitHub uses it: its receiver gives the libraries
// "whsec_" + base64(secret). GitHub's X-Hub-Signature headers are keyed
// with the secret as it is, whsec_ prefix and all, either way.
func StandardWebhooksKey(secret string) []byte {
	if b64, ok := strings.CutPrefix(secret, standardSecretPrefix); ok {
		if key, err := base64.StdEncoding.DecodeString(b64); err == nil && len(key) > 0 {
			return key
		}
	}
	return []byte(secret)
}

// SignStandardWebhooks returns the webhook-id, webhook-timestamp and
// webhook-signature headers of a delivery of body with id (the delivery
// GUID, the same on every attempt) made at: "v1," and the base64
// HMAC-SHA256 of "id.timestamp.body" under StandardWebhooksKey(secret).
// Sign exactly the bytes that are sent.
func SignStandardWebhooks(secret, id string, at time.Time, body []byte) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	m := hmac.New(sha256.New, StandardWebhooksKey(secret))
	m.Write([]byte(id + "." + ts + "."))
	m.Write(body)
	hdr := http.Header{}
	hdr.Set("webhook-id", id)
	hdr.Set("webhook-timestamp", ts)
	hdr.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	return hdr
}

// validateSignature checks config.signature against the secret, and turns
// "github" into the default "".
func (c *HookConfig) validateSignature() error {
	switch c.Signature {
	case SignatureGitHub, "github":
		c.Signature = SignatureGitHub
		return nil
	case SignatureStandardWebhooks:
	default:
		return Invalid("Hook", "signature", "invalid", `Config signature must be "github" or "standard-webhooks"`)
	}
	if c.Secret == "" {
		return Invalid("Hook", "secret", "missing_field", "Standard Webhooks signatures need a secret")
	}
	if b64, ok := strings.CutPrefix(c.Secret, standardSecretPrefix); ok {
		if key, err := base64.StdEncoding.DecodeString(b64); err != nil || len(key) == 0 {
			return Invalid("Hook", "secret", "invalid", `A secret starting "whsec_" must go on with the base64 of the signing key`)
		}
	}
	return nil
}
