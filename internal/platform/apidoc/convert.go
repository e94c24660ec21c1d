// Package apidoc turns the Swagger 2.0 document swag generates from the
// handlers' annotations into the OpenAPI 3.0 document the server serves,
// loads the embedded copy, and checks HTTP responses against it in tests.
//
// The pipeline: `go tool swag init` (see SwagInitArgs) writes
// docs/swagger/swagger.json; cmd/openapi3 runs Convert on it and writes
// docs/openapi.json, which package docs embeds. `make docs` does both,
// `make docs-check` and TestDocsAreFresh fail when the committed files are
// stale.
package apidoc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
)

// BasePath is where the API lives; the document's only server.
const BasePath = "/api/v1"

// ProblemContentType is the media type of every error body (RFC 9457).
const ProblemContentType = "application/problem+json"

// ProblemSchema is the component every error response refers to.
const ProblemSchema = "Problem"

const (
	jsonContentType = "application/json"
	xNullable       = "x-nullable"
)

// SwagInitArgs are the arguments of `go tool swag init` (after "init") that
// produce swagger.json in outDir, relative to the repository root. Makefile.docs
// spells out the same command; keep the two in step.
func SwagInitArgs(outDir string) []string {
	return []string{
		"--quiet",
		"--generalInfo", "main.go",
		"--dir", "./cmd/crm,./internal",
		"--output", outDir,
		"--outputTypes", "json",
		"--parseInternal",
		"--parseDependency=false",
	}
}

// Convert turns swag's Swagger 2.0 JSON into OpenAPI 3.0 JSON:
//   - conversion by kin-openapi's openapi2conv;
//   - every error response (status >= 400, and default) is
//     application/problem+json; one without a schema gets the Problem schema
//     when the document has one; responses below 400 keep their media types;
//   - the statuses any operation can answer with are documented where
//     swag's output lacks them (standardResponses): 400 and 500 everywhere,
//     413 and 415 with a request body, 401 with a security requirement;
//   - response schemas list every property as required except those tagged
//     x-optional (requiredResponseFields);
//   - string properties named *_at are date-time, *_date and birthday are
//     date (timestampFormats);
//   - x-nullable (swag's output for fields tagged extensions:"x-nullable")
//     becomes nullable: true, also next to a $ref;
//   - servers is [{"url": "/api/v1"}];
//   - the result is validated, and written deterministically: sorted keys,
//     two-space indentation, no HTML escaping, a trailing newline.
func Convert(swagger2JSON []byte) ([]byte, error) {
	pre, err := preprocessV2(swagger2JSON)
	if err != nil {
		return nil, err
	}
	var doc2 openapi2.T
	if err := json.Unmarshal(pre, &doc2); err != nil {
		return nil, fmt.Errorf("apidoc: reading swagger 2.0: %w", err)
	}
	doc3, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		return nil, fmt.Errorf("apidoc: converting to openapi 3: %w", err)
	}
	doc3.Servers = openapi3.Servers{{URL: BasePath}}
	fixNullable(doc3)
	problemResponses(doc3)
	standardResponses(doc3)
	requiredResponseFields(doc3)
	timestampFormats(doc3)
	bearerScheme(doc3)
	if err := doc3.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("apidoc: the converted document is invalid: %w", err)
	}
	return Marshal(doc3)
}

// Marshal writes doc the way Convert does: sorted keys, indented, no HTML
// escaping, trailing newline.
func Marshal(doc *openapi3.T) ([]byte, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("apidoc: encoding: %w", err)
	}
	return normalizeJSON(raw)
}

// normalizeJSON re-encodes JSON through generic maps (whose keys encoding/json
// sorts), keeping numbers as written.
func normalizeJSON(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("apidoc: re-reading: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil { // Encode ends with "\n"
		return nil, fmt.Errorf("apidoc: encoding: %w", err)
	}
	return buf.Bytes(), nil
}

// preprocessV2 prepares what openapi2conv would lose:
//   - it rewrites {"$ref": R, "x-nullable": true, ...} into
//     {"allOf": [{"$ref": R}], "x-nullable": true, ...}: openapi2conv keeps
//     nothing next to a $ref, and OpenAPI 3.0 ignores siblings of $ref;
//   - it moves each property's x-optional marker up to its object schema,
//     as the list of optional property names (see xOptionalProps), so it
//     survives next to a $ref too.
func preprocessV2(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("apidoc: reading swagger 2.0: %w", err)
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("apidoc: reading swagger 2.0: not a JSON object")
	}
	if sw, _ := root["swagger"].(string); sw != "2.0" {
		return nil, fmt.Errorf("apidoc: reading swagger 2.0: swagger is %q, want \"2.0\"", sw)
	}
	markOptional(root)
	wrapNullableRefs(root)
	return json.Marshal(root)
}

