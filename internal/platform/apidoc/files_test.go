package apidoc

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// filesDoc documents a download that answers CSV or XLSX, and JSON errors.
const filesDoc = `{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "servers": [{"url": "/api/v1"}],
 "paths": {"/exports/{entity}": {"get": {"operationId": "export",
  "parameters": [{"name": "entity", "in": "path", "required": true, "schema": {"type": "string"}}],
  "responses": {
   "200": {"description": "OK", "content": {
     "text/csv": {"schema": {"type": "string", "format": "binary"}},
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}},
   "404": {"description": "no", "content": {"application/problem+json": {"schema": {"type": "object",
     "required": ["status"], "properties": {"status": {"type": "integer"}}}}}}}}}}}`

func TestValidatorFileDownloads(t *testing.T) {
	v, err := NewValidator([]byte(filesDoc))
	if err != nil {
		t.Fatal(err)
	}
	xlsx := "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe binary"
	tests := []struct {
		name, ct, body string
		status         int
		wantErr        string
	}{
		{"csv with charset", "text/csv; charset=utf-8", "\ufeffid,name\n1,王建国\n", 200, ""},
		{"xlsx binary", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx, 200, ""},
		{"undocumented media type", "application/pdf", "%PDF-1.7", 200, "not documented"},
		{"json where a file is documented", "application/json", `{"a": 1}`, 200, "application/json"},
		{"problem still checked", "application/problem+json", `{"status": "x"}`, 404, "status"},
		{"problem passes", "application/problem+json", `{"status": 404}`, 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/exports/leads", nil)
			err := v.Check(req, tc.status, http.Header{"Content-Type": {tc.ct}}, []byte(tc.body))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("want pass, got %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("want error containing %q, got %v", tc.wantErr, err)
			}
		})
	}
}
