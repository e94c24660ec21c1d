package webform_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/lead"
	"github.com/opencrm/crm/internal/platform/config"
	"github.com/opencrm/crm/internal/webform"
)

func TestMain(m *testing.M) { apptest.Main(m) }

func form(t *testing.T, env *apptest.Env, body map[string]any) webform.FormResponse {
	t.Helper()
	var out webform.FormResponse
	env.Admin.Post("/web-forms", body).Status(http.StatusCreated).Decode(&out)
	return out
}

func submit(env *apptest.Env, key, origin string, body any) *apptest.Response {
	r := env.Anonymous().Req(http.MethodPost, "/public/forms/"+key+"/submissions", body)
	if origin != "" {
		r.Header("Origin", origin)
	}
	return r.Send()
}

// leadsFrom lists the leads a form created, as admin.
func leadsFrom(t *testing.T, env *apptest.Env, source string) []lead.LeadResponse {
	t.Helper()
	var out struct{ Data []lead.LeadResponse }
	env.Admin.Get("/leads?limit=200&source=" + source).Status(http.StatusOK).Decode(&out)
	return out.Data
}

func TestWebFormSubmission(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("官网", "")
		rep := env.User("rep", team)
		env.Admin.Post("/lead-assignment-rules", map[string]any{"name": "官网线索", "strategy": "user",
			"conditions": map[string]any{"source": "exhibition"}, "user_ids": []string{rep.ID}}).Status(http.StatusCreated)
		f := form(t, env, map[string]any{"name": "展会报名", "source": "exhibition",
			"allowed_origins": []string{"https://WWW.Example.cn/"}})
		if len(f.FormKey) < 20 || strings.ContainsAny(f.FormKey, "+/=") || f.AllowedOrigins[0] != "https://www.example.cn" ||
			!f.Active || !strings.Contains(f.SubmitPath, f.FormKey) {
			t.Fatalf("form %+v", f)
		}

		// No credentials needed; the answer says nothing about the lead.
		res := submit(env, f.FormKey, "https://www.example.cn", map[string]any{"name": "王建国", "company": "恒达",
			"phone": "+86 139 1234 5678", "email": "wang@example.cn", "message": "想了解报价"}).Status(http.StatusAccepted)
		if m := res.Map(); len(m) != 1 || m["status"] != "received" {
			t.Fatalf("answer %v", m)
		}
		got := leadsFrom(t, env, "exhibition")
		if len(got) != 1 {
			t.Fatalf("leads %+v", got)
		}
		l := got[0]
		if l.Name != "王建国" || l.Description != "想了解报价" || deref(l.OwnerID) != rep.ID || l.Status != "assigned" ||
			l.CreatedBy != f.ID {
			t.Fatalf("lead %+v", l)
		}
		var audit struct{ Data []map[string]any }
		env.Admin.Get("/audit-logs?entity_type=lead&entity_id=" + l.ID).Status(http.StatusOK).Decode(&audit)
		if len(audit.Data) != 1 || audit.Data[0]["actor_type"] != "web_form" || audit.Data[0]["actor_id"] != f.ID ||
			audit.Data[0]["ip"] == "" {
			t.Fatalf("audit %v", audit.Data)
		}

		// Wrong or missing origin: 403, nothing created.
		submit(env, f.FormKey, "https://evil.example", map[string]any{"name": "x"}).Status(http.StatusForbidden).Problem()
		submit(env, f.FormKey, "", map[string]any{"name": "x"}).Status(http.StatusForbidden).Problem()
		// Unknown key.
		submit(env, "no-such-key-0123456789", "", map[string]any{"name": "x"}).Status(http.StatusNotFound).Problem()
		submit(env, strings.Repeat("k", 300), "", map[string]any{"name": "x"}).Status(http.StatusNotFound).Problem()
		if n := len(leadsFrom(t, env, "exhibition")); n != 1 {
			t.Fatalf("refused submissions created leads: %d", n)
		}

		// Open form (no origins): the honeypot is accepted silently and
		// creates nothing; huge fields are 422; the sixth post in a minute
		// from one address is 429.
		open := form(t, env, map[string]any{"name": "官网咨询"})
		if open.Source != "web_form" {
			t.Fatalf("default source %q", open.Source)
		}
		submit(env, open.FormKey, "", map[string]any{"name": "bot", "website": "http://spam"}).Status(http.StatusAccepted)
		p := submit(env, open.FormKey, "", map[string]any{"name": strings.Repeat("名", 201)}).
			Status(http.StatusUnprocessableEntity).Problem()
		if !p.HasField("name") {
			t.Fatalf("problem %+v", p)
		}
		p = submit(env, open.FormKey, "", map[string]any{"name": "x", "message": strings.Repeat("m", 5001)}).
			Status(http.StatusUnprocessableEntity).Problem()
		if !p.HasField("message") {
			t.Fatalf("problem %+v", p)
		}
		submit(env, open.FormKey, "", map[string]any{"company": "no name"}).Status(http.StatusUnprocessableEntity)
		submit(env, open.FormKey, "", map[string]any{"name": "张三", "region": "华北"}).Status(http.StatusAccepted)
		res = submit(env, open.FormKey, "", map[string]any{"name": "李四"}).Status(http.StatusTooManyRequests)
		if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
			t.Fatalf("Retry-After %q", res.Header.Get("Retry-After"))
		}
		got = leadsFrom(t, env, "web_form")
		if len(got) != 1 || got[0].Name != "张三" || got[0].OwnerID != nil || got[0].Status != "new" {
			t.Fatalf("open form leads %+v", got)
		}
		// Another form has its own allowance.
		other := form(t, env, map[string]any{"name": "第二个"})
		submit(env, other.FormKey, "", map[string]any{"name": "王五"}).Status(http.StatusAccepted)

		// Body over 1 MiB: 413.
		big := fmt.Sprintf(`{"name":"x","message":"%s"}`, strings.Repeat("a", 1<<20+10))
		submit(env, other.FormKey, "", big).Status(http.StatusRequestEntityTooLarge)

		// Inactive form: 404.
		env.Admin.Patch("/web-forms/"+other.ID, map[string]any{"active": false}).Status(http.StatusOK)
		submit(env, other.FormKey, "", map[string]any{"name": "赵六"}).Status(http.StatusNotFound).Problem()
	})
}