// markOptional finds every schema of a Swagger 2.0 document (the
// definitions, and the schema of each parameter and response) and moves
// the x-optional markers of their properties up, see optionalUp.
func markOptional(v any) {
	switch x := v.(type) {
	case map[string]any:
		if defs, ok := x["definitions"].(map[string]any); ok {
			for _, d := range defs {
				optionalUp(d)
			}
		}
		if s, ok := x["schema"]; ok {
			optionalUp(s)
		}
		for _, e := range x {
			markOptional(e)
		}
	case []any:
		for _, e := range x {
			markOptional(e)
		}
	}
}

// optionalUp removes x-optional from the properties of the schema s and
// the schemas inside it, listing under xOptionalProps of each object
// schema the names of its properties that had x-optional: true.
func optionalUp(v any) {
	s, ok := v.(map[string]any)
	if !ok {
		return
	}
	delete(s, xOptional)
	if props, ok := s["properties"].(map[string]any); ok {
		var optional []any
		for _, name := range sortedKeys(props) {
			if p, ok := props[name].(map[string]any); ok && isTrue(p[xOptional]) {
				optional = append(optional, name)
			}
			optionalUp(props[name])
		}
		if len(optional) > 0 {
			s[xOptionalProps] = optional
		}
	}
	for _, k := range []string{"items", "additionalProperties", "not"} {
		optionalUp(s[k])
	}
	for _, k := range []string{"items", "allOf", "anyOf", "oneOf"} {
		if l, ok := s[k].([]any); ok {
			for _, e := range l {
				optionalUp(e)
			}
		}
	}
}

func wrapNullableRefs(v any) {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"].(string); ok && isTrue(x[xNullable]) {
			delete(x, "$ref")
			x["allOf"] = []any{map[string]any{"$ref": ref}}
		}
		for _, e := range x {
			wrapNullableRefs(e)
		}
	case []any:
		for _, e := range x {
			wrapNullableRefs(e)
		}
	}
}

func isTrue(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return false
}

// problemResponses gives every error response (>= 400, and default) the
// single media type application/problem+json.
func problemResponses(doc *openapi3.T) {
	var problem *openapi3.SchemaRef
	if doc.Components != nil {
		if s := doc.Components.Schemas[ProblemSchema]; s != nil {
			problem = &openapi3.SchemaRef{Ref: "#/components/schemas/" + ProblemSchema, Value: s.Value}
		}
	}
	forEachOperation(doc, func(_, _ string, _ *openapi3.PathItem, op *openapi3.Operation) {
		if op.Responses == nil {
			return
		}
		for code, r := range op.Responses.Map() {
			if !IsErrorStatus(code) || r == nil || r.Value == nil {
				continue
			}
			resp := r.Value
			var mt *openapi3.MediaType
			if m := resp.Content[jsonContentType]; m != nil {
				mt = m
			} else if m := resp.Content[ProblemContentType]; m != nil {
				mt = m
			} else if keys := sortedKeys(resp.Content); len(keys) > 0 {
				mt = resp.Content[keys[0]]
			}
			if mt == nil || mt.Schema == nil {
				if problem == nil {
					continue
				}
				if mt == nil {
					mt = openapi3.NewMediaType()
				}
				mt.Schema = problem
			}
			resp.Content = openapi3.Content{ProblemContentType: mt}
		}
	})
}

// IsErrorStatus reports whether a response key of an operation ("200",
// "404", "4XX", "default") is for errors.
func IsErrorStatus(code string) bool {
	if code == "default" {
		return true
	}
	return len(code) == 3 && (code[0] == '4' || code[0] == '5')
}

// forEachOperation calls f for every operation, in path then method order.
func forEachOperation(doc *openapi3.T, f func(path, method string, item *openapi3.PathItem, op *openapi3.Operation)) {
	if doc.Paths == nil {
		return
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		if item == nil {
			continue
		}
		ops := item.Operations()
		for _, method := range sortedKeys(ops) {
			f(path, method, item, ops[method])
		}
	}
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// bearerScheme turns the BearerAuth scheme (Swagger 2.0 can only say
// "apiKey in the Authorization header") into OpenAPI 3's HTTP bearer
// scheme, so Swagger UI asks for the bare token and adds "Bearer " itself.
func bearerScheme(doc *openapi3.T) {
	if doc.Components == nil {
		return
	}
	if ref, ok := doc.Components.SecuritySchemes["BearerAuth"]; ok && ref.Value != nil {
		ref.Value = openapi3.NewJWTSecurityScheme().
			WithDescription("Access token from POST /auth/login (Swagger UI adds the Bearer prefix).")
	}
}
