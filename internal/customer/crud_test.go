package customer_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

func TestCustomerCRUD(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		rep := env.User("rep", team)
		mgr := env.User("manager", team)

		resp := rep.Post("/customers", map[string]any{"name": "  恒达精密  ", "industry": "机械制造", "size": "medium",
			"potential": "high", "level": "A", "region": "江苏", "phone": "0512-6288 1234",
			"email": "buy@hengda.example.cn", "tags": []string{"新客户", "新客户", " 重点 "}}).Status(http.StatusCreated)
		if resp.Header.Get("ETag") != `"1"` {
			t.Errorf("ETag %q", resp.Header.Get("ETag"))
		}
		var made struct{ ID string }
		resp.Decode(&made)
		c := getCustomer(t, rep.Client, made.ID)
		if c.Name != "恒达精密" || deref(c.OwnerID) != rep.ID || c.OwnedSince == nil || c.Source != "manual" ||
			c.LifecycleStage != "prospect" || !slices.Equal(c.Tags, []string{"新客户", "重点"}) || c.Masked || c.Version != 1 {
			t.Fatalf("created %+v", c)
		}

		// PATCH with If-Match; a stale one is 412 and changes nothing.
		var up struct {
			Industry string
			Version  int
		}
		rep.Req("PATCH", "/customers/"+c.ID, map[string]any{"industry": "装备", "lifecycle_stage": "active"}).
			Header("If-Match", `"1"`).Send().Status(http.StatusOK).Decode(&up)
		if up.Industry != "装备" || up.Version != 2 {
			t.Errorf("updated %+v", up)
		}
		rep.Req("PATCH", "/customers/"+c.ID, map[string]any{"industry": "x"}).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed)
		if got := getCustomer(t, rep.Client, c.ID); got.Industry != "装备" {
			t.Errorf("412 changed the customer: %+v", got)
		}

		// locked is for managers and admins.
		rep.Patch("/customers/"+c.ID, map[string]any{"locked": true}).Status(http.StatusForbidden)
		var locked struct{ Locked bool }
		mgr.Patch("/customers/"+c.ID, map[string]any{"locked": true}).Status(http.StatusOK).Decode(&locked)
		if !locked.Locked {
			t.Error("manager could not lock")
		}

		// Reps do not delete customers; a manager over them does.
		rep.Delete("/customers/" + c.ID).Status(http.StatusForbidden)
		mgr.Req("DELETE", "/customers/"+c.ID, nil).Header("If-Match", `"1"`).Send().Status(http.StatusPreconditionFailed)
		mgr.Delete("/customers/" + c.ID).Status(http.StatusNoContent)
		rep.Get("/customers/" + c.ID).Status(http.StatusNotFound)
		env.Admin.Get("/customers/" + c.ID).Status(http.StatusNotFound)
		mgr.Delete("/customers/" + c.ID).Status(http.StatusNotFound)

		if got := auditActions(t, env, "customer", c.ID); !slices.Equal(got, []string{"create", "update", "update", "delete"}) {
			t.Errorf("audit actions %v", got)
		}
	})
}