func TestWebFormAdmin(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("表单", "")
		rep, mgr := env.User("rep", team), env.User("manager", team)
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"name": ""}, "name"},
			{map[string]any{"name": strings.Repeat("n", 101)}, "name"},
			{map[string]any{"name": "x", "source": "fax"}, "source"},
			{map[string]any{"name": "x", "allowed_origins": []string{"example.com"}}, "allowed_origins"},
			{map[string]any{"name": "x", "allowed_origins": []string{"https://a.example/path"}}, "allowed_origins"},
			{map[string]any{"name": "x", "allowed_origins": []string{"ftp://a.example"}}, "allowed_origins"},
		} {
			p := env.Admin.Post("/web-forms", c.body).Status(http.StatusUnprocessableEntity).Problem()
			if !p.HasField(c.field) {
				t.Errorf("%v: problem %+v", c.body, p)
			}
		}
		f := form(t, env, map[string]any{"name": "表单", "allowed_origins": []string{"https://a.example"}})
		g := form(t, env, map[string]any{"name": "另一个"})
		if f.FormKey == g.FormKey {
			t.Fatal("keys repeat")
		}
		for _, c := range []*apptest.Client{rep.Client, mgr.Client} {
			c.Get("/web-forms").Status(http.StatusForbidden).Problem()
			c.Post("/web-forms", map[string]any{"name": "x"}).Status(http.StatusForbidden)
			c.Get("/web-forms/" + f.ID).Status(http.StatusForbidden)
		}
		env.Anonymous().Get("/web-forms").Status(http.StatusUnauthorized)
		var list webform.FormList
		env.Admin.Get("/web-forms").Status(http.StatusOK).Decode(&list)
		if len(list.Data) != 2 || list.Data[0].ID != g.ID {
			t.Fatalf("list %+v", list)
		}
		var up webform.FormResponse
		env.Admin.Patch("/web-forms/"+f.ID, map[string]any{"allowed_origins": []string{}, "source": "referral"}).
			Status(http.StatusOK).Decode(&up)
		if len(up.AllowedOrigins) != 0 || up.Source != "referral" || up.FormKey != f.FormKey || up.Version != 2 {
			t.Fatalf("updated %+v", up)
		}
		env.Admin.Req(http.MethodDelete, "/web-forms/"+f.ID, nil).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed)
		env.Admin.Delete("/web-forms/" + f.ID).Status(http.StatusNoContent)
		env.Admin.Get("/web-forms/" + f.ID).Status(http.StatusNotFound).Problem()
		env.Admin.Get("/web-forms/nope").Status(http.StatusNotFound)
		submit(env, f.FormKey, "", map[string]any{"name": "x"}).Status(http.StatusNotFound)
	})
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func TestWebFormCORS(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		// A global CORS allow-list for the SPA must not swallow form preflights.
		env := apptest.New(t, b, func(c *config.Config) { c.CORSOrigins = []string{"https://app.crm.example"} })
		f := form(t, env, map[string]any{"name": "官网", "allowed_origins": []string{"https://www.example.cn"}})
		open := form(t, env, map[string]any{"name": "任意站点"})
		pre := func(key, origin string) *apptest.Response {
			r := env.Anonymous().Req(http.MethodOptions, "/public/forms/"+key+"/submissions", nil).
				Header("Access-Control-Request-Method", "POST")
			if origin != "" {
				r = r.Header("Origin", origin)
			}
			return r.Send()
		}
		r := pre(f.FormKey, "https://www.example.cn").Status(http.StatusNoContent)
		if r.Header.Get("Access-Control-Allow-Origin") != "https://www.example.cn" ||
			!strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "POST") ||
			!strings.Contains(r.Header.Get("Access-Control-Allow-Headers"), "Content-Type") {
			t.Fatalf("preflight headers = %v", r.Header)
		}
		r = pre(f.FormKey, "https://evil.example").Status(http.StatusForbidden)
		if r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatal("refused origin got an allow-origin header")
		}
		pre("no-such-form", "https://www.example.cn").Status(http.StatusNotFound)
		pre(f.FormKey, "").Status(http.StatusNotFound)
		// A form without allowed origins takes any site.
		if got := pre(open.FormKey, "https://any.example").Status(http.StatusNoContent).
			Header.Get("Access-Control-Allow-Origin"); got != "https://any.example" {
			t.Fatalf("open form allow-origin = %q", got)
		}
		// The POST answer is readable by the allowed page, not by others.
		ok := submit(env, f.FormKey, "https://www.example.cn", map[string]any{"name": "王先生"}).Status(http.StatusAccepted)
		if ok.Header.Get("Access-Control-Allow-Origin") != "https://www.example.cn" {
			t.Fatalf("POST allow-origin = %q", ok.Header.Get("Access-Control-Allow-Origin"))
		}
		bad := submit(env, f.FormKey, "https://evil.example", map[string]any{"name": "x"}).Status(http.StatusForbidden)
		if bad.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatal("refused origin can read the answer")
		}
	})
}
