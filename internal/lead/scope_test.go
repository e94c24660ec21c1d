package lead_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/lead"
)

// world is the data-scope fixture: root team R with child C, manager M of
// R, rep A in R, rep B in C; rep X and manager N in another root team O.
// Each of them owns one lead; the admin owns one; an API key made one
// nobody owns.
type world struct {
	env           *apptest.Env
	R, C, O       string
	M, A, B, X, N *apptest.User
	leads         map[string]lead.LeadResponse // by owner label
	visible       map[string][]string          // actor label → owner labels in scope
	clients       map[string]*apptest.Client   // by actor label
	ownerID       map[string]string            // user label → id
	allLabels     []string
}

func newWorld(t *testing.T, b apptest.Backend) *world {
	t.Helper()
	env := apptest.New(t, b)
	w := &world{env: env, leads: map[string]lead.LeadResponse{}}
	w.R = env.Team("R", "")
	w.C = env.Team("C", w.R)
	w.O = env.Team("O", "")
	w.M, w.A, w.B = env.User("manager", w.R), env.User("rep", w.R), env.User("rep", w.C)
	w.X, w.N = env.User("rep", w.O), env.User("manager", w.O)
	w.clients = map[string]*apptest.Client{"M": w.M.Client, "A": w.A.Client, "B": w.B.Client, "X": w.X.Client,
		"N": w.N.Client, "admin": env.Admin}
	w.ownerID = map[string]string{"M": w.M.ID, "A": w.A.ID, "B": w.B.ID, "X": w.X.ID, "N": w.N.ID}
	self := map[string]string{"M": w.M.ID, "N": w.N.ID, "admin": env.Admin.Get("/me").Map()["id"].(string)}
	for _, who := range []string{"M", "A", "B", "X", "N", "admin"} {
		body := map[string]any{"name": "Scope lead " + who + "#",
			"company": "ScopeCo " + who, "phone": "+86 21 5555 000" + strconv.Itoa(len(w.leads)), "tags": []string{"scope"}}
		if id, ok := self[who]; ok {
			// Admins and managers own a lead only when they say so: without
			// owner_id it would go through routing to the pool.
			body["owner_id"] = id
		}
		w.leads[who] = create(t, w.clients[who], body)
	}
	var key struct{ Key string }
	env.Admin.Post("/api-keys", map[string]any{"name": "form bridge", "scopes": []string{"leads:write"}}).
		Status(http.StatusCreated).Decode(&key)
	w.leads["none"] = create(t, env.WithAPIKey(key.Key), map[string]any{"name": "Scope lead none#", "tags": []string{"scope"}})
	w.allLabels = []string{"M", "A", "B", "X", "N", "admin", "none"}
	w.visible = map[string][]string{
		"A":     {"A"},
		"B":     {"B"},
		"X":     {"X"},
		"M":     {"M", "A", "B"},
		"N":     {"N", "X"},
		"admin": w.allLabels,
	}
	return w
}

func (w *world) ids(labels []string) []string {
	var out []string
	for _, l := range labels {
		out = append(out, w.leads[l].ID)
	}
	return out
}

func (w *world) sees(actor, owner string) bool {
	for _, v := range w.visible[actor] {
		if v == owner {
			return true
		}
	}
	return false
}

