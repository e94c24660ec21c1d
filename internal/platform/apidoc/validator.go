package apidoc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Validator checks HTTP responses against an OpenAPI 3 document. It is for
// tests: it finds the documented operation of a request and validates the
// response's status, content type, headers and JSON body. Requests are not
// validated (tests send bad input on purpose) and security requirements are
// not enforced. It is safe for concurrent use.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
	base   string // path prefix the operations' paths are relative to
	opts   *openapi3filter.Options
}

// NewValidator parses an OpenAPI 3 document (such as docs.OpenAPI) and
// prepares to route requests to its operations. The base path is the path
// of the document's first server ("/api/v1"); requests outside it are not
// checked.
func NewValidator(doc []byte) (*Validator, error) {
	t, err := Parse(doc)
	if err != nil {
		return nil, err
	}
	base := BasePath
	if len(t.Servers) > 0 && t.Servers[0] != nil {
		u, err := url.Parse(t.Servers[0].URL)
		if err != nil {
			return nil, fmt.Errorf("apidoc: server url %q: %w", t.Servers[0].URL, err)
		}
		base = u.Path
	}
	base = strings.TrimRight(base, "/")

	// Route on the operations' own paths: the legacy router would match
	// servers against the absolute request URL, which a relative server URL
	// never matches. Check strips the base path itself.
	routed := *t
	routed.Servers = nil
	r, err := legacy.NewRouter(&routed)
	if err != nil {
		return nil, fmt.Errorf("apidoc: building router: %w", err)
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		ExcludeRequestBody:    true,
		IncludeResponseStatus: true, // an undocumented status is an error
		MultiError:            true, // report every mismatch of a body at once
		SchemaValidationOptions: []openapi3.SchemaValidationOption{
			openapi3.DisableSchemaErrorDetails(), // no schema dumps in messages
			// kin-openapi checks required properties, nullable and the
			// formats it knows by default; pin the two time formats to
			// API.md's stricter rule (UTC only), so the suite catches a
			// timestamp with an offset.
			openapi3.WithStringFormatValidator("date-time", openapi3.NewCallbackValidator(checkDateTime)),
			openapi3.WithStringFormatValidator("date", openapi3.NewCallbackValidator(checkDate)),
		},
	}
	return &Validator{doc: t, router: r, base: base, opts: opts}, nil
}