func TestCustomerOwnerOnCreate(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east, west := env.Team("East", ""), env.Team("West", "")
		rep, other := env.User("rep", east), env.User("rep", west)
		mgr := env.User("manager", east)

		// admin and manager without owner_id: the public pool.
		if c := createCustomer(t, env.Admin, map[string]any{"name": "A"}); c.OwnerID != nil || c.OwnedSince != nil {
			t.Errorf("admin's customer owned: %+v", c)
		}
		if c := createCustomer(t, mgr.Client, map[string]any{"name": "M"}); c.OwnerID != nil {
			t.Errorf("manager's customer owned: %+v", c)
		}
		// with owner_id: that owner, who is told about it.
		c := createCustomer(t, mgr.Client, map[string]any{"name": "For rep", "owner_id": rep.ID})
		if deref(c.OwnerID) != rep.ID {
			t.Errorf("owner %s", deref(c.OwnerID))
		}
		if countKind(inbox(t, rep.Client), "customer_assigned", c.ID) != 1 {
			t.Error("rep not notified of the assignment")
		}
		// a manager may not give to another team; a rep only to themselves.
		p := mgr.Post("/customers", map[string]any{"name": "x", "owner_id": other.ID}).Status(http.StatusUnprocessableEntity).Problem()
		problemCode(t, p, "validation_failed", "owner_id")
		rep.Post("/customers", map[string]any{"name": "x", "owner_id": mgr.ID}).Status(http.StatusUnprocessableEntity)
		if c := createCustomer(t, rep.Client, map[string]any{"name": "mine", "owner_id": rep.ID}); deref(c.OwnerID) != rep.ID {
			t.Error("rep naming themselves")
		}
		if c := createCustomer(t, rep.Client, map[string]any{"name": "mine too"}); deref(c.OwnerID) != rep.ID {
			t.Error("rep's own customer is not theirs")
		}
		// locked on create needs customers:lock.
		rep.Post("/customers", map[string]any{"name": "x", "locked": true}).Status(http.StatusForbidden)

		// API keys: unowned unless owner_id.
		var key struct{ Key string }
		env.Admin.Post("/api-keys", map[string]any{"name": "erp", "scopes": []string{"customers:write", "customers:read"}}).
			Status(http.StatusCreated).Decode(&key)
		api := env.WithAPIKey(key.Key)
		if c := createCustomer(t, api, map[string]any{"name": "from ERP"}); c.OwnerID != nil {
			t.Errorf("API key's customer owned: %+v", c)
		}
		if c := createCustomer(t, api, map[string]any{"name": "from ERP 2", "owner_id": other.ID}); deref(c.OwnerID) != other.ID {
			t.Errorf("API key owner_id ignored: %+v", c)
		}
	})
}

func TestCustomerFilters(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		rep := env.User("rep", team)
		a := createCustomer(t, env.Admin, map[string]any{"name": "Alpha 机械", "industry": "制造", "size": "large",
			"potential": "high", "level": "A", "region": "江苏", "source": "exhibition", "tags": []string{"重点关注客户", "老客户"},
			"lifecycle_stage": "active", "owner_id": rep.ID, "phone": "13800138000", "email": "a@alpha.example.com",
			"website": "https://alpha.example.com", "address": "苏州星湖街"})
		bb := createCustomer(t, env.Admin, map[string]any{"name": "Beta Soft", "industry": "软件", "size": "small",
			"potential": "low", "level": "C", "region": "上海", "source": "referral", "tags": []string{"新客户"},
			"lifecycle_stage": "churned"})
		c := createCustomer(t, env.Admin, map[string]any{"name": "Gamma", "industry": "制造", "size": "medium",
			"potential": "medium", "level": "B", "region": "江苏", "tags": []string{"老客户"}, "lifecycle_stage": "at_risk"})
		env.Admin.Patch("/customers/"+c.ID, map[string]any{"locked": true}).Status(http.StatusOK)
		rep.Post("/customers/"+a.ID+"/follow-ups", map[string]any{"channel": "call", "content": "hi",
			"followed_at": "2026-01-10T08:00:00Z"}).Status(http.StatusCreated)

		cases := map[string][]string{
			"industry=制造":                     {a.ID, c.ID},
			"size=large,small":                {a.ID, bb.ID},
			"potential=medium":                {c.ID},
			"level=A":                         {a.ID},
			"region=江苏":                       {a.ID, c.ID},
			"source=referral":                 {bb.ID},
			"tag=老客户":                         {a.ID, c.ID},
			"tag=老客户,重点关注客户":                  {a.ID},
			"lifecycle_stage=at_risk,churned": {bb.ID, c.ID},
			"owner_id=" + rep.ID:              {a.ID},
			"locked=true":                     {c.ID},
			"locked=false":                    {a.ID, bb.ID},
			"q=ALPHA":                         {a.ID},
			"q=星湖":                            {a.ID},
			"q=soft":                          {bb.ID},
			"phone=13800138000":               {a.ID},
			"email=a@alpha.example.com":       {a.ID},
			"created_from=2000-01-01":         {a.ID, bb.ID, c.ID},
			"created_to=2000-01-01":           nil,
			"last_followed_from=2026-01-10":   {a.ID},
			"last_followed_to=2026-01-09":     nil,
			"industry=制造&region=江苏&level=B":   {c.ID},
		}
		for q, want := range cases {
			got := ids(listCustomers(t, env.Admin, "/customers?limit=200&"+q))
			if !sameSet(got, want) {
				t.Errorf("%s: got %v, want %v", q, got, want)
			}
		}
		// total, paging and sort
		l := listCustomers(t, env.Admin, "/customers?limit=2&include_total=true&sort=name")
		if l.Total == nil || *l.Total != 3 || !l.HasMore || l.Data[0].Name != "Alpha 机械" {
			t.Errorf("page %+v", l)
		}
		// bad filters
		env.Admin.Get("/customers?size=huge").Status(http.StatusUnprocessableEntity)
		env.Admin.Get("/customers?created_from=yesterday").Status(http.StatusBadRequest)
		env.Admin.Get("/customers?locked=maybe").Status(http.StatusBadRequest)
		env.Admin.Get("/customers?sort=owner").Status(http.StatusBadRequest)
		env.Admin.Get("/customers?cursor=bogus").Status(http.StatusBadRequest)
		env.Admin.Get("/customers?limit=0").Status(http.StatusBadRequest)
	})
}

