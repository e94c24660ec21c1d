package lead_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/lead"
)

type conversion struct {
	Lead     lead.LeadResponse         `json:"lead"`
	Customer customer.CustomerResponse `json:"customer"`
	Contact  customer.ContactResponse  `json:"contact"`
}

// total counts a list as the admin sees it.
func total(t *testing.T, env *apptest.Env, path string) int64 {
	t.Helper()
	var out struct {
		Total *int64 `json:"total"`
	}
	env.Admin.Get(path + "?include_total=true").Status(http.StatusOK).Decode(&out)
	return *out.Total
}

func TestConvertToNewCustomer(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		l := create(t, rep.Client, map[string]any{"name": "王建国", "company": "苏州恒达精密机械有限公司",
			"title": "采购经理", "phone": "+86 139 1234 5678", "email": "wang@hengda.cn", "region": "江苏",
			"source": "exhibition", "tags": []string{"华东"}})
		rep.Post("/leads/"+l.ID+"/follow-ups", map[string]any{"channel": "call", "content": "首次电话沟通"}).
			Status(http.StatusCreated)

		var out conversion
		res := rep.Post("/leads/"+l.ID+"/convert", map[string]any{"customer": map[string]any{"industry": "机械制造",
			"size": "medium"}, "contact": map[string]any{"decision_role": "decision_maker"}}).Status(http.StatusOK)
		res.Decode(&out)
		c, ct := out.Customer, out.Contact
		if c.Name != "苏州恒达精密机械有限公司" || c.Industry != "机械制造" || c.Region != "江苏" ||
			c.Source != "exhibition" || deref(c.OwnerID) != rep.ID || len(c.Tags) != 1 {
			t.Errorf("customer: %+v", c)
		}
		if ct.CustomerID != c.ID || ct.Name != "王建国" || ct.Title != "采购经理" || ct.Mobile != "+86 139 1234 5678" ||
			ct.Email != "wang@hengda.cn" || ct.DecisionRole != "decision_maker" {
			t.Errorf("contact: %+v", ct)
		}
		got := out.Lead
		if got.Status != "converted" || deref(got.CustomerID) != c.ID || deref(got.ContactID) != ct.ID ||
			got.ConvertedAt == nil || got.Version != l.Version+2 {
			t.Errorf("lead: %+v", got)
		}
		if g := get(t, rep.Client, l.ID); g.Status != "converted" || deref(g.CustomerID) != c.ID {
			t.Errorf("stored lead: %+v", g)
		}

		// Twice is a conflict; so is converting a disqualified lead.
		p := rep.Post("/leads/"+l.ID+"/convert", map[string]any{}).Status(http.StatusConflict).Problem()
		problemField(t, p, "invalid_transition", "")
		d := create(t, rep.Client, map[string]any{"name": "无效线索"})
		rep.Post("/leads/"+d.ID+"/disqualify", map[string]any{"reason": "空号"}).Status(http.StatusOK)
		rep.Post("/leads/"+d.ID+"/convert", map[string]any{}).Status(http.StatusConflict)

		// The customer's timeline shows the lead's follow-ups and the conversion.
		var tl struct {
			Data []struct {
				Type    string `json:"type"`
				Summary string `json:"summary"`
				RefID   string `json:"ref_id"`
			} `json:"data"`
		}
		rep.Get("/customers/" + c.ID + "/timeline").Status(http.StatusOK).Decode(&tl)
		types := map[string]string{}
		for _, it := range tl.Data {
			types[it.Type] = it.Summary
		}
		if types["lead_follow_up"] != "call: 首次电话沟通" || types["lead_converted"] == "" || types["contact_added"] == "" {
			t.Errorf("timeline: %+v", tl.Data)
		}

		// Audited on all three.
		if rows := auditRows(t, env, "lead", l.ID); rows[len(rows)-1]["action"] != "convert" {
			t.Errorf("lead audit: %+v", rows)
		}
		for typ, id := range map[string]string{"customer": c.ID, "contact": ct.ID} {
			if rows := auditRows(t, env, typ, id); len(rows) == 0 || rows[0]["action"] != "create" {
				t.Errorf("%s audit: %+v", typ, rows)
			}
		}
	})
}

func TestConvertToExistingCustomer(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		rep, other := env.User("rep", team), env.User("rep", team)
		var cust, foreign customer.CustomerResponse
		rep.Post("/customers", map[string]any{"name": "恒达"}).Status(http.StatusCreated).Decode(&cust)
		other.Post("/customers", map[string]any{"name": "别家"}).Status(http.StatusCreated).Decode(&foreign)
		l := create(t, rep.Client, map[string]any{"name": "李四", "phone": "0512-6288 1234"})

		p := rep.Post("/leads/"+l.ID+"/convert", map[string]any{"customer_id": foreign.ID}).
			Status(http.StatusUnprocessableEntity).Problem()
		problemField(t, p, "validation_failed", "customer_id")
		p = rep.Post("/leads/"+l.ID+"/convert", map[string]any{"customer_id": cust.ID,
			"customer": map[string]any{"name": "x"}}).Status(http.StatusUnprocessableEntity).Problem()
		problemField(t, p, "validation_failed", "customer_id")

		var out conversion
		rep.Post("/leads/"+l.ID+"/convert", map[string]any{"customer_id": cust.ID}).Status(http.StatusOK).Decode(&out)
		if out.Customer.ID != cust.ID || out.Contact.CustomerID != cust.ID || out.Contact.Phone != "0512-6288 1234" ||
			deref(out.Lead.CustomerID) != cust.ID {
			t.Errorf("%+v", out)
		}
		if n := total(t, env, "/customers"); n != 2 {
			t.Errorf("customers: %d, want 2", n)
		}
		// A rep cannot convert someone else's lead: it is not there for them.
		ol := create(t, other.Client, map[string]any{"name": "他人线索"})
		rep.Post("/leads/"+ol.ID+"/convert", map[string]any{}).Status(http.StatusNotFound)
	})
}

func TestConvertIsAtomic(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		l := create(t, rep.Client, map[string]any{"name": "王五", "company": "原子公司"})
		customers, contacts := total(t, env, "/customers"), total(t, env, "/contacts")

		// The customer is inserted first; the contact then fails validation
		// inside the same transaction, which must take the customer with it.
		p := rep.Post("/leads/"+l.ID+"/convert", map[string]any{"contact": map[string]any{"email": "not-an-email"}}).
			Status(http.StatusUnprocessableEntity).Problem()
		problemField(t, p, "validation_failed", "contact.email")
		if c, ct := total(t, env, "/customers"), total(t, env, "/contacts"); c != customers || ct != contacts {
			t.Errorf("left behind: customers %d→%d, contacts %d→%d", customers, c, contacts, ct)
		}
		if g := get(t, rep.Client, l.ID); g.Status != l.Status || g.Version != l.Version || g.CustomerID != nil {
			t.Errorf("lead changed: %+v", g)
		}
		// The duplicate check on the new customer applies; the lead itself
		// does not count, another lead with its company does.
		create(t, rep.Client, map[string]any{"name": "同事"}) // no company: no match
		dup := create(t, rep.Client, map[string]any{"name": "另一线索", "company": "别的公司"})
		rep.Post("/leads/"+dup.ID+"/convert", map[string]any{"customer": map[string]any{"name": "原子公司"}}).
			Status(http.StatusConflict)
		rep.Post("/leads/"+l.ID+"/convert", map[string]any{}).Status(http.StatusOK)
	})
}
