package apidoc

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func fixture(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/swagger2.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// convertFixture converts testdata/swagger2.json and decodes the result.
func convertFixture(t *testing.T) ([]byte, map[string]any) {
	t.Helper()
	out, err := Convert(fixture(t))
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	return out, doc
}

// at walks a decoded JSON document: at(doc, "paths", "/widgets", "get").
func at(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for i, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: not an object", strings.Join(keys[:i], "."))
		}
		if v, ok = m[k]; !ok {
			t.Fatalf("%s: no such key", strings.Join(keys[:i+1], "."))
		}
	}
	return v
}

func contentTypes(t *testing.T, doc any, path, method, code string) []string {
	t.Helper()
	resp := at(t, doc, "paths", path, method, "responses", code).(map[string]any)
	content, _ := resp["content"].(map[string]any)
	var cts []string
	for ct := range content {
		cts = append(cts, ct)
	}
	return cts
}

func TestConvertProblemJSON(t *testing.T) {
	_, doc := convertFixture(t)
	tests := []struct {
		path, method, code string
		want               string // the only content type; "" for none
	}{
		{"/widgets", "get", "200", "application/json"},
		{"/widgets", "get", "400", "application/problem+json"},
		{"/widgets", "get", "401", "application/problem+json"},
		{"/widgets", "post", "201", "application/json"},
		{"/widgets", "post", "422", "application/problem+json"},
		{"/widgets", "post", "default", "application/problem+json"},
		{"/widgets/{id}", "get", "404", "application/problem+json"},
		{"/widgets/{id}", "delete", "204", ""},
		// An error documented without a schema still is a Problem.
		{"/widgets/{id}", "delete", "404", "application/problem+json"},
		// Other media types: success keeps its own, errors are problems.
		{"/widgets/{id}/export", "get", "200", "text/csv"},
		{"/widgets/{id}/export", "get", "404", "application/problem+json"},
	}
	for _, tt := range tests {
		got := contentTypes(t, doc, tt.path, tt.method, tt.code)
		switch {
		case tt.want == "" && len(got) != 0:
			t.Errorf("%s %s %s: content types %v, want none", tt.method, tt.path, tt.code, got)
		case tt.want != "" && (len(got) != 1 || got[0] != tt.want):
			t.Errorf("%s %s %s: content types %v, want [%s]", tt.method, tt.path, tt.code, got, tt.want)
		}
		if tt.want == ProblemContentType {
			ref := at(t, doc, "paths", tt.path, tt.method, "responses", tt.code, "content", tt.want, "schema", "$ref")
			if ref != "#/components/schemas/Problem" {
				t.Errorf("%s %s %s: schema %v, want the Problem component", tt.method, tt.path, tt.code, ref)
			}
		}
	}
}

func TestConvertNullable(t *testing.T) {
	out, doc := convertFixture(t)
	props := at(t, doc, "components", "schemas", "Widget", "properties").(map[string]any)
	for name, want := range map[string]bool{
		"deleted_at": true, // x-nullable on a plain property (a *time.Time)
		"owner":      true, // x-nullable next to allOf: [$ref] (swag's form for *Struct)
		"parent":     true, // x-nullable next to a bare $ref
		"tags":       true,
		"note":       true, // x-nullable: "true"
		"team":       true, // x-nullable and x-optional (extensions:"x-nullable,x-optional")
		"updated_at": false,
		"name":       false,
	} {
		p := props[name].(map[string]any)
		if got, _ := p["nullable"].(bool); got != want {
			t.Errorf("Widget.%s: nullable = %v, want %v (%v)", name, got, want, p)
		}
	}
	if parent := props["parent"].(map[string]any); parent["allOf"] == nil {
		t.Errorf("Widget.parent: want allOf [$ref], got %v", parent)
	}
	if bytes.Contains(out, []byte("x-nullable")) {
		t.Error("x-nullable left in the output")
	}
	// The component names are swag's, unchanged.
	for _, name := range []string{"Owner", "Problem", "Widget", "WidgetList", "WidgetCreateRequest", "FieldProblem"} {
		at(t, doc, "components", "schemas", name)
	}
}

func TestConvertServersAndFormat(t *testing.T) {
	out, doc := convertFixture(t)
	servers, _ := json.Marshal(doc["servers"])
	if string(servers) != `[{"url":"/api/v1"}]` {
		t.Errorf("servers = %s", servers)
	}
	if v := doc["openapi"]; v != "3.0.3" {
		t.Errorf("openapi = %v", v)
	}
	if !bytes.HasSuffix(out, []byte("}\n")) || bytes.HasSuffix(out, []byte("\n\n")) {
		t.Error("output does not end with exactly one newline")
	}
	if !bytes.HasPrefix(out, []byte("{\n  \"components\": {\n")) {
		t.Errorf("output is not indented with sorted keys: %.40q", out)
	}
	for range 20 { // map order differs from run to run
		again, err := Convert(fixture(t))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, again) {
			t.Fatal("Convert is not deterministic")
		}
	}
	// Normalizing the output again changes nothing.
	if norm, err := normalizeJSON(out); err != nil || !bytes.Equal(norm, out) {
		t.Errorf("output is not in normal form (err %v)", err)
	}
}

func TestConvertRejects(t *testing.T) {
	for name, in := range map[string]string{
		"not json":    `{`,
		"openapi 3":   `{"openapi": "3.0.3", "info": {"title": "x", "version": "1"}, "paths": {}}`,
		"not object":  `[]`,
		"bad version": `{"swagger": "1.2"}`,
	} {
		if _, err := Convert([]byte(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestIsErrorStatus(t *testing.T) {
	for code, want := range map[string]bool{
		"200": false, "204": false, "302": false, "399": false,
		"400": true, "404": true, "4XX": true, "500": true, "default": true,
	} {
		if got := IsErrorStatus(code); got != want {
			t.Errorf("IsErrorStatus(%q) = %v", code, got)
		}
	}
}