func TestDataScopeReads(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		if w.leads["none"].OwnerID != nil {
			t.Fatalf("API key lead has owner %s", *w.leads["none"].OwnerID)
		}
		for actor, c := range w.clients {
			for _, owner := range w.allLabels {
				l := w.leads[owner]
				want := http.StatusNotFound
				if w.sees(actor, owner) {
					want = http.StatusOK
				}
				res := c.Get("/leads/" + l.ID).Status(want)
				if want == http.StatusNotFound {
					if p := res.Problem(); p.Code != "not_found" {
						t.Errorf("%s GET %s: code %q", actor, owner, p.Code)
					}
				}
				c.Get("/leads/" + l.ID + "/follow-ups").Status(want)
			}
			// The list holds exactly the visible leads, and the total agrees.
			page := list(t, c, "include_total=true&limit=200")
			var got []string
			for _, l := range page.Data {
				got = append(got, l.ID)
			}
			want := w.ids(w.visible[actor])
			if !sameSet(got, want) || page.Total == nil || int(*page.Total) != len(want) {
				t.Errorf("%s list = %v (total %v), want %v", actor, got, page.Total, want)
			}
			// Filters and search never reach beyond the scope.
			for owner, id := range w.ownerID {
				page := list(t, c, "include_total=true&owner_id="+id)
				n := 0
				if w.sees(actor, owner) {
					n = 1
				}
				if int(*page.Total) != n || len(page.Data) != n {
					t.Errorf("%s owner_id=%s: total %d, %d rows, want %d", actor, owner, *page.Total, len(page.Data), n)
				}
			}
			for _, owner := range w.allLabels {
				n := 0
				if w.sees(actor, owner) {
					n = 1
				}
				qs := []string{"LEAD " + owner + "#", w.leads[owner].Phone}
				if owner == "none" {
					qs = qs[:1] // the unowned lead has no phone
				}
				for _, q := range qs {
					page := list(t, c, "include_total=true&q="+url.QueryEscape(q))
					if int(*page.Total) != n {
						t.Errorf("%s %s: total %d, want %d", actor, q, *page.Total, n)
					}
				}
			}
			page = list(t, c, "include_total=true&tag=scope&status=new&source=manual")
			if int(*page.Total) != len(want) {
				t.Errorf("%s tag filter: total %d, want %d", actor, *page.Total, len(want))
			}
		}
	})
}

func TestDataScopeWrites(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		for actor, c := range w.clients {
			for _, owner := range w.allLabels {
				if w.sees(actor, owner) {
					continue
				}
				l := w.leads[owner]
				c.Patch("/leads/"+l.ID, map[string]any{"name": "hijacked"}).Status(http.StatusNotFound).Problem()
				c.Delete("/leads/" + l.ID).Status(http.StatusNotFound).Problem()
				c.Post("/leads/"+l.ID+"/follow-ups", map[string]any{"channel": "call", "content": "x"}).
					Status(http.StatusNotFound)
				want := http.StatusNotFound
				if actor == "A" || actor == "B" || actor == "X" {
					want = http.StatusForbidden // reps lack leads:assign, whatever the lead
				} else if owner == "none" {
					continue // an assigner may hand out pool leads (TestManagerAssignsPoolLead)
				}
				c.Post("/leads/"+l.ID+"/assign", map[string]any{"owner_id": w.ownerID[actor]}).Status(want)
			}
		}
		// Nothing out of scope changed.
		for _, owner := range w.allLabels {
			g := get(t, w.env.Admin, w.leads[owner].ID)
			if g.Version != 1 || g.Name != "Scope lead "+owner+"#" || g.LastFollowedAt != nil ||
				deref(g.OwnerID) != deref(w.leads[owner].OwnerID) {
				t.Errorf("lead of %s changed by an out-of-scope write: %+v", owner, g)
			}
		}
		// In scope, a manager updates, follows up and deletes team leads.
		lb := w.leads["B"]
		w.M.Patch("/leads/"+lb.ID, map[string]any{"title": "由经理更新"}).Status(http.StatusOK)
		w.M.Post("/leads/"+lb.ID+"/follow-ups", map[string]any{"channel": "visit", "content": "拜访"}).
			Status(http.StatusCreated)
		w.N.Patch("/leads/"+w.leads["X"].ID, map[string]any{"title": "t"}).Status(http.StatusOK)
		w.A.Delete("/leads/" + w.leads["A"].ID).Status(http.StatusNoContent)
		w.M.Get("/leads/" + w.leads["A"].ID).Status(http.StatusNotFound)
		if page := list(t, w.M.Client, "include_total=true"); *page.Total != 2 {
			t.Errorf("manager total after delete = %d, want 2", *page.Total)
		}
	})
}

