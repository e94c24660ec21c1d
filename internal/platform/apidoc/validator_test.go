package apidoc

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func fixtureValidator(t *testing.T) *Validator {
	t.Helper()
	doc, err := Convert(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewValidator(doc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const (
	jsonCT    = "application/json"
	problemCT = "application/problem+json"
)

// goodWidget has every required field of Widget and none of the optional
// ones (summary, team, label).
const goodWidget = `{"id": "w1", "name": "Sprocket", "count": 3,
	"deleted_at": null, "updated_at": "2026-11-22T08:00:00Z", "created_at": "2026-11-21T08:00:00.5Z",
	"birthday": "1990-05-17", "due_date": "2026-12-01", "retry_at": 0, "extra": {"a": "x"},
	"owner": {"id": "u1", "name": "Ann"}, "parent": null, "tags": ["a"], "note": null}`

const problem404 = `{"type": "urn:crm:problem:not_found", "title": "Not Found", "status": 404, "code": "not_found",
	"detail": "No such widget.", "request_id": "r1"}`

// problem is a problem body with the given status.
func problem(status int) string {
	return fmt.Sprintf(`{"type": "x", "title": %q, "status": %d, "code": "x", "detail": "", "request_id": "r1"}`,
		http.StatusText(status), status)
}

func TestValidatorCheck(t *testing.T) {
	v := fixtureValidator(t)
	tests := []struct {
		name         string
		method, path string
		status       int
		ct           string
		header       map[string]string
		body         string
		wantErr      string // "" for a pass; otherwise a part of the message
	}{
		{name: "documented 200", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT, body: goodWidget},
		{name: "charset parameter", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT + "; charset=UTF-8", body: goodWidget},
		{name: "nulls where nullable", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT,
			body: `{"id": "w1", "name": "S", "count": 0, "deleted_at": null, "owner": null, "parent": null, "tags": null, "note": null,
			"updated_at": "2026-11-22T08:00:00Z", "created_at": "2026-11-22T08:00:00Z", "birthday": "1990-05-17",
			"due_date": "2026-12-01", "retry_at": 1, "extra": {"a": ""}}`},
		{name: "optional fields present", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT,
			body: strings.Replace(goodWidget, `"id": "w1"`, `"id": "w1", "summary": "s", "team": {"id": "t1"}, "label": {"id": "l", "color": "red", "hidden_at": "2026-01-02"}`, 1)},
		{name: "list", method: "GET", path: "/api/v1/widgets?limit=5", status: 200, ct: jsonCT,
			body: `{"data": [` + goodWidget + `], "has_more": false}`},
		{name: "wrong field type", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT,
			body: strings.Replace(goodWidget, `"count": 3`, `"count": "3"`, 1), wantErr: `"/count"`},
		{name: "wrong type deep in a list", method: "GET", path: "/api/v1/widgets", status: 200, ct: jsonCT,
			body:    `{"data": [` + strings.Replace(goodWidget, `"name": "Sprocket"`, `"name": 7`, 1) + `], "has_more": false}`,
			wantErr: `"/data/0/name"`},
		{name: "null list", method: "GET", path: "/api/v1/widgets", status: 200, ct: jsonCT,
			body: `{"data": null, "has_more": false}`, wantErr: `"/data"`},
		{name: "missing required field", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT,
			body: strings.Replace(goodWidget, `"name": "Sprocket",`, ``, 1), wantErr: `"name"`},
		// Required because the converter says so: swag listed none of these.
		{name: "missing field swag did not mark", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT,
			body: strings.Replace(goodWidget, `"created_at": "2026-11-21T08:00:00.5Z",`, ``, 1), wantErr: `"created_at"`},
		{name: "missing nullable field", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT,
			body: strings.Replace(goodWidget, `"deleted_at": null,`, ``, 1), wantErr: `"deleted_at"`},
		{name: "missing field of an inline object", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT,
			body: strings.Replace(goodWidget, `{"a": "x"}`, `{"b": "x"}`, 1), wantErr: `"a"`},
		{name: "missing field of a referenced schema", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT,
			body: strings.Replace(goodWidget, `"id": "w1"`, `"id": "w1", "label": {"id": "l"}`, 1), wantErr: `"color"`},
		{name: "list missing has_more", method: "GET", path: "/api/v1/widgets", status: 200, ct: jsonCT,
			body: `{"data": []}`, wantErr: `"has_more"`},
		{name: "list with cursor and total", method: "GET", path: "/api/v1/widgets", status: 200, ct: jsonCT,
			body: `{"data": [], "has_more": true, "next_cursor": "c", "total": 9}`},
		{name: "null where not nullable", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT,
			body: strings.Replace(goodWidget, `"updated_at": "2026-11-22T08:00:00Z"`, `"updated_at": null`, 1), wantErr: "updated_at"},
		{name: "bad date-time", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT,
			body: strings.Replace(goodWidget, `"2026-11-22T08:00:00Z"`, `"22/11/2026"`, 1), wantErr: "updated_at"},
		{name: "date-time not in UTC", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT,
			body: strings.Replace(goodWidget, `"2026-11-21T08:00:00.5Z"`, `"2026-11-21T16:00:00.5+08:00"`, 1), wantErr: "created_at"},
		{name: "date where date-time", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT,
			body: strings.Replace(goodWidget, `"2026-11-21T08:00:00.5Z"`, `"2026-11-21"`, 1), wantErr: "created_at"},
		{name: "bad date", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT,
			body: strings.Replace(goodWidget, `"1990-05-17"`, `"1990-05-17T00:00:00Z"`, 1), wantErr: "birthday"},
		{name: "not json", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT, body: `{"id":`, wantErr: "decode"},
		{name: "empty body where one is documented", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT, wantErr: "decode"},
		{name: "undocumented status", method: "GET", path: "/api/v1/widgets/w1", status: 409, ct: problemCT,
			body: problem(409), wantErr: "status is not supported"},
		// The statuses every operation can answer with, documented by Convert.
		{name: "500 anywhere", method: "GET", path: "/api/v1/widgets/w1", status: 500, ct: problemCT, body: problem(500)},
		{name: "400 anywhere", method: "GET", path: "/api/v1/ping", status: 400, ct: problemCT, body: problem(400)},
		{name: "401 with security", method: "GET", path: "/api/v1/widgets/w1/export", status: 401, ct: problemCT, body: problem(401)},
		{name: "401 without security", method: "GET", path: "/api/v1/ping", status: 401, ct: problemCT,
			body: problem(401), wantErr: "status is not supported"},
		{name: "413 with a body", method: "POST", path: "/api/v1/widgets", status: 413, ct: problemCT, body: problem(413)},
		{name: "415 with a body", method: "POST", path: "/api/v1/widgets", status: 415, ct: problemCT, body: problem(415)},
		{name: "413 without a body", method: "GET", path: "/api/v1/widgets/w1", status: 413, ct: problemCT,
			body: problem(413), wantErr: "status is not supported"},
		{name: "undocumented 404 on a known route", method: "GET", path: "/api/v1/widgets", status: 404, ct: problemCT,
			body: problem404, wantErr: "status is not supported"},
		{name: "documented problem", method: "GET", path: "/api/v1/widgets/nope", status: 404, ct: problemCT, body: problem404},
		{name: "problem as application/json", method: "GET", path: "/api/v1/widgets/nope", status: 404, ct: jsonCT,
			body: problem404, wantErr: "Content-Type"},
		{name: "success as problem+json", method: "GET", path: "/api/v1/widgets/w1", status: 200, ct: problemCT,
			body: goodWidget, wantErr: "Content-Type"},
		{name: "problem missing a field", method: "GET", path: "/api/v1/widgets/nope", status: 404, ct: problemCT,
			body: strings.Replace(problem404, `"type": "urn:crm:problem:not_found",`, ``, 1), wantErr: `"type"`},
		{name: "problem missing request_id", method: "GET", path: "/api/v1/widgets/nope", status: 404, ct: problemCT,
			body: strings.Replace(problem404, `, "request_id": "r1"`, ``, 1), wantErr: `"request_id"`},
		{name: "problem with errors", method: "GET", path: "/api/v1/widgets/nope", status: 404, ct: problemCT,
			body: strings.Replace(problem404, `"code"`, `"errors": [{"field": "f", "message": "m"}], "code"`, 1)},
		{name: "problem with a partial error", method: "GET", path: "/api/v1/widgets/nope", status: 404, ct: problemCT,
			body: strings.Replace(problem404, `"code"`, `"errors": [{"field": "f"}], "code"`, 1), wantErr: `"message"`},
		{name: "default response", method: "POST", path: "/api/v1/widgets", status: 409, ct: problemCT, body: problem(409)},
		{name: "201 with header", method: "POST", path: "/api/v1/widgets", status: 201, ct: jsonCT,
			header: map[string]string{"ETag": `"1"`}, body: goodWidget},
		{name: "204 no body", method: "DELETE", path: "/api/v1/widgets/w1", status: 204},
		{name: "204 with a body", method: "DELETE", path: "/api/v1/widgets/w1", status: 204, ct: jsonCT,
			body: `{"ok": true}`, wantErr: "declares no body"},
		{name: "error documented without schema is a problem", method: "DELETE", path: "/api/v1/widgets/w1", status: 404, ct: problemCT, body: problem404},
		{name: "csv", method: "GET", path: "/api/v1/widgets/w1/export", status: 200, ct: "text/csv", body: "id,name\nw1,Sprocket\n"},
		{name: "HEAD body not checked", method: "HEAD", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT},

		// Outside /api/v1: skipped whatever the response.
		{name: "healthz", method: "GET", path: "/healthz", status: 200, ct: "text/plain", body: "ok"},
		{name: "readyz", method: "GET", path: "/readyz", status: 503, ct: jsonCT, body: `{}`},
		{name: "metrics", method: "GET", path: "/metrics", status: 200, ct: "text/plain", body: "# HELP"},
		{name: "openapi.json", method: "GET", path: "/openapi.json", status: 200, ct: jsonCT, body: `{}`},
		{name: "swagger ui", method: "GET", path: "/swagger/index.html", status: 200, ct: "text/html", body: "<html>"},
		{name: "prefix look-alike", method: "GET", path: "/api/v10/widgets", status: 200, ct: jsonCT, body: `{}`},

		// Unknown routes.
		{name: "unknown path 404", method: "GET", path: "/api/v1/gadgets", status: 404, ct: problemCT, body: problem404},
		{name: "unknown method 405", method: "PUT", path: "/api/v1/widgets/w1", status: 405, ct: problemCT, body: problem404},
		{name: "unknown path 200", method: "GET", path: "/api/v1/gadgets", status: 200, ct: jsonCT, body: `{}`,
			wantErr: "no such operation"},
		{name: "unknown method 200", method: "PATCH", path: "/api/v1/widgets/w1", status: 200, ct: jsonCT, body: goodWidget,
			wantErr: "no such operation"},
		{name: "preflight", method: "OPTIONS", path: "/api/v1/widgets", status: 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			h := http.Header{}
			if tt.ct != "" {
				h.Set("Content-Type", tt.ct)
			}
			for k, val := range tt.header {
				h.Set(k, val)
			}
			err := v.Check(req, tt.status, h, []byte(tt.body))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("no error, want one containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestValidatorErrorMessage(t *testing.T) {
	v := fixtureValidator(t)
	req := httptest.NewRequest("GET", "/api/v1/widgets/w1", nil)
	body := strings.Replace(goodWidget, `"count": 3`, `"count": "3"`, 1)
	body = strings.Replace(body, `"name": "Sprocket"`, `"name": 1`, 1)
	err := v.Check(req, 200, http.Header{"Content-Type": {jsonCT}}, []byte(body))
	var ce *CheckError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a *CheckError", err)
	}
	msg := err.Error()
	for _, want := range []string{"GET /api/v1/widgets/w1 -> 200", "getWidget", `"/count"`, `"/name"`, "body: {"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "Schema:") {
		t.Errorf("message dumps the schema:\n%s", msg)
	}
	t.Log(msg)
}

func TestNewValidatorRejectsGarbage(t *testing.T) {
	if _, err := NewValidator([]byte(`{"openapi": "3.0.3"}`)); err == nil {
		t.Error("no error for an invalid document")
	}
}

func TestEmbeddedDocument(t *testing.T) {
	doc, err := Load()
	if err != nil {
		t.Fatalf("docs/openapi.json: %v", err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != BasePath {
		t.Errorf("servers = %v", doc.Servers)
	}
	if _, err := NewEmbeddedValidator(); err != nil {
		t.Fatal(err)
	}
	if len(Document()) == 0 {
		t.Fatal("empty embedded document")
	}
	// What Convert promises holds for the served document too.
	ops := 0
	forEachOperation(doc, func(path, method string, _ *openapi3.PathItem, op *openapi3.Operation) {
		ops++
		for _, code := range []int{400, 500} {
			if op.Responses.Status(code) == nil {
				t.Errorf("%s %s: no %d response", method, path, code)
			}
		}
		if needsCredentials(doc, op) && op.Responses.Status(401) == nil {
			t.Errorf("%s %s: security but no 401 response", method, path)
		}
	})
	if ops == 0 {
		t.Error("no operations")
	}
	if p := doc.Components.Schemas[ProblemSchema]; p == nil || !slices.Contains(p.Value.Required, "request_id") {
		t.Error("Problem does not require request_id")
	}
}

func TestValidatorHelpers(t *testing.T) {
	v := fixtureValidator(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/widgets/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "bad" {
			w.Header().Set("Content-Type", jsonCT)
			_, _ = w.Write([]byte(`{"id": 1}`))
			return
		}
		w.Header().Set("Content-Type", jsonCT)
		_, _ = w.Write([]byte(goodWidget))
	})

	for id, wantErr := range map[string]bool{"w1": false, "bad": true} {
		req := httptest.NewRequest("GET", "/api/v1/widgets/"+id, nil)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if err := v.CheckRecorder(req, rec); (err != nil) != wantErr {
			t.Errorf("CheckRecorder %s: %v", id, err)
		}
	}

	srv := httptest.NewServer(mux)
	defer srv.Close()
	for id, wantErr := range map[string]bool{"w1": false, "bad": true} {
		res, err := srv.Client().Get(srv.URL + "/api/v1/widgets/" + id)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.CheckResponse(res); (err != nil) != wantErr {
			t.Errorf("CheckResponse %s: %v", id, err)
		}
		body, _ := io.ReadAll(res.Body)
		_ = res.Body.Close()
		if len(body) == 0 {
			t.Errorf("CheckResponse %s: the body was not put back", id)
		}
	}
}
