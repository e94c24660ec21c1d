package customer_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

// A substring search over a pool customer's masked phone or email would
// unmask it a digit at a time (q=1380, q=13801, ...): for callers who see
// the pool masked, q leaves those columns out; admins still search them.
func TestPoolSearchDoesNotUnmask(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		c := createCustomer(t, env.Admin, map[string]any{"name": "Pool Co", "phone": "13800138000",
			"email": "secret.buyer@pool.example.com"})
		var ct struct{ ID string }
		env.Admin.Post("/contacts", map[string]any{"customer_id": c.ID, "name": "Wang", "mobile": "13912345678",
			"email": "wang.private@pool.example.com", "wechat": "wang_secret"}).Status(http.StatusCreated).Decode(&ct)

		for _, q := range []string{"0013", "secret.buyer", "pool.example"} {
			if n := len(listCustomers(t, rep.Client, "/customers/pool?q="+q).Data); n != 0 {
				t.Errorf("rep pool q=%s: %d matches, want 0 (masked columns searched)", q, n)
			}
			if n := len(listCustomers(t, env.Admin, "/customers/pool?q="+q).Data); n != 1 {
				t.Errorf("admin pool q=%s: %d matches, want 1", q, n)
			}
		}
		if n := len(listCustomers(t, rep.Client, "/customers/pool?q=Pool").Data); n != 1 {
			t.Errorf("rep pool q=Pool: %d matches, want 1", n)
		}
		for _, q := range []string{"1234", "wang.private", "wang_sec"} {
			var out contactList
			rep.Get("/customers/" + c.ID + "/contacts?q=" + q).Status(http.StatusOK).Decode(&out)
			if len(out.Data) != 0 {
				t.Errorf("rep contacts q=%s: %d matches, want 0", q, len(out.Data))
			}
			env.Admin.Get("/customers/" + c.ID + "/contacts?q=" + q).Status(http.StatusOK).Decode(&out)
			if len(out.Data) != 1 {
				t.Errorf("admin contacts q=%s: %d matches, want 1", q, len(out.Data))
			}
		}
		// Once claimed, the owner searches everything again.
		rep.Post("/customers/"+c.ID+"/claim", nil).Status(http.StatusOK)
		if n := len(listCustomers(t, rep.Client, "/customers?q=0013").Data); n != 1 {
			t.Errorf("owner q=0013: %d matches, want 1", n)
		}
		var out contactList
		rep.Get("/customers/" + c.ID + "/contacts?q=wang_sec").Status(http.StatusOK).Decode(&out)
		if len(out.Data) != 1 {
			t.Errorf("owner contacts q=wang_sec: %d matches, want 1", len(out.Data))
		}
	})
}
