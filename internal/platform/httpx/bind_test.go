package httpx

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/apperr"
)

type inner struct {
	Count int `json:"count"`
}

type bindDst struct {
	Name  string   `json:"name"`
	Age   int      `json:"age"`
	Tags  []string `json:"tags"`
	Inner inner    `json:"inner"`
	Due   due      `json:"due"`
}

// due fails with a FieldDecodeError, like a custom date type would.
type due string

func (d *due) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil || s == "bad" {
		return &FieldDecodeError{Field: "due", Message: "invalid_time"}
	}
	*d = due(s)
	return nil
}

func ctxWith(body io.Reader, ctype string) echo.Context {
	req := httptest.NewRequest(http.MethodPost, "/", body)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return echo.New().NewContext(req, httptest.NewRecorder())
}

func bind(body, ctype string) (bindDst, error) {
	var d bindDst
	err := Bind(ctxWith(strings.NewReader(body), ctype), &d)
	return d, err
}

// wantErr checks the error's kind, code and (when given) the one field named.
func wantErr(t *testing.T, err error, kind error, code, field string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || !errors.Is(err, kind) || ae.Code != code {
		t.Fatalf("error %v, want %v %s", err, kind, code)
	}
	if field == "" {
		return
	}
	if len(ae.Fields) != 1 || ae.Fields[0].Field != field {
		t.Fatalf("fields %+v, want one naming %q", ae.Fields, field)
	}
}

func TestBindOK(t *testing.T) {
	for _, ct := range []string{"", "application/json", "application/json; charset=utf-8", "application/merge-patch+json", "Application/JSON"} {
		d, err := bind(` {"name":"Ada","age":36,"tags":["a"],"inner":{"count":2},"due":"2026-11-22"} `+"\n", ct)
		if err != nil {
			t.Fatalf("content type %q: %v", ct, err)
		}
		if d.Name != "Ada" || d.Age != 36 || d.Inner.Count != 2 || d.Due != "2026-11-22" {
			t.Fatalf("decoded %+v", d)
		}
	}
	if _, err := bind(`{"name":"a\\u0000b"}`, ""); err != nil {
		t.Fatalf("escaped backslash before u0000 is text: %v", err)
	}
}

func TestBindUnknownFieldNamesIt(t *testing.T) {
	_, err := bind(`{"name":"x","onwer_id":"u1"}`, "")
	wantErr(t, err, apperr.ErrBadRequest, "unknown_field", "onwer_id")
	_, err = bind(`{"inner":{"count":1,"cuont":2}}`, "")
	wantErr(t, err, apperr.ErrBadRequest, "unknown_field", "cuont")
}

func TestBindWrongTypeNamesIt(t *testing.T) {
	cases := map[string]string{
		`{"age":"36"}`:                 "age",
		`{"name":5}`:                   "name",
		`{"tags":"a"}`:                 "tags",
		`{"inner":{"count":"2"}}`:      "inner.count",
		`{"age":1.5}`:                  "age",
		`{"age":99999999999999999999}`: "age",
		`["not","an","object"]`:        "body",
		`"a string"`:                   "body",
		`{"due":"bad"}`:                "due",
		`{"due":5}`:                    "due",
	}
	for body, field := range cases {
		_, err := bind(body, "")
		t.Run(body, func(t *testing.T) { wantErr(t, err, apperr.ErrBadRequest, "wrong_type", field) })
	}
}

func TestBindMalformedAndTrailing(t *testing.T) {
	for _, body := range []string{
		`{"name":`, `{name:"x"}`, `{"name":"x",}`, `{'name':'x'}`, "{\"name\":\"a\x01b\"}",
		`{"name":"x"} trailing`, `{"name":"x"}}`, `{"name":"x"} {"name":"y"}`, `{"name":"x"}]`, `{} 1`,
	} {
		_, err := bind(body, "")
		t.Run(body, func(t *testing.T) { wantErr(t, err, apperr.ErrBadRequest, "malformed_json", "") })
	}
}

func TestBindEmptyBody(t *testing.T) {
	for _, body := range []string{"", "   \n\t", "null", " null "} {
		_, err := bind(body, "application/json")
		wantErr(t, err, apperr.ErrBadRequest, "body_required", "")
	}
}

func TestBindUnsupportedMediaType(t *testing.T) {
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "json", ";;;"} {
		_, err := bind(`{"name":"x"}`, ct)
		wantErr(t, err, apperr.ErrUnsupported, "unsupported_media", "")
	}
}

func TestBindNUL(t *testing.T) {
	for _, body := range []string{`{"name":"a\u0000b"}`, `{"tags":["\u0000"]}`, `{"name":"\\\u0000"}`} {
		_, err := bind(body, "")
		wantErr(t, err, apperr.ErrBadRequest, "nul_character", "")
	}
}

func TestBindTooLarge(t *testing.T) {
	big := `{"name":"` + strings.Repeat("x", MaxJSONBody) + `"}`
	// Unknown length: read up to the limit, then refuse.
	var d bindDst
	c := ctxWith(io.MultiReader(strings.NewReader(big)), "")
	c.Request().ContentLength = -1
	wantErr(t, Bind(c, &d), apperr.ErrTooLarge, "body_too_large", "")
	// Declared length over the limit: refused without reading.
	c = ctxWith(strings.NewReader(big), "")
	wantErr(t, Bind(c, &d), apperr.ErrTooLarge, "body_too_large", "")
	// Behind BodyLimit, the reader's MaxBytesError is a 413 as well.
	c = ctxWith(io.MultiReader(strings.NewReader(big)), "")
	c.Request().ContentLength = -1
	err := BodyLimit(MaxJSONBody)(func(c echo.Context) error { return Bind(c, &d) })(c)
	wantErr(t, err, apperr.ErrTooLarge, "body_too_large", "")
	// Exactly at the limit is fine.
	exact := `{"name":"` + strings.Repeat("x", MaxJSONBody-11) + `"}`
	if len(exact) != MaxJSONBody {
		t.Fatalf("test body is %d bytes", len(exact))
	}
	if _, err := bind(exact, ""); err != nil {
		t.Fatalf("body of exactly 1 MiB: %v", err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestBindReadError(t *testing.T) {
	var d bindDst
	c := ctxWith(failingReader{}, "")
	c.Request().ContentLength = -1
	wantErr(t, Bind(c, &d), apperr.ErrBadRequest, "malformed_json", "")
}
