package opportunity_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
)

func TestScoringFollowsInputs(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("华东", ""))
		cust := newCustomer(t, rep.Client, map[string]any{"size": "small", "potential": "low"})
		o := createOpp(t, rep.Client, map[string]any{"name": "A", "customer_id": cust, "amount": "100"})
		path := "/opportunities/" + o.ID
		score := func() int { return getOpp(t, rep.Client, o.ID).Score }
		rise := func(what string, before int) int {
			t.Helper()
			after := score()
			if after <= before {
				t.Errorf("%s: score %d → %d, want higher", what, before, after)
			}
			return after
		}
		s := score()
		rep.Patch(path, map[string]any{"amount": "2000000"}).Status(http.StatusOK)
		s = rise("amount", s)
		rep.Patch(path, map[string]any{"expected_close_date": time.Now().AddDate(0, 0, 10).Format(time.DateOnly)}).
			Status(http.StatusOK)
		s = rise("urgency", s)
		rep.Post(path+"/stage", map[string]any{"stage_id": stageContract}).Status(http.StatusOK)
		s = rise("stage", s)

		// Another deal of the customer won: purchase history.
		o2 := createOpp(t, rep.Client, map[string]any{"name": "B", "customer_id": cust})
		rep.Post("/opportunities/"+o2.ID+"/win", map[string]any{}).Status(http.StatusOK)
		s = rise("purchase history", s)

		// Customer size: the customer update rescores in its transaction.
		rep.Patch("/customers/"+cust, map[string]any{"size": "large"}).Status(http.StatusOK)
		s = rise("customer size", s)
		// Potential changed behind the API's back: the daily sweep catches it.
		if err := env.App.DB.Gorm().Exec("UPDATE customers SET potential = 'high' WHERE id = ?", cust).Error; err != nil {
			t.Fatal(err)
		}
		env.Admin.Post("/admin/jobs/opportunity-rescore/run", nil).Status(http.StatusOK)
		s = rise("potential", s)

		// Recency: a month without activity lowers it; a completed activity
		// about the opportunity restores it.
		old := time.Now().UTC().AddDate(0, -2, 0)
		if err := env.App.DB.Gorm().Exec("UPDATE opportunities SET created_at = ? WHERE id = ?", old, o.ID).Error; err != nil {
			t.Fatal(err)
		}
		env.Admin.Post("/admin/jobs/opportunity-rescore/run", nil).Status(http.StatusOK)
		stale := score()
		if stale >= s {
			t.Errorf("recency: score %d → %d, want lower", s, stale)
		}
		var act struct{ ID string }
		rep.Post("/activities", map[string]any{"type": "demo", "subject": "产品演示", "related_type": "opportunity",
			"related_id": o.ID, "start_at": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)}).
			Status(http.StatusCreated).Decode(&act)
		rep.Post("/activities/"+act.ID+"/complete", map[string]any{"outcome": "客户认可"}).Status(http.StatusOK)
		rise("activity", stale)
		if got := getOpp(t, rep.Client, o.ID); got.LastActivityAt == nil {
			t.Error("last_activity_at not set")
		}
	})
}

func TestScoringModel(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("华东", ""))
		cust := newCustomer(t, rep.Client, nil)
		o := createOpp(t, rep.Client, map[string]any{"name": "A", "customer_id": cust, "stage_id": stageNegotiate})

		var m map[string]any
		r := rep.Get("/scoring-model").Status(http.StatusOK)
		r.Decode(&m)
		if m["version"].(float64) != 1 || r.Header.Get("ETag") != `"1"` || m["updated_at"] != nil {
			t.Fatalf("default model %v", m)
		}
		only := map[string]any{"weights": map[string]any{"stage": 1}}
		rep.Req("PUT", "/scoring-model", only).Send().Status(http.StatusForbidden)

		bad := map[string]any{"weights": map[string]any{"stage": 0}, "size_points": map[string]any{"huge": 120},
			"urgency": []map[string]any{{"max_days": 30, "points": 10}, {"max_days": 10, "points": 5}}}
		p := env.Admin.Req("PUT", "/scoring-model", bad).Send().Status(http.StatusUnprocessableEntity).Problem()
		for _, f := range []string{"weights", "size_points", "size_points.huge", "urgency[1].max_days"} {
			if !p.HasField(f) {
				t.Errorf("422 lacks %s: %+v", f, p.Errors)
			}
		}
		if got := getOpp(t, rep.Client, o.ID).Score; got != o.Score {
			t.Errorf("refused model changed the score %d → %d", o.Score, got)
		}

		// Only the stage counts: the score is the probability, for every
		// opportunity, at once.
		env.Admin.Req("PUT", "/scoring-model", only).Header("If-Match", `"1"`).Send().Status(http.StatusOK)
		if got := getOpp(t, rep.Client, o.ID).Score; got != 60 {
			t.Errorf("score under the stage-only model: %d", got)
		}
		env.Admin.Req("PUT", "/scoring-model", only).Header("If-Match", `"1"`).Send().Status(http.StatusPreconditionFailed)
		rep.Get("/scoring-model").Status(http.StatusOK).Decode(&m)
		if m["version"].(float64) != 2 {
			t.Errorf("version %v", m["version"])
		}
	})
}
