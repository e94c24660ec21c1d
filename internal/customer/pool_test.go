package customer_test

import (
	"fmt"
	"github.com/opencrm/crm/internal/platform/mask"
	"net/http"
	"sync"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/customer"
)

func TestPoolVisibilityAndMasking(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east, west := env.Team("East", ""), env.Team("West", "")
		rep, other, mgr := env.User("rep", east), env.User("rep", west), env.User("manager", west)
		pooled := createCustomer(t, env.Admin, map[string]any{"name": "Pool Co", "phone": "+86 138-0013-8000",
			"email": "li.na@example.com", "region": "浙江"})
		owned := createDuplicate(t, rep.Client, map[string]any{"name": "Rep Co", "phone": "13800138000"})
		ct := createContact(t, env.Admin, map[string]any{"customer_id": pooled.ID, "name": "李娜",
			"phone": "021-5555 1234", "mobile": "13912345678", "email": "li.na@example.com", "wechat": "lina_wx"})

		for _, c := range []*apptest.Client{rep.Client, other.Client, mgr.Client} {
			l := listCustomers(t, c, "/customers/pool?include_total=true")
			if !sameSet(ids(l), []string{pooled.ID}) || *l.Total != 1 {
				t.Fatalf("pool %v", ids(l))
			}
			p := l.Data[0]
			if !p.Masked || p.Phone != "138****8000" || p.Email != "l***@example.com" || p.Name != "Pool Co" {
				t.Errorf("pool entry not masked: %+v", p)
			}
			if g := getCustomer(t, c, pooled.ID); !g.Masked || g.Phone != "138****8000" {
				t.Errorf("pool customer not masked on GET: %+v", g)
			}
			var cl contactList
			c.Get("/customers/" + pooled.ID + "/contacts").Status(http.StatusOK).Decode(&cl)
			if len(cl.Data) != 1 || !cl.Data[0].Masked || cl.Data[0].Mobile != "139****5678" ||
				cl.Data[0].Email != "l***@example.com" || cl.Data[0].Wechat != "l***" || cl.Data[0].Phone == "021-5555 1234" {
				t.Errorf("pool contact not masked: %+v", cl.Data)
			}
			var one customer.ContactResponse
			c.Get("/contacts/" + ct.ID).Status(http.StatusOK).Decode(&one)
			if !one.Masked || one.Mobile != "139****5678" {
				t.Errorf("pool contact GET not masked: %+v", one)
			}
		}
		// Filters apply in the pool; owned customers never show there.
		if l := listCustomers(t, rep.Client, "/customers/pool?region=江苏"); len(l.Data) != 0 {
			t.Errorf("region filter ignored: %v", ids(l))
		}
		rep.Get("/customers/pool?size=huge").Status(http.StatusUnprocessableEntity)
		_ = owned
		// The admin sees the pool unmasked.
		if l := listCustomers(t, env.Admin, "/customers/pool"); l.Data[0].Masked || l.Data[0].Phone != "+86 138-0013-8000" {
			t.Errorf("admin sees masked: %+v", l.Data[0])
		}
		// A rep may not edit a pool customer or add contacts before claiming it.
		rep.Patch("/customers/"+pooled.ID, map[string]any{"name": "mine"}).Status(http.StatusNotFound)
		rep.Post("/contacts", map[string]any{"customer_id": pooled.ID, "name": "x"}).Status(http.StatusUnprocessableEntity)

		// After the claim the new owner sees everything; the pool is empty.
		var claimed customer.CustomerResponse
		rep.Post("/customers/"+pooled.ID+"/claim", nil).Status(http.StatusOK).Decode(&claimed)
		if claimed.Masked || claimed.Phone != "+86 138-0013-8000" || deref(claimed.OwnerID) != rep.ID || claimed.OwnedSince == nil {
			t.Errorf("claimed %+v", claimed)
		}
		var one customer.ContactResponse
		rep.Get("/contacts/" + ct.ID).Status(http.StatusOK).Decode(&one)
		if one.Masked || one.Mobile != "13912345678" || one.Wechat != "lina_wx" {
			t.Errorf("claimed customer's contact masked: %+v", one)
		}
		if l := listCustomers(t, other.Client, "/customers/pool"); len(l.Data) != 0 {
			t.Errorf("claimed customer still in pool")
		}
		other.Get("/customers/" + pooled.ID).Status(http.StatusNotFound)
		other.Get("/contacts/" + ct.ID).Status(http.StatusNotFound)
	})
}

