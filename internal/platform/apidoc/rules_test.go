package apidoc

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestConvertStandardResponses(t *testing.T) {
	_, doc := convertFixture(t)
	// The fixture's document requires BearerAuth, listWidgets, createWidget,
	// getWidget and deleteWidget require it themselves, exportWidget
	// inherits it, ping opts out with security: [].
	tests := []struct {
		path, method string
		codes        []string // the error statuses the operation must have, no more
	}{
		{"/widgets", "get", []string{"400", "401", "500"}},
		{"/widgets", "post", []string{"400", "401", "413", "415", "422", "500", "default"}},
		{"/widgets/{id}", "get", []string{"400", "401", "404", "500"}},
		{"/widgets/{id}", "delete", []string{"400", "401", "404", "500"}},
		{"/widgets/{id}/export", "get", []string{"400", "401", "404", "500"}},
		{"/ping", "get", []string{"400", "500"}},
	}
	for _, tt := range tests {
		responses := at(t, doc, "paths", tt.path, tt.method, "responses").(map[string]any)
		var got []string
		for code := range responses {
			if IsErrorStatus(code) {
				got = append(got, code)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.codes) {
			t.Errorf("%s %s: error responses %v, want %v", tt.method, tt.path, got, tt.codes)
		}
		for _, code := range got {
			ref := at(t, responses, code, "content", ProblemContentType, "schema", "$ref")
			if ref != "#/components/schemas/Problem" {
				t.Errorf("%s %s %s: schema %v, want the Problem component", tt.method, tt.path, code, ref)
			}
		}
	}
	// A documented response keeps its description; an added one says why.
	if d := at(t, doc, "paths", "/widgets", "get", "responses", "400", "description"); d != "Bad Request" {
		t.Errorf("listWidgets 400: description %q changed", d)
	}
	for code, want := range map[string]string{
		"400": "Bad Request. ", "401": "Unauthorized. ", "413": "Request Entity Too Large. ",
		"415": "Unsupported Media Type. ", "500": "request_id",
	} {
		d, _ := at(t, doc, "paths", "/widgets", "post", "responses", code, "description").(string)
		if !strings.Contains(d, want) {
			t.Errorf("createWidget %s: description %q lacks %q", code, d, want)
		}
	}
}

func TestConvertRequiredResponseFields(t *testing.T) {
	out, doc := convertFixture(t)
	required := func(path ...string) []string {
		t.Helper()
		s := at(t, doc, append([]string{"components", "schemas"}, path...)...).(map[string]any)
		var names []string
		if l, ok := s["required"].([]any); ok {
			for _, n := range l {
				names = append(names, n.(string))
			}
		}
		return names
	}
	tests := []struct {
		name string
		path []string
		want []string
	}{
		// Every property but the x-optional ones (summary; team, an allOf
		// wrapper; label, a bare $ref); nullable ones included.
		{"response schema", []string{"Widget"}, []string{"birthday", "count", "created_at", "deleted_at",
			"due_date", "extra", "id", "name", "note", "owner", "parent", "retry_at", "tags", "updated_at"}},
		// Inline objects inside a response schema too.
		{"inline object", []string{"Widget", "properties", "extra"}, []string{"a"}},
		// Reachable only through $refs: items, a bare $ref, a nested Problem.
		{"list", []string{"WidgetList"}, []string{"data", "has_more"}},
		{"through a bare $ref", []string{"Label"}, []string{"color", "hidden_at", "id"}},
		{"problem", []string{"Problem"}, []string{"code", "detail", "request_id", "status", "title", "type"}},
		{"nested in problem", []string{"FieldProblem"}, []string{"field", "message"}},
		// Owner is also in a request body: swag's list stays as it was.
		{"shared with a request", []string{"Owner"}, []string{"id"}},
		{"request", []string{"WidgetCreateRequest"}, nil},
	}
	for _, tt := range tests {
		if got := required(tt.path...); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %s required = %v, want %v", tt.name, strings.Join(tt.path, "."), got, tt.want)
		}
	}
	for _, marker := range []string{xOptional, xOptionalProps} {
		if bytes.Contains(out, []byte(marker)) {
			t.Errorf("%s left in the output", marker)
		}
	}
}

func TestConvertTimestampFormats(t *testing.T) {
	_, doc := convertFixture(t)
	tests := []struct {
		schema, prop, want string
	}{
		{"Widget", "created_at", "date-time"}, // swag's bare string for time.Time
		{"Widget", "updated_at", "date-time"}, // already so
		{"Widget", "deleted_at", "date-time"}, // nullable
		{"Widget", "birthday", "date"},
		{"Widget", "due_date", "date"},
		{"Widget", "retry_at", ""}, // not a string
		{"Widget", "name", ""},
		{"Label", "hidden_at", "date"},                    // an explicit format wins
		{"WidgetCreateRequest", "starts_at", "date-time"}, // requests too
	}
	for _, tt := range tests {
		p := at(t, doc, "components", "schemas", tt.schema, "properties", tt.prop).(map[string]any)
		if got, _ := p["format"].(string); got != tt.want {
			t.Errorf("%s.%s: format %q, want %q", tt.schema, tt.prop, got, tt.want)
		}
	}
}

func TestTimestampFormat(t *testing.T) {
	for name, want := range map[string]string{
		"created_at": "date-time", "last_login_at": "date-time", "at": "", "status": "",
		"birthday": "date", "contact_birthday": "date", "due_date": "date", "date": "", "update": "",
	} {
		if got := timestampFormat(name); got != want {
			t.Errorf("timestampFormat(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestCheckTimeFormats(t *testing.T) {
	for s, ok := range map[string]bool{
		"2026-11-22T08:00:00Z":           true,
		"2026-11-22T08:00:00.123456789Z": true,
		"2026-11-22T08:00:00+08:00":      false, // API.md: UTC
		"2026-11-22T08:00:00z":           false,
		"2026-11-22 08:00:00Z":           false,
		"2026-02-30T08:00:00Z":           false,
		"2026-11-22":                     false,
		"":                               false,
	} {
		if err := checkDateTime(s); (err == nil) != ok {
			t.Errorf("checkDateTime(%q) = %v, want ok %v", s, err, ok)
		}
	}
	for s, ok := range map[string]bool{
		"2026-11-22": true, "2026-02-29": false, "2026-1-2": false, "2026-11-22T00:00:00Z": false, "": false,
	} {
		if err := checkDate(s); (err == nil) != ok {
			t.Errorf("checkDate(%q) = %v, want ok %v", s, err, ok)
		}
	}
}
