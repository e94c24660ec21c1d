package lead_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

// A converted or disqualified lead is closed: PATCH may not move it back
// to an open status (it would reappear in the pool and convert twice).
func TestClosedLeadCannotBeReopened(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		conv := create(t, rep.Client, map[string]any{"name": "转化", "company": "甲公司"})
		rep.Post("/leads/"+conv.ID+"/convert", map[string]any{}).Status(http.StatusOK)
		disq := create(t, rep.Client, map[string]any{"name": "作废"})
		rep.Post("/leads/"+disq.ID+"/disqualify", map[string]any{"reason": "无预算"}).Status(http.StatusOK)

		for _, id := range []string{conv.ID, disq.ID} {
			p := rep.Patch("/leads/"+id, map[string]any{"status": "new"}).Status(http.StatusConflict).Problem()
			problemField(t, p, "invalid_transition", "")
			// Other fields stay editable.
			rep.Patch("/leads/"+id, map[string]any{"description": "备注"}).Status(http.StatusOK)
		}
		if g := get(t, rep.Client, conv.ID); g.Status != "converted" {
			t.Errorf("converted lead now %q", g.Status)
		}
		rep.Post("/leads/"+conv.ID+"/convert", map[string]any{}).Status(http.StatusConflict)
	})
}

// A closed lead without an owner is in no one's sight but an admin's (it
// is not in the pool): the duplicate check reports it without details.
func TestDuplicateOfClosedPoolLeadIsMasked(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		var open, closed struct{ ID string }
		env.Admin.Post("/leads", map[string]any{"name": "池中线索", "phone": "13800000001"}).
			Status(http.StatusCreated).Decode(&open)
		env.Admin.Post("/leads", map[string]any{"name": "已作废线索", "phone": "13800000002"}).
			Status(http.StatusCreated).Decode(&closed)
		env.Admin.Post("/leads/"+closed.ID+"/disqualify", map[string]any{"reason": "空号"}).Status(http.StatusOK)

		var out struct {
			Matches []map[string]any `json:"matches"`
		}
		rep.Get("/leads/duplicates?phone=13800000001").Status(http.StatusOK).Decode(&out)
		if len(out.Matches) != 1 || out.Matches[0]["in_scope"] != true || out.Matches[0]["id"] != open.ID {
			t.Errorf("open pool lead: %+v", out.Matches)
		}
		out.Matches = nil
		rep.Get("/leads/duplicates?phone=13800000002").Status(http.StatusOK).Decode(&out)
		if len(out.Matches) != 1 || out.Matches[0]["in_scope"] != false || out.Matches[0]["id"] != nil ||
			out.Matches[0]["name"] != nil {
			t.Errorf("closed unowned lead leaks: %+v", out.Matches)
		}
	})
}

// An assigner may hand out pool leads, and a closed lead without an owner
// is in no pool: for a manager it is out of scope (404).
func TestAssignClosedUnownedLeadIsOutOfScope(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		mgr := env.User("manager", team)
		rep := env.User("rep", team)
		var l struct{ ID string }
		env.Admin.Post("/leads", map[string]any{"name": "作废线索"}).Status(http.StatusCreated).Decode(&l)
		env.Admin.Post("/leads/"+l.ID+"/disqualify", map[string]any{"reason": "空号"}).Status(http.StatusOK)
		mgr.Post("/leads/"+l.ID+"/assign", map[string]any{"owner_id": rep.ID}).Status(http.StatusNotFound)
		rep.Get("/leads/" + l.ID).Status(http.StatusNotFound)
	})
}
