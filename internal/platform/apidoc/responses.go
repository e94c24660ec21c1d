package apidoc

import (
	"net/http"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
)

// Why the server can answer any operation with these statuses, whatever
// its annotations say (see internal/platform/httpx and internal/app):
const (
	// httpx.SafeInput refuses a query string with NUL or invalid UTF-8
	// before any handler runs; httpx.Bind refuses malformed JSON.
	why400     = "Bad query syntax, such as a query value with NUL or invalid UTF-8."
	why400Body = "Malformed JSON, a wrong type or an unknown field in the body, or bad query syntax (a query value with NUL or invalid UTF-8 included)."
	// The authentication middleware guards every operation with security.
	why401 = "No, expired, revoked or malformed credentials."
	// httpx.BodyLimit and httpx.Bind.
	why413 = "The body is over the limit (1 MiB for JSON)."
	why415 = "The body is not JSON: send Content-Type application/json."
	// httpx.ErrorHandler hides the cause of anything unexpected.
	why500 = "Internal error; the body says only that: quote its request_id when reporting it."
)

// standardResponses documents, on every operation that lacks them, the
// error statuses the middleware and the shared helpers can answer with:
// 400 and 500 on every operation, 413 and 415 on those with a request
// body, 401 on those with a security requirement (their own, or the
// document's when they set none). Each is a Problem.
func standardResponses(doc *openapi3.T) {
	var problem *openapi3.SchemaRef
	if doc.Components != nil && doc.Components.Schemas[ProblemSchema] != nil {
		problem = &openapi3.SchemaRef{Ref: componentPrefix + ProblemSchema, Value: doc.Components.Schemas[ProblemSchema].Value}
	}
	add := func(op *openapi3.Operation, status int, why string) {
		code := strconv.Itoa(status)
		if op.Responses.Value(code) != nil {
			return
		}
		resp := openapi3.NewResponse().WithDescription(http.StatusText(status) + ". " + why)
		if problem != nil {
			resp.Content = openapi3.Content{ProblemContentType: &openapi3.MediaType{Schema: problem}}
		}
		op.Responses.Set(code, &openapi3.ResponseRef{Value: resp})
	}
	forEachOperation(doc, func(_, _ string, _ *openapi3.PathItem, op *openapi3.Operation) {
		if op.Responses == nil {
			op.Responses = openapi3.NewResponses()
		}
		if op.RequestBody != nil {
			add(op, http.StatusBadRequest, why400Body)
			add(op, http.StatusRequestEntityTooLarge, why413)
			add(op, http.StatusUnsupportedMediaType, why415)
		} else {
			add(op, http.StatusBadRequest, why400)
		}
		if needsCredentials(doc, op) {
			add(op, http.StatusUnauthorized, why401)
		}
		add(op, http.StatusInternalServerError, why500)
	})
}

// needsCredentials reports whether op has a security requirement: its own
// list, or the document's when it has none. An empty requirement ({}) in
// the list makes credentials optional, but bad ones are still refused, so
// any non-empty requirement counts.
func needsCredentials(doc *openapi3.T, op *openapi3.Operation) bool {
	reqs := doc.Security
	if op.Security != nil {
		reqs = *op.Security
	}
	for _, r := range reqs {
		if len(r) > 0 {
			return true
		}
	}
	return false
}