func TestCustomerBadInput(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		for body, field := range map[string]string{
			`{"name":""}`:                                             "name",
			`{"name":"x","size":"huge"}`:                              "size",
			`{"name":"x","potential":"max"}`:                          "potential",
			`{"name":"x","level":"Z"}`:                                "level",
			`{"name":"x","lifecycle_stage":"dead"}`:                   "lifecycle_stage",
			`{"name":"x","source":"tv"}`:                              "source",
			`{"name":"x","email":"not-mail"}`:                         "email",
			`{"name":"x","phone":"call me"}`:                          "phone",
			`{"name":"x","tags":["` + strings.Repeat("t", 51) + `"]}`: "tags",
			`{"name":"` + strings.Repeat("名", 201) + `"}`:             "name",
		} {
			p := rep.Post("/customers", body).Status(http.StatusUnprocessableEntity).Problem()
			problemCode(t, p, "validation_failed", field)
		}
		rep.Post("/customers", `{"name":`).Status(http.StatusBadRequest)
		rep.Post("/customers", `{"name":"x","onwer_id":"y"}`).Status(http.StatusBadRequest)
		rep.Post("/customers", `{"name":5}`).Status(http.StatusBadRequest)
		rep.Post("/customers", `{"name":"`+strings.Repeat("x", 1<<20)+`"}`).Status(http.StatusRequestEntityTooLarge)
		rep.Req("POST", "/customers", "name=x").Header("Content-Type", "text/plain").Send().Status(http.StatusUnsupportedMediaType)

		c := createCustomer(t, rep.Client, map[string]any{"name": "ok"})
		rep.Patch("/customers/"+c.ID, map[string]any{"name": " "}).Status(http.StatusUnprocessableEntity)
		rep.Patch("/customers/"+c.ID, map[string]any{"owner_id": rep.ID}).Status(http.StatusBadRequest)
		rep.Req("PATCH", "/customers/"+c.ID, map[string]any{"name": "y"}).Header("If-Match", "abc").Send().Status(http.StatusBadRequest)
		rep.Get("/customers/not-a-uuid").Status(http.StatusNotFound)
		rep.Patch("/customers/not-a-uuid", map[string]any{"name": "y"}).Status(http.StatusNotFound)
		rep.Get("/customers/00000000-0000-0000-0000-000000000000").Status(http.StatusNotFound)
		if got := getCustomer(t, rep.Client, c.ID); got.Name != "ok" || got.Version != 1 {
			t.Errorf("bad input changed the customer: %+v", got)
		}
	})
}
