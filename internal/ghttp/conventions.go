package ghttp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// MediaType is the X-GitHub-Media-Type of every response: GitHub's v3 API
// in JSON, whatever the request's Accept asked for.
const MediaType = "github.v3; format=json"

// EnterpriseVersion is the X-GitHub-Enterprise-Version sent on responses
// under the GitHub Enterprise prefix /api/v3, bare as GHES sends it: a
// release of early 2024, when go-github v60 (the client forgehook is tested
// with) came out, serving REST API version 2022-11-28. Clients that read it
// (Sourcegraph, CodeQL's action) parse it as a semantic version.
const EnterpriseVersion = "3.12.0"

type requestIDKey struct{}

// Conventions sets GitHub's per-response headers before next runs: a new
// X-GitHub-Request-Id, also put in the request's context for log lines
// (see RequestID), and X-GitHub-Media-Type.
func Conventions(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := newRequestID()
		w.Header().Set("X-GitHub-Request-Id", id)
		w.Header().Set("X-GitHub-Media-Type", MediaType)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// RequestID returns the X-GitHub-Request-Id of the request ctx belongs to,
// or "" outside Conventions.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// newRequestID returns a random id shaped like GitHub's, five groups of
// upper-case hex: 4CA1:2B3C:5D6E7F:8A9B0C:6650F1A2 (112 random bits).
func newRequestID() string {
	var b [14]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	x := make([]byte, hex.EncodedLen(len(b)))
	hex.Encode(x, b[:])
	for i := range x {
		if x[i] >= 'a' {
			x[i] -= 'a' - 'A'
		}
	}
	return string(x[0:4]) + ":" + string(x[4:8]) + ":" + string(x[8:14]) + ":" + string(x[14:20]) + ":" + string(x[20:28])
}