func TestAssignAndOwnerRules(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		env := w.env
		lm := w.leads["M"]

		// A manager gives a lead to a rep of a sub-team; the rep now sees it.
		var out lead.LeadResponse
		res := w.M.Post("/leads/"+lm.ID+"/assign", map[string]any{"owner_id": w.B.ID}).Status(http.StatusOK)
		res.Decode(&out)
		if deref(out.OwnerID) != w.B.ID || out.Version != 2 || res.Header.Get("ETag") != `"2"` {
			t.Fatalf("assign: %+v ETag %q", out, res.Header.Get("ETag"))
		}
		get(t, w.B.Client, lm.ID)
		w.A.Get("/leads/" + lm.ID).Status(http.StatusNotFound)

		// Outside the manager's reach, unknown, malformed, empty: the same
		// 422 on owner_id, so nothing tells whether the user exists.
		disabled := env.User("rep", w.R)
		env.Admin.Post("/users/"+disabled.ID+"/disable", nil).Status(http.StatusOK)
		var first apptest.Problem
		for i, target := range []string{w.X.ID, w.N.ID, env.Admin.Get("/me").Map()["id"].(string),
			"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b", "not-a-uuid"} {
			p := w.M.Post("/leads/"+lm.ID+"/assign", map[string]any{"owner_id": target}).
				Status(http.StatusUnprocessableEntity).Problem()
			problemField(t, p, "validation_failed", "owner_id")
			if i == 0 {
				first = p
			} else if p.Errors[0].Message != first.Errors[0].Message {
				t.Errorf("owner %s: message %q differs from %q", target, p.Errors[0].Message, first.Errors[0].Message)
			}
		}
		p := w.M.Post("/leads/"+lm.ID+"/assign", map[string]any{"owner_id": disabled.ID}).
			Status(http.StatusUnprocessableEntity).Problem()
		problemField(t, p, "validation_failed", "owner_id")
		p = w.M.Post("/leads/"+lm.ID+"/assign", map[string]any{"owner_id": ""}).
			Status(http.StatusUnprocessableEntity).Problem()
		problemField(t, p, "validation_failed", "owner_id")
		if g := get(t, env.Admin, lm.ID); deref(g.OwnerID) != w.B.ID || g.Version != 2 {
			t.Fatalf("failed assigns changed the lead: %+v", g)
		}

		// Admin may assign anywhere, including the unowned lead.
		env.Admin.Post("/leads/"+w.leads["none"].ID+"/assign", map[string]any{"owner_id": w.X.ID}).Status(http.StatusOK)
		get(t, w.X.Client, w.leads["none"].ID)
		get(t, w.N.Client, w.leads["none"].ID)

		// Owner on create follows the same rules.
		l := create(t, w.M.Client, map[string]any{"name": "给B的线索", "owner_id": w.B.ID})
		if deref(l.OwnerID) != w.B.ID || l.CreatedBy != w.M.ID {
			t.Fatalf("manager create for B: %+v", l)
		}
		before := *list(t, env.Admin, "include_total=true").Total
		for _, c := range []struct {
			who    *apptest.Client
			target string
		}{{w.M.Client, w.X.ID}, {w.A.Client, w.B.ID}, {w.B.Client, w.M.ID}, {w.M.Client, disabled.ID},
			{env.Admin, disabled.ID}, {w.A.Client, "0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"}} {
			p := c.who.Post("/leads", map[string]any{"name": "x", "owner_id": c.target}).
				Status(http.StatusUnprocessableEntity).Problem()
			problemField(t, p, "validation_failed", "owner_id")
		}
		if after := *list(t, env.Admin, "include_total=true").Total; after != before {
			t.Fatalf("failed creates added leads: %d → %d", before, after)
		}
	})
}