// checkDateTime accepts what API.md allows for a timestamp: RFC 3339 in
// UTC ("2026-11-22T08:00:00Z", fractional seconds allowed).
func checkDateTime(s string) error {
	if !strings.HasSuffix(s, "Z") {
		return errors.New("not an RFC 3339 timestamp in UTC (ending in Z)")
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err != nil || !dateTimeRE.MatchString(s) {
		return errors.New("not an RFC 3339 timestamp")
	}
	return nil
}

// dateTimeRE is RFC 3339's grammar, which time.Parse is laxer than.
var dateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$`)

// checkDate accepts a calendar date, "2026-11-22".
func checkDate(s string) error {
	if _, err := time.Parse(time.DateOnly, s); err != nil || len(s) != len(time.DateOnly) {
		return errors.New("not a date (YYYY-MM-DD)")
	}
	return nil
}

// Doc is the parsed document.
func (v *Validator) Doc() *openapi3.T { return v.doc }

// CheckError is a response that does not match the document.
type CheckError struct {
	Method      string
	Path        string // the request path, base path included
	Status      int
	OperationID string // empty when no operation matched
	Err         error  // kin-openapi's error, or one of this package
	Body        []byte // the response body, for the message
}

const maxBodyInError = 2048

func (e *CheckError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "openapi: %s %s -> %d", e.Method, e.Path, e.Status)
	if e.OperationID != "" {
		fmt.Fprintf(&b, " (operation %s)", e.OperationID)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	if len(e.Body) > 0 {
		body := e.Body
		more := ""
		if len(body) > maxBodyInError {
			body, more = body[:maxBodyInError], "…"
		}
		fmt.Fprintf(&b, "\n\tbody: %s%s", bytes.TrimSpace(body), more)
	}
	return b.String()
}

func (e *CheckError) Unwrap() error { return e.Err }

// Check validates one response to req against the document:
//   - requests whose path is outside the base path (/healthz, /readyz,
//     /metrics, /openapi.json, /swagger/...) are skipped: nil;
//   - the method and path must be a documented operation, except when the
//     status is 404 or 405 (unknown routes legitimately get those) and for
//     CORS preflight (OPTIONS) requests;
//   - the status must be documented on the operation (or a default);
//   - the Content-Type must be one the response documents, and the body
//     must match its schema; a response documented without content must
//     have no body (a 204 with no body passes).
//
// HEAD requests are routed like GET when the document has no HEAD
// operation; their (empty) bodies are not checked.
func (v *Validator) Check(req *http.Request, status int, header http.Header, body []byte) error {
	rel, ok := v.relativePath(req.URL.Path)
	if !ok {
		return nil
	}
	fail := func(opID string, err error) error {
		return &CheckError{Method: req.Method, Path: req.URL.Path, Status: status, OperationID: opID, Err: err, Body: body}
	}

	// A shallow copy of the request with the path relative to the base.
	routed := req.WithContext(context.Background())
	u := *req.URL
	u.Path, u.RawPath = rel, ""
	routed.URL = &u

	route, params, err := v.router.FindRoute(routed)
	if err != nil && req.Method == http.MethodHead {
		// HEAD is GET without the body (RFC 9110 9.3.2).
		asGet := routed.WithContext(context.Background())
		asGet.Method = http.MethodGet
		if r, p, gerr := v.router.FindRoute(asGet); gerr == nil {
			route, params, err = r, p, nil
		}
	}
	if err != nil {
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
			return nil
		}
		if req.Method == http.MethodOptions {
			return nil
		}
		reason := "no such operation in the OpenAPI document"
		var re *routers.RouteError
		if errors.As(err, &re) {
			reason += " (" + re.Reason + ")"
		}
		return fail("", errors.New(reason))
	}
	opID := route.Operation.OperationID

	if header == nil {
		header = http.Header{}
	}
	opts := v.opts
	// A file download (CSV, XLSX) has no JSON schema to check and
	// kin-openapi has no decoder for most such types: check only that the
	// media type is documented, then skip the body.
	if ct := header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		if r := responseFor(route.Operation, status); r != nil && len(r.Content) > 0 && r.Content.Get(ct) == nil {
			return fail(opID, fmt.Errorf("response Content-Type %q is not documented", ct))
		}
		o := *v.opts
		o.ExcludeResponseBody = true
		opts = &o
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    routed,
			PathParams: params,
			Route:      route,
			Options:    opts,
		},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: opts,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fail(opID, err)
	}

	// kin-openapi accepts a body where the document declares none.
	if req.Method != http.MethodHead && len(bytes.TrimSpace(body)) > 0 {
		if r := responseFor(route.Operation, status); r != nil && len(r.Content) == 0 {
			return fail(opID, errors.New("the document declares no body for this status, but the response has one"))
		}
	}
	return nil
}

// isJSON reports a JSON media type: application/json or any +json.
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return true // malformed: let kin-openapi report it
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// CheckRecorder is Check on what an httptest.ResponseRecorder recorded for req.
func (v *Validator) CheckRecorder(req *http.Request, rec *httptest.ResponseRecorder) error {
	res := rec.Result()
	defer res.Body.Close()
	return v.Check(req, res.StatusCode, res.Header, rec.Body.Bytes())
}

// CheckResponse is Check on a client's response (from an httptest.Server,
// say): it reads the body and puts it back, so the caller can still read it.
func (v *Validator) CheckResponse(res *http.Response) error {
	if res.Request == nil {
		return errors.New("apidoc: the response has no request")
	}
	var body []byte
	if res.Body != nil {
		b, err := io.ReadAll(res.Body)
		_ = res.Body.Close()
		if err != nil {
			return fmt.Errorf("apidoc: reading the response body: %w", err)
		}
		body = b
		res.Body = io.NopCloser(bytes.NewReader(b))
	}
	return v.Check(res.Request, res.StatusCode, res.Header, body)
}

// relativePath strips the base path: "/api/v1/leads" -> "/leads".
func (v *Validator) relativePath(p string) (string, bool) {
	if v.base == "" {
		return p, true
	}
	if p == v.base {
		return "/", true
	}
	if rest, ok := strings.CutPrefix(p, v.base); ok && strings.HasPrefix(rest, "/") {
		return rest, true
	}
	return "", false
}

func responseFor(op *openapi3.Operation, status int) *openapi3.Response {
	if op == nil || op.Responses == nil {
		return nil
	}
	r := op.Responses.Status(status)
	if r == nil {
		r = op.Responses.Default()
	}
	if r == nil {
		return nil
	}
	return r.Value
}
