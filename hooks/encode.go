package hooks

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"net/url"
)

// EncodeBody turns a JSON payload into the request body for content type ct:
// the JSON itself, or the form body payload=<url-encoded JSON>.
func EncodeBody(ct ContentType, payload []byte) []byte {
	if ct == ContentJSON {
		return payload
	}
	return []byte(url.Values{"payload": {string(payload)}}.Encode())
}

// Sign returns the X-Hub-Signature (sha1) and X-Hub-Signature-256 headers for
// body, or nil when there is no secret. Sign exactly the bytes that are sent.
func Sign(secret string, body []byte) http.Header {
	if secret == "" {
		return nil
	}
	return http.Header{
		"X-Hub-Signature":     {"sha1=" + mac(sha1.New, secret, body)},
		"X-Hub-Signature-256": {"sha256=" + mac(sha256.New, secret, body)},
	}
}

func mac(h func() hash.Hash, secret string, body []byte) string {
	m := hmac.New(h, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}
