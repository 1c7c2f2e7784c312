package hooks

import (
	"errors"
	"fmt"
)

// Error codes shared by every layer. The HTTP layer maps each to one status.
const (
	EINVALID      = "invalid"      // 422: the request is well-formed but breaks a rule
	EBADREQUEST   = "bad_request"  // 400: the request cannot be parsed
	ENOTFOUND     = "not_found"    // 404: the resource is unknown or hidden from the caller
	ECONFLICT     = "conflict"     // 422 with already_exists: a unique rule was broken
	EUNAUTHORIZED = "unauthorized" // 401: no or bad credentials
	ETOOLARGE     = "too_large"    // 413: the request body is over the limit
	EINTERNAL     = "internal"     // 500: a bug or an infrastructure failure
	EUNSUPPORTED  = "unsupported"  // 500: a repository forgehook cannot read, such as SHA-256; never retried
)

// Error is a failure the caller is meant to see: a code, a human message and,
// for validation failures, the fields at fault.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
}

// FieldError names one invalid field, in GitHub's validation-error shape.
type FieldError struct {
	Resource string `json:"resource"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
}

// Error implements the error interface.
func (e *Error) Error() string {
	if len(e.Fields) > 0 && e.Fields[0].Message != "" {
		return fmt.Sprintf("%s: %s", e.Message, e.Fields[0].Message)
	}
	return e.Message
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a 422-style validation error about one field of resource.
// code is one of GitHub's codes: missing_field, invalid, already_exists, custom.
func Invalid(resource, field, code, message string) *Error {
	return &Error{Code: EINVALID, Message: "Validation Failed",
		Fields: []FieldError{{Resource: resource, Field: field, Code: code, Message: message}}}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a
// generic text so that no detail leaks.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal Server Error"
}