func TestMasking(t *testing.T) {
	for in, want := range map[string]string{"13800138000": "138****8000", "+86 138 0013 8000": "138****8000",
		"0086-13800138000": "138****8000", "021-5555 1234": "021****1234", "12345": "****45", "": ""} {
		if got := mask.Phone(in); got != want {
			t.Errorf("mask.Phone(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"li.na@example.com": "l***@example.com", "王@例子.cn": "王***@例子.cn",
		"": ""} {
		if got := mask.Email(in); got != want {
			t.Errorf("mask.Email(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClaimConflicts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		rep, rep2 := env.User("rep", team), env.User("rep", team)
		c1 := createCustomer(t, env.Admin, map[string]any{"name": "One"})
		c2 := createCustomer(t, env.Admin, map[string]any{"name": "Two"})

		rep.Post("/customers/"+c1.ID+"/claim", nil).Status(http.StatusOK)
		// A customer someone owns is 409 for anyone, with nothing about the owner.
		p := rep2.Post("/customers/"+c1.ID+"/claim", nil).Status(http.StatusConflict).Problem()
		problemCode(t, p, "already_owned", "")
		p = rep.Post("/customers/"+c1.ID+"/claim", nil).Status(http.StatusConflict).Problem()
		problemCode(t, p, "already_owned", "")
		rep.Post("/customers/00000000-0000-0000-0000-000000000000/claim", nil).Status(http.StatusNotFound)
		rep.Post("/customers/nope/claim", nil).Status(http.StatusNotFound)

		// The cap: with max 1, a rep owning one customer cannot claim another.
		setSettings(t, env, map[string]any{"max_customers_per_rep": 1})
		p = rep.Post("/customers/"+c2.ID+"/claim", nil).Status(http.StatusConflict).Problem()
		problemCode(t, p, "limit_reached", "")
		if g := getCustomer(t, env.Admin, c2.ID); g.OwnerID != nil {
			t.Error("refused claim changed the owner")
		}

		// Cooldown: the rep who released it may not take it back at once.
		setSettings(t, env, map[string]any{"max_customers_per_rep": 10, "pool_reclaim_cooldown": "1h"})
		rep.Post("/customers/"+c1.ID+"/release", map[string]any{"reason": "no budget"}).Status(http.StatusOK)
		p = rep.Post("/customers/"+c1.ID+"/claim", nil).Status(http.StatusConflict).Problem()
		problemCode(t, p, "cooldown", "")
		// Someone else may; and with the cooldown off the rep may again.
		rep2.Post("/customers/"+c1.ID+"/claim", nil).Status(http.StatusOK)
		rep2.Post("/customers/"+c1.ID+"/release", map[string]any{"reason": "handing back"}).Status(http.StatusOK)
		setSettings(t, env, map[string]any{"pool_reclaim_cooldown": "0"})
		rep.Post("/customers/"+c1.ID+"/claim", nil).Status(http.StatusOK)

		// API keys cannot own customers.
		var key struct{ Key string }
		env.Admin.Post("/api-keys", map[string]any{"name": "bot", "scopes": []string{"customers:write", "customers:read"}}).
			Status(http.StatusCreated).Decode(&key)
		env.WithAPIKey(key.Key).Post("/customers/"+c2.ID+"/claim", nil).Status(http.StatusForbidden)

		if got := auditActions(t, env, "customer", c1.ID); len(got) != 6 || got[1] != "claim" || got[2] != "release" {
			t.Errorf("audit %v", got)
		}
	})
}

func TestConcurrentClaimOneWinner(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		const n = 8
		reps := make([]*apptest.User, n)
		for i := range reps {
			reps[i] = env.User("rep", team)
		}
		for round := 0; round < 3; round++ {
			c := createCustomer(t, env.Admin, map[string]any{"name": fmt.Sprintf("Hot %d", round)})
			codes := make([]int, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range reps {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					<-start
					codes[i] = reps[i].Post("/customers/"+c.ID+"/claim", nil).Code
				}(i)
			}
			close(start)
			wg.Wait()
			winners, winner := 0, ""
			for i, code := range codes {
				switch code {
				case http.StatusOK:
					winners++
					winner = reps[i].ID
				case http.StatusConflict:
				default:
					t.Errorf("claim status %d", code)
				}
			}
			if winners != 1 {
				t.Fatalf("round %d: %d winners (%v)", round, winners, codes)
			}
			if g := getCustomer(t, env.Admin, c.ID); deref(g.OwnerID) != winner || g.Version != 2 {
				t.Errorf("owner %s, want the winner %s (version %d)", deref(g.OwnerID), winner, g.Version)
			}
			if got := auditActions(t, env, "customer", c.ID); len(got) != 2 {
				t.Errorf("audit rows %v", got)
			}
		}
	})
}

// TestConcurrentClaimsRespectLimit: one rep claiming many customers at
// once never ends above the cap.
func TestConcurrentClaimsRespectLimit(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		setSettings(t, env, map[string]any{"max_customers_per_rep": 2})
		var cs []string
		for i := 0; i < 6; i++ {
			cs = append(cs, createCustomer(t, env.Admin, map[string]any{"name": fmt.Sprintf("C%d", i)}).ID)
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, id := range cs {
			wg.Add(1)
			go func(id string) {
				defer wg.Done()
				<-start
				rep.Post("/customers/"+id+"/claim", nil).Status(http.StatusOK, http.StatusConflict)
			}(id)
		}
		close(start)
		wg.Wait()
		if l := listCustomers(t, rep.Client, "/customers?include_total=true"); *l.Total != 2 {
			t.Errorf("rep owns %d customers, cap is 2", *l.Total)
		}
	})
}
