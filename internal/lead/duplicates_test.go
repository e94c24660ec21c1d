package lead_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

// matchIDs lists the ids of in-scope matches of one type.
func matchIDs(ms []map[string]any, typ string) []string {
	var out []string
	for _, m := range ms {
		if m["type"] == typ && m["in_scope"] == true {
			out = append(out, m["id"].(string))
		}
	}
	return out
}

func TestLeadDuplicateCheck(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		rep := env.User("rep", team)
		first := create(t, rep.Client, map[string]any{"name": "王建国", "company": "苏州恒达精密机械有限公司",
			"phone": "+86 138 0013 8000", "email": "Wang@Hengda.cn"})

		// Lead ↔ lead, through every normalisation the issue names.
		for _, body := range []map[string]any{
			{"name": "A", "phone": "＋８６ １３８-0013-8000"},
			{"name": "B", "phone": "0086 138 0013 8000"},
			{"name": "C", "phone": "13800138000"},
			{"name": "D", "email": "ＷＡＮＧ＠hengda.CN"},
			{"name": "E", "company": " 苏州恒达精密机械 "},
		} {
			p := rep.Post("/leads", body).Status(http.StatusConflict).Problem()
			if p.Code != "duplicate" || !slices.Equal(matchIDs(p.Matches, "lead"), []string{first.ID}) {
				t.Errorf("%v: %+v", body, p)
			}
			if p.Matches[0]["owner_id"] != rep.ID || p.Matches[0]["name"] != "王建国" {
				t.Errorf("%v: match details %+v", body, p.Matches[0])
			}
		}
		// Unrelated values pass; full-width input is stored as ASCII.
		other := create(t, rep.Client, map[string]any{"name": "F", "phone": "＋８６ １３９-0000-0001",
			"email": "f＠example.com"})
		if other.Phone != "+86 139-0000-0001" || other.Email != "f@example.com" {
			t.Errorf("stored %q %q", other.Phone, other.Email)
		}

		// Lead ↔ customer: a customer's name, and a contact's mobile.
		cust := struct{ ID string }{}
		env.Admin.Post("/customers", map[string]any{"name": "杭州云帆科技有限公司", "owner_id": rep.ID}).
			Status(http.StatusCreated).Decode(&cust)
		env.Admin.Post("/contacts", map[string]any{"customer_id": cust.ID, "name": "赵六",
			"mobile": "13700000007"}).Status(http.StatusCreated)
		for _, body := range []map[string]any{{"name": "G", "company": "杭州云帆科技"},
			{"name": "H", "phone": "+86 137 0000 0007"}} {
			p := rep.Post("/leads", body).Status(http.StatusConflict).Problem()
			if !slices.Equal(matchIDs(p.Matches, "customer"), []string{cust.ID}) {
				t.Errorf("%v: %+v", body, p.Matches)
			}
		}
		// Customer ↔ lead.
		p := rep.Post("/customers", map[string]any{"name": "苏州恒达精密机械股份有限公司"}).
			Status(http.StatusConflict).Problem()
		if !slices.Equal(matchIDs(p.Matches, "lead"), []string{first.ID}) || p.Matches[0]["matched_on"].([]any)[0] != "company" {
			t.Errorf("customer ↔ lead: %+v", p.Matches)
		}

		// Out of scope: reported, without details.
		stranger := env.User("rep", env.Team("West", ""))
		p = stranger.Post("/leads", map[string]any{"name": "I", "email": "wang@hengda.cn"}).
			Status(http.StatusConflict).Problem()
		if len(p.Matches) != 1 || p.Matches[0]["in_scope"] != false || p.Matches[0]["type"] != "lead" {
			t.Fatalf("masked: %+v", p.Matches)
		}
		for _, k := range []string{"id", "name", "owner_id"} {
			if _, ok := p.Matches[0][k]; ok {
				t.Errorf("out-of-scope match shows %s: %+v", k, p.Matches[0])
			}
		}

		// allow_duplicate creates it, and the override is audited.
		var dup struct{ ID string }
		stranger.Post("/leads?allow_duplicate=true", map[string]any{"name": "I", "email": "wang@hengda.cn"}).
			Status(http.StatusCreated).Decode(&dup)
		rows := auditRows(t, env, "lead", dup.ID)
		if len(rows) != 2 || rows[0]["action"] != "create" || rows[1]["action"] != "duplicate_override" {
			t.Fatalf("audit: %+v", rows)
		}
		// A deleted lead no longer counts.
		rep.Delete("/leads/" + other.ID).Status(http.StatusNoContent)
		create(t, rep.Client, map[string]any{"name": "F2", "phone": "13900000001"})
	})
}

