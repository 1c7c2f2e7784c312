// Package ghttp holds the HTTP conventions GitHub's API follows and that both
// the REST API and the PubSubHubbub hub share: JSON responses, error bodies,
// credentials and per-response headers.
package ghttp

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/forgehook/forgehook/hooks"
)

// DocsURL is the documentation_url of every error body.
const DocsURL = "https://docs.github.com/rest/repos/webhooks"

// ErrorBody is GitHub's error response body.
type ErrorBody struct {
	Message          string             `json:"message"`
	Errors           []hooks.FieldError `json:"errors,omitempty"`
	DocumentationURL string             `json:"documentation_url"`
	Status           string             `json:"status"`
}

// Status returns the HTTP status for a hooks error code.
func Status(code string) int {
	switch code {
	case hooks.EINVALID, hooks.ECONFLICT:
		return http.StatusUnprocessableEntity
	case hooks.EBADREQUEST:
		return http.StatusBadRequest
	case hooks.ENOTFOUND:
		return http.StatusNotFound
	case hooks.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case hooks.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// Error writes err as GitHub's JSON error body. Internal errors are logged,
// with the request's X-GitHub-Request-Id, and shown only as "Internal
// Server Error".
func Error(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := hooks.ErrorCode(err)
	status := Status(code)
	if status == http.StatusInternalServerError && log != nil {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "request_id", RequestID(r.Context()), "err", err)
	}
	body := ErrorBody{Message: hooks.ErrorMessage(err), DocumentationURL: DocsURL, Status: strconv.Itoa(status)}
	var e *hooks.Error
	if errors.As(err, &e) {
		body.Errors = e.Fields
		if code == hooks.ECONFLICT {
			body.Message = "Validation Failed"
			body.Errors = []hooks.FieldError{{Resource: "Hook", Code: "already_exists", Message: e.Message}}
		}
	}
	JSON(w, status, body)
}

// JSON writes v as a JSON response with status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Credentials returns the token of a request: "token T", "Bearer T", or HTTP
// Basic with the token as password. ok is false when there is none.
func Credentials(r *http.Request) (token string, ok bool) {
	h := r.Header.Get("Authorization")
	scheme, rest, _ := strings.Cut(h, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(scheme) {
	case "token", "bearer":
		return rest, rest != ""
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return "", true // present but unreadable: bad credentials
		}
		_, pass, _ := strings.Cut(string(raw), ":")
		return pass, true
	}
	return "", h != ""
}
