package restapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors for errors.Is. An *APIError matches the one for its status
// code; an *UnknownOutcomeError matches ErrUnknownOutcome.
var (
	ErrBadRequest       = errors.New("bad request (400)")
	ErrUnauthorized     = errors.New("unauthorized (401)")
	ErrNotFound         = errors.New("not found (404)")
	ErrMethodNotAllowed = errors.New("method not allowed (405)")
	ErrRateLimited      = errors.New("rate limited (429)")
	ErrServer           = errors.New("server error (5xx)")
	ErrUnknownOutcome   = errors.New("outcome unknown")
	// ErrPagingStalled means a list walk saw two pages in a row with nothing
	// new on them: the server seems to ignore the Page parameter.
	ErrPagingStalled = errors.New("paging made no progress")
)

// APIError is an answer other than 2xx. MiniCRM sends these as plain text
// in the system's language, "<Entity> (<METHOD>): <message>" (PurgePerson
// sends JSON {"Message": …}); Message holds that text.
type APIError struct {
	StatusCode int
	Method     string
	// Endpoint is the request path, e.g. "/Api/R3/Contact/7506": no host,
	// no query string, never any credentials.
	Endpoint string
	// Message is the server's text (at most 1000 characters).
	Message string
	// RetryAfter is the server's Retry-After, when it sent one (MiniCRM
	// does not document one); nil otherwise.
	RetryAfter *time.Duration

	// For the 401 hint: the SystemId used (not a secret) and the length of
	// the key given (never any of its characters).
	systemID string
	keyLen   int
}

func (e *APIError) Error() string {
	if e.StatusCode == http.StatusUnauthorized {
		return e.unauthorizedText()
	}
	msg := e.Message
	if msg == "" {
		msg = "(no message)"
	}
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Endpoint, e.StatusCode, http.StatusText(e.StatusCode), msg)
}

// unauthorizedText helps tell a wrong SystemId from a wrong key: MiniCRM's
// own 401 does not say which (the sandbox does, and its text is kept).
func (e *APIError) unauthorizedText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: 401 Unauthorized: MiniCRM refused SystemId %s with the given API key", e.Method, e.Endpoint, e.systemID)
	if e.Message != "" {
		fmt.Fprintf(&b, " (server: %q)", e.Message)
	}
	b.WriteString(". Check that the SystemId is the number after r3.minicrm.hu/ in your MiniCRM address (at most 5 digits)" +
		" and that the key is the current one (Settings > System; generating a new key deletes the old one)")
	fmt.Fprintf(&b, "; the key given is %d characters long, MiniCRM keys are %d", e.keyLen, apiKeyLength)
	b.WriteString(". A plan without REST API access is also refused this way.")
	return b.String()
}

// Is reports whether target is the sentinel for e's status code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrMethodNotAllowed:
		return e.StatusCode == http.StatusMethodNotAllowed
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServer:
		return e.StatusCode >= 500
	}
	return false
}

// UnknownOutcomeError is returned by a call that is not safe to repeat (a
// create: PUT without an Id, POST of an Order, Invoice or Offer; a to-do
// close; a purge; a document status change) when the request was sent but
// no usable answer came back: a 5xx, a dropped connection, a timeout, a
// cancelled context. The write may or may not have happened. Look the
// record up (by email, external id, ReferenceId…) before sending it again;
// the client never resends such a request itself.
type UnknownOutcomeError struct {
	Method   string
	Endpoint string
	// Err is what happened: an *APIError with a 5xx status, a network
	// error, or the context's error.
	Err error
}

func (e *UnknownOutcomeError) Error() string {
	return fmt.Sprintf("%s %s: outcome unknown, the request was sent but no usable answer came back (%v); "+
		"it may or may not have been carried out: look the record up before sending it again", e.Method, e.Endpoint, e.Err)
}

// Unwrap returns the cause.
func (e *UnknownOutcomeError) Unwrap() error { return e.Err }

// Is matches ErrUnknownOutcome.
func (e *UnknownOutcomeError) Is(target error) bool { return target == ErrUnknownOutcome }

// NetworkError is a request that got no HTTP answer (connection refused or
// reset, timeout, malformed answer) after the client's retries.
type NetworkError struct {
	Method   string
	Endpoint string
	Err      error
}

func (e *NetworkError) Error() string {
	return fmt.Sprintf("%s %s: no answer: %v", e.Method, e.Endpoint, e.Err)
}

// Unwrap returns the cause.
func (e *NetworkError) Unwrap() error { return e.Err }

// RetriesExhaustedError wraps the last error of a call that was retried
// until the policy's bound.
type RetriesExhaustedError struct {
	Attempts int
	Elapsed  time.Duration
	Err      error
}

func (e *RetriesExhaustedError) Error() string {
	return fmt.Sprintf("gave up after %d attempts in %s: %v", e.Attempts, e.Elapsed.Round(time.Millisecond), e.Err)
}

// Unwrap returns the last error.
func (e *RetriesExhaustedError) Unwrap() error { return e.Err }