func TestLeadDuplicatesEndpoint(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		stranger := env.User("rep", env.Team("West", ""))
		l := create(t, rep.Client, map[string]any{"name": "王建国", "company": "Acme Co., Ltd.", "phone": "13800138000"})
		check := func(c *apptest.Client, q url.Values) []map[string]any {
			var out struct {
				Matches []map[string]any `json:"matches"`
			}
			c.Get("/leads/duplicates?" + q.Encode()).Status(http.StatusOK).Decode(&out)
			return out.Matches
		}
		ms := check(rep.Client, url.Values{"phone": {"+86 138-0013-8000"}, "company": {"ACME inc"}})
		if len(ms) != 1 || ms[0]["id"] != l.ID || len(ms[0]["matched_on"].([]any)) != 2 {
			t.Errorf("own: %+v", ms)
		}
		ms = check(stranger.Client, url.Values{"company": {"acme"}})
		if len(ms) != 1 || ms[0]["in_scope"] != false || ms[0]["id"] != nil {
			t.Errorf("stranger: %+v", ms)
		}
		if ms := check(rep.Client, url.Values{"email": {"nobody@example.com"}}); len(ms) != 0 {
			t.Errorf("no match: %+v", ms)
		}
		p := rep.Get("/leads/duplicates?phone=").Status(http.StatusUnprocessableEntity).Problem()
		problemField(t, p, "validation_failed", "phone")
	})
}

// A public form must not reveal what already exists: a duplicate
// submission is answered like any other and still creates the lead; the
// duplicate is flagged in the audit log for staff.
func TestWebFormDuplicateIsQuiet(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		var f struct {
			FormKey string `json:"form_key"`
		}
		env.Admin.Post("/web-forms", map[string]any{"name": "官网", "source": "web_form"}).
			Status(http.StatusCreated).Decode(&f)
		existing := create(t, env.Admin, map[string]any{"name": "王建国", "phone": "13800138000"})
		var answers []map[string]any
		for _, phone := range []string{"+86 138 0013 8000", "13911112222"} {
			res := env.Anonymous().Req(http.MethodPost, "/public/forms/"+f.FormKey+"/submissions",
				map[string]any{"name": "访客", "phone": phone}).Send().Status(http.StatusAccepted)
			answers = append(answers, res.Map())
		}
		if len(answers[0]) != len(answers[1]) || answers[0]["status"] != answers[1]["status"] {
			t.Errorf("answers differ: %v", answers)
		}
		var out leadList
		env.Admin.Get("/leads?source=web_form&limit=200").Status(http.StatusOK).Decode(&out)
		if len(out.Data) != 2 {
			t.Fatalf("form leads: %d", len(out.Data))
		}
		flagged := 0
		for _, l := range out.Data {
			for _, r := range auditRows(t, env, "lead", l.ID) {
				if r["action"] == "duplicate_detected" {
					flagged++
					if l.Phone != "+86 138 0013 8000" {
						t.Errorf("flagged the wrong lead %+v", l)
					}
				}
			}
		}
		if flagged != 1 {
			t.Errorf("flagged %d, want 1 (matching %s)", flagged, existing.ID)
		}
	})
}
