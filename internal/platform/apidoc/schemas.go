package apidoc

import (
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

const (
	// xOptional marks a response field that may be absent (swag writes it
	// for a struct field tagged extensions:"x-optional"; tag every field
	// whose json tag says omitempty). Every other field of a response
	// schema is required: present, though possibly null when x-nullable.
	xOptional = "x-optional"
	// xOptionalProps carries the names of a schema's x-optional properties
	// through openapi2conv, which drops every sibling of a $ref. It never
	// reaches the output.
	xOptionalProps  = "x-apidoc-optional-properties"
	componentPrefix = "#/components/schemas/"
)

// walkSchemas calls visit on every schema reference of the document, in a
// fixed order: the components, then each operation's parameters, request
// body and responses (headers included). It descends into a schema's
// properties, items, additionalProperties, not, allOf, anyOf and oneOf, but
// never through a $ref (the target is a component, visited on its own), and
// into each schema value once; visit may see a reference more than once,
// so it must be idempotent.
func walkSchemas(doc *openapi3.T, visit func(*openapi3.SchemaRef)) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(*openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil {
			return
		}
		visit(ref)
		if ref.Ref != "" || ref.Value == nil || seen[ref.Value] {
			return
		}
		seen[ref.Value] = true
		for _, child := range subSchemas(ref.Value) {
			walk(child)
		}
	}
	walkContent := func(c openapi3.Content) {
		for _, mt := range sortedKeys(c) {
			if c[mt] != nil {
				walk(c[mt].Schema)
			}
		}
	}
	walkParams := func(ps openapi3.Parameters) {
		for _, p := range ps {
			if p != nil && p.Value != nil {
				walk(p.Value.Schema)
				walkContent(p.Value.Content)
			}
		}
	}
	walkResponse := func(r *openapi3.ResponseRef) {
		if r == nil || r.Value == nil {
			return
		}
		walkContent(r.Value.Content)
		for _, h := range sortedKeys(r.Value.Headers) {
			if hv := r.Value.Headers[h]; hv != nil && hv.Value != nil {
				walk(hv.Value.Schema)
			}
		}
	}
	if c := doc.Components; c != nil {
		for _, name := range sortedKeys(c.Schemas) {
			walk(c.Schemas[name])
		}
		for _, name := range sortedKeys(c.Parameters) {
			if p := c.Parameters[name]; p != nil && p.Value != nil {
				walk(p.Value.Schema)
			}
		}
		for _, name := range sortedKeys(c.RequestBodies) {
			if b := c.RequestBodies[name]; b != nil && b.Value != nil {
				walkContent(b.Value.Content)
			}
		}
		for _, name := range sortedKeys(c.Responses) {
			walkResponse(c.Responses[name])
		}
	}
	forEachOperation(doc, func(_, _ string, item *openapi3.PathItem, op *openapi3.Operation) {
		walkParams(item.Parameters)
		walkParams(op.Parameters)
		if op.RequestBody != nil && op.RequestBody.Value != nil {
			walkContent(op.RequestBody.Value.Content)
		}
		if op.Responses != nil {
			for _, code := range sortedKeys(op.Responses.Map()) {
				walkResponse(op.Responses.Value(code))
			}
		}
	})
}

// subSchemas lists the schemas directly inside s, in a fixed order.
func subSchemas(s *openapi3.Schema) []*openapi3.SchemaRef {
	var out []*openapi3.SchemaRef
	for _, name := range sortedKeys(s.Properties) {
		out = append(out, s.Properties[name])
	}
	out = append(out, s.Items, s.AdditionalProperties.Schema, s.Not)
	for _, l := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		out = append(out, l...)
	}
	return out
}

// fixNullable turns the x-nullable extension left after conversion into
// nullable: true. It also sorts the required lists so the output does not
// depend on map order.
func fixNullable(doc *openapi3.T) {
	walkSchemas(doc, func(ref *openapi3.SchemaRef) {
		if ref.Ref != "" {
			// A nullable marker here would be lost: openapi2conv drops
			// siblings of a $ref, preprocessV2 has moved them into an
			// allOf already.
			delete(ref.Extensions, xNullable)
			return
		}
		if isTrue(ref.Extensions[xNullable]) && ref.Value != nil {
			ref.Value.Nullable = true
		}
		delete(ref.Extensions, xNullable)
		s := ref.Value
		if s == nil {
			return
		}
		if v, ok := s.Extensions[xNullable]; ok {
			if isTrue(v) {
				s.Nullable = true
			}
			delete(s.Extensions, xNullable)
		}
		if len(s.Extensions) == 0 {
			s.Extensions = nil
		}
		slices.Sort(s.Required)
	})
}

// timestampFormats gives string properties without a format the format
// their name promises. API.md: timestamps are RFC 3339 in UTC, dates
// YYYY-MM-DD; field names follow suit, so
//   - a name ending in "_at" (created_at, last_login_at) is a date-time;
//   - "birthday", or a name ending in "_birthday" or "_date" (due_date), is
//     a date.
//
// swag writes time.Time as a bare string, so this is where the format
// comes from. An explicit format (a swag format:"..." tag) wins.
func timestampFormats(doc *openapi3.T) {
	walkSchemas(doc, func(ref *openapi3.SchemaRef) {
		if ref.Ref != "" || ref.Value == nil {
			return
		}
		for name, p := range ref.Value.Properties {
			if p == nil || p.Ref != "" || p.Value == nil || p.Value.Format != "" || !p.Value.Type.Is(openapi3.TypeString) {
				continue
			}
			if f := timestampFormat(name); f != "" {
				p.Value.Format = f
			}
		}
	})
}

