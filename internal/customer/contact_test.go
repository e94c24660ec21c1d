package customer_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/customer"
)

func TestContactCRUD(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		c := createCustomer(t, rep.Client, map[string]any{"name": "Acme"})
		c2 := createCustomer(t, rep.Client, map[string]any{"name": "Other"})
		resp := rep.Post("/contacts", map[string]any{"customer_id": c.ID, "name": " 王建国 ", "title": "采购经理",
			"mobile": "13912345678", "email": "wang@acme.example.com", "wechat": "wjg", "birthday": "1980-05-17",
			"decision_role": "decision_maker", "notes": "喜欢喝茶"}).Status(http.StatusCreated)
		if resp.Header.Get("ETag") != `"1"` {
			t.Errorf("ETag %q", resp.Header.Get("ETag"))
		}
		var ct customer.ContactResponse
		resp.Decode(&ct)
		if ct.Name != "王建国" || ct.CustomerID != c.ID || ct.Birthday == nil || *ct.Birthday != "1980-05-17" || ct.Masked {
			t.Errorf("created %+v", ct)
		}
		createContact(t, rep.Client, map[string]any{"customer_id": c2.ID, "name": "李娜"})

		var l contactList
		rep.Get("/contacts?customer_id=" + c.ID).Status(http.StatusOK).Decode(&l)
		if len(l.Data) != 1 || l.Data[0].ID != ct.ID {
			t.Errorf("filter customer_id: %+v", l.Data)
		}
		rep.Get("/contacts?q=李").Status(http.StatusOK).Decode(&l)
		if len(l.Data) != 1 || l.Data[0].Name != "李娜" {
			t.Errorf("filter q: %+v", l.Data)
		}
		rep.Get("/customers/" + c.ID + "/contacts?include_total=true").Status(http.StatusOK).Decode(&l)
		if len(l.Data) != 1 || *l.Total != 1 {
			t.Errorf("customer's contacts: %+v", l.Data)
		}

		var up customer.ContactResponse
		rep.Req("PATCH", "/contacts/"+ct.ID, map[string]any{"title": "采购总监", "birthday": ""}).Header("If-Match", `"1"`).
			Send().Status(http.StatusOK).Decode(&up)
		if up.Title != "采购总监" || up.Birthday != nil || up.Version != 2 || up.Mobile != "13912345678" {
			t.Errorf("updated %+v", up)
		}
		rep.Req("PATCH", "/contacts/"+ct.ID, map[string]any{"title": "x"}).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed)
		for body, field := range map[string]string{
			`{"name":""}`:                                  "name",
			`{"email":"bad"}`:                              "email",
			`{"mobile":"abc"}`:                             "mobile",
			`{"birthday":"17/05/1980"}`:                    "birthday",
			`{"birthday":"2999-01-01"}`:                    "birthday",
			`{"decision_role":"boss"}`:                     "decision_role",
			`{"title":"` + strings.Repeat("t", 101) + `"}`: "title",
		} {
			p := rep.Patch("/contacts/"+ct.ID, body).Status(http.StatusUnprocessableEntity).Problem()
			problemCode(t, p, "validation_failed", field)
		}
		rep.Patch("/contacts/"+ct.ID, `{"customer_id":"x"}`).Status(http.StatusBadRequest)
		p := rep.Post("/contacts", map[string]any{"name": "x"}).Status(http.StatusUnprocessableEntity).Problem()
		problemCode(t, p, "validation_failed", "customer_id")
		rep.Post("/contacts", map[string]any{"customer_id": "nope", "name": "x"}).Status(http.StatusUnprocessableEntity)
		rep.Get("/contacts/nope").Status(http.StatusNotFound)

		rep.Delete("/contacts/" + ct.ID).Status(http.StatusNoContent)
		rep.Get("/contacts/" + ct.ID).Status(http.StatusNotFound)
		rep.Delete("/contacts/" + ct.ID).Status(http.StatusNotFound)
		if got := auditActions(t, env, "contact", ct.ID); !slices.Equal(got, []string{"create", "update", "delete"}) {
			t.Errorf("audit %v", got)
		}
	})
}

func TestCustomerFollowUps(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		c := createCustomer(t, rep.Client, map[string]any{"name": "Acme"})
		early := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Second)
		var f1, f2 customer.FollowUpResponse
		rep.Post("/customers/"+c.ID+"/follow-ups", map[string]any{"channel": "call", "content": "first",
			"feedback": "interested", "next_step": "send quote"}).Status(http.StatusCreated).Decode(&f1)
		rep.Post("/customers/"+c.ID+"/follow-ups", map[string]any{"channel": "wechat", "content": "logged late",
			"followed_at": early.Format(time.RFC3339)}).Status(http.StatusCreated).Decode(&f2)
		g := getCustomer(t, rep.Client, c.ID)
		if g.LastFollowedAt == nil || !g.LastFollowedAt.Equal(f1.FollowedAt) || g.Version != 3 {
			t.Errorf("last_followed_at %v (want %v), version %d", g.LastFollowedAt, f1.FollowedAt, g.Version)
		}
		var l struct {
			Data []customer.FollowUpResponse `json:"data"`
		}
		rep.Get("/customers/" + c.ID + "/follow-ups").Status(http.StatusOK).Decode(&l)
		if len(l.Data) != 2 || l.Data[0].ID != f1.ID || l.Data[1].ID != f2.ID || l.Data[0].Feedback != "interested" {
			t.Errorf("follow-ups %+v", l.Data)
		}
		for body, field := range map[string]string{
			`{"channel":"fax","content":"x"}`: "channel",
			`{"channel":"call"}`:              "content",
			`{"channel":"call","content":"x","followed_at":"2999-01-01T00:00:00Z"}`: "followed_at",
			`{"channel":"call","content":"x","followed_at":"soon"}`:                 "followed_at",
			`{"channel":"call","content":"x","next_follow_up_at":"2000-01-01"}`:     "next_follow_up_at",
		} {
			p := rep.Post("/customers/"+c.ID+"/follow-ups", body).Status(http.StatusUnprocessableEntity).Problem()
			problemCode(t, p, "validation_failed", field)
		}
		rep.Post("/customers/nope/follow-ups", map[string]any{"channel": "call", "content": "x"}).Status(http.StatusNotFound)
		rep.Get("/customers/" + c.ID + "/follow-ups?sort=bogus").Status(http.StatusBadRequest)
		if got := auditActions(t, env, "activity", f1.ID); !slices.Equal(got, []string{"create"}) {
			t.Errorf("audit %v", got)
		}
	})
}
