package customer_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

func TestCustomerDuplicateCheck(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		stranger := env.User("rep", env.Team("West", ""))
		first := createCustomer(t, rep.Client, map[string]any{"name": "Acme Co., Ltd.", "phone": "0512-6288 1234",
			"email": "Sales@Acme.cn"})

		for _, body := range []map[string]any{{"name": "ＡＣＭＥ　Ｉｎｃ．"}, {"name": "x1", "phone": "+86 512 6288 1234"},
			{"name": "x2", "email": "sales＠ACME.cn"}} {
			p := rep.Post("/customers", body).Status(http.StatusConflict).Problem()
			if p.Code != "duplicate" || len(p.Matches) != 1 || p.Matches[0]["id"] != first.ID ||
				p.Matches[0]["type"] != "customer" {
				t.Errorf("%v: %+v", body, p)
			}
		}
		// Another team's rep learns that it exists, not which it is.
		p := stranger.Post("/customers", map[string]any{"name": "acme"}).Status(http.StatusConflict).Problem()
		if len(p.Matches) != 1 || p.Matches[0]["in_scope"] != false || p.Matches[0]["id"] != nil ||
			p.Matches[0]["name"] != nil {
			t.Errorf("masked: %+v", p.Matches)
		}
		dup := createDuplicate(t, stranger.Client, map[string]any{"name": "acme"})
		if acts := auditActions(t, env, "customer", dup.ID); len(acts) != 2 || acts[1] != "duplicate_override" {
			t.Errorf("audit %v", acts)
		}
		// Editing keeps the keys current: the old phone frees up.
		rep.Patch("/customers/"+first.ID, map[string]any{"phone": "021-0000 0000"}).Status(http.StatusOK)
		createCustomer(t, rep.Client, map[string]any{"name": "x3", "phone": "0512 62881234"})
		rep.Post("/customers", map[string]any{"name": "x4", "phone": "02100000000"}).Status(http.StatusConflict)
	})
}