// timestampFormat is the format the property name promises, or "".
func timestampFormat(name string) string {
	switch {
	case strings.HasSuffix(name, "_at"):
		return "date-time"
	case name == "birthday", strings.HasSuffix(name, "_birthday"), strings.HasSuffix(name, "_date"):
		return "date"
	}
	return ""
}

// requiredResponseFields makes every property of a response schema
// required unless it is x-optional, so a response that drops a field fails
// validation. It applies to the component schemas reachable from a
// response body and from no request body or parameter (a schema shared
// with requests keeps swag's required list: there absent fields are
// legitimate), and to the inline object schemas inside them. The
// x-optional markers are removed from every schema.
func requiredResponseFields(doc *openapi3.T) {
	fromResponses, fromRequests := reachableComponents(doc)
	var schemas openapi3.Schemas
	if doc.Components != nil {
		schemas = doc.Components.Schemas
	}
	for _, name := range sortedKeys(fromResponses) {
		if fromRequests[name] || schemas[name] == nil {
			continue
		}
		requireAll(schemas[name], map[*openapi3.Schema]bool{})
	}
	walkSchemas(doc, func(ref *openapi3.SchemaRef) {
		if ref.Value != nil && ref.Value.Extensions != nil {
			delete(ref.Value.Extensions, xOptionalProps)
			delete(ref.Value.Extensions, xOptional)
			if len(ref.Value.Extensions) == 0 {
				ref.Value.Extensions = nil
			}
		}
	})
}

// requireAll sets required on s and the inline schemas inside it.
func requireAll(ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) {
	if ref == nil || ref.Ref != "" || ref.Value == nil || seen[ref.Value] {
		return
	}
	s := ref.Value
	seen[s] = true
	if len(s.Properties) > 0 {
		optional := optionalProps(s)
		for _, name := range sortedKeys(s.Properties) {
			if !optional[name] && !slices.Contains(s.Required, name) {
				s.Required = append(s.Required, name)
			}
		}
		slices.Sort(s.Required)
	}
	for _, child := range subSchemas(s) {
		requireAll(child, seen)
	}
}

func optionalProps(s *openapi3.Schema) map[string]bool {
	out := map[string]bool{}
	switch names := s.Extensions[xOptionalProps].(type) {
	case []any:
		for _, n := range names {
			if n, ok := n.(string); ok {
				out[n] = true
			}
		}
	case []string:
		for _, n := range names {
			out[n] = true
		}
	}
	return out
}

// reachableComponents names the component schemas reachable, through
// $refs and nested schemas, from the operations' responses and from their
// request bodies and parameters (and from the components of those kinds).
func reachableComponents(doc *openapi3.T) (fromResponses, fromRequests map[string]bool) {
	fromResponses, fromRequests = map[string]bool{}, map[string]bool{}
	var schemas openapi3.Schemas
	if doc.Components != nil {
		schemas = doc.Components.Schemas
	}
	var reach func(ref *openapi3.SchemaRef, into map[string]bool, seen map[*openapi3.Schema]bool)
	reach = func(ref *openapi3.SchemaRef, into map[string]bool, seen map[*openapi3.Schema]bool) {
		if ref == nil {
			return
		}
		if ref.Ref != "" {
			name, ok := strings.CutPrefix(ref.Ref, componentPrefix)
			if !ok || into[name] {
				return
			}
			into[name] = true
			reach(schemas[name], into, seen)
			return
		}
		if ref.Value == nil || seen[ref.Value] {
			return
		}
		seen[ref.Value] = true
		for _, child := range subSchemas(ref.Value) {
			reach(child, into, seen)
		}
	}
	seenResp, seenReq := map[*openapi3.Schema]bool{}, map[*openapi3.Schema]bool{}
	content := func(c openapi3.Content, into map[string]bool, seen map[*openapi3.Schema]bool) {
		for _, mt := range sortedKeys(c) {
			if c[mt] != nil {
				reach(c[mt].Schema, into, seen)
			}
		}
	}
	params := func(ps openapi3.Parameters) {
		for _, p := range ps {
			if p != nil && p.Value != nil {
				reach(p.Value.Schema, fromRequests, seenReq)
				content(p.Value.Content, fromRequests, seenReq)
			}
		}
	}
	response := func(r *openapi3.ResponseRef) {
		if r == nil || r.Value == nil {
			return
		}
		content(r.Value.Content, fromResponses, seenResp)
		for _, h := range sortedKeys(r.Value.Headers) {
			if hv := r.Value.Headers[h]; hv != nil && hv.Value != nil {
				reach(hv.Value.Schema, fromResponses, seenResp)
			}
		}
	}
	if c := doc.Components; c != nil {
		for _, name := range sortedKeys(c.Parameters) {
			if p := c.Parameters[name]; p != nil && p.Value != nil {
				reach(p.Value.Schema, fromRequests, seenReq)
				content(p.Value.Content, fromRequests, seenReq)
			}
		}
		for _, name := range sortedKeys(c.RequestBodies) {
			if b := c.RequestBodies[name]; b != nil && b.Value != nil {
				content(b.Value.Content, fromRequests, seenReq)
			}
		}
		for _, name := range sortedKeys(c.Responses) {
			response(c.Responses[name])
		}
	}
	forEachOperation(doc, func(_, _ string, item *openapi3.PathItem, op *openapi3.Operation) {
		params(item.Parameters)
		params(op.Parameters)
		if op.RequestBody != nil && op.RequestBody.Value != nil {
			content(op.RequestBody.Value.Content, fromRequests, seenReq)
		}
		if op.Responses != nil {
			for _, code := range sortedKeys(op.Responses.Map()) {
				response(op.Responses.Value(code))
			}
		}
	})
	return fromResponses, fromRequests
}
