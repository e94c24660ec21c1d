package opportunity_test

import (
	"fmt"
	"math/rand"
	"net/http"
	"slices"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/opportunity"
)

type board struct {
	PipelineID string `json:"pipeline_id"`
	Columns    []struct {
		Stage struct {
			ID          string `json:"id"`
			Probability int    `json:"probability"`
		} `json:"stage"`
		Count          int64                             `json:"count"`
		Amount         string                            `json:"amount"`
		WeightedAmount string                            `json:"weighted_amount"`
		Items          []opportunity.OpportunityResponse `json:"items"`
		NextCursor     string                            `json:"next_cursor"`
		HasMore        bool                              `json:"has_more"`
	} `json:"columns"`
}

// cents formats minor units as the API does.
func cents(n int64) string { return fmt.Sprintf("%d.%02d", n/100, n%100) }

func TestOpportunityScopeAndBoard(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east := env.Team("华东", "")
		sub := env.Team("上海", east)
		west := env.Team("华南", "")
		rep1, rep2, rep3 := env.User("rep", east), env.User("rep", sub), env.User("rep", west)
		mgr := env.User("manager", east)
		var comp struct{ ID string }
		env.Admin.Post("/competitors", map[string]any{"name": "ABB"}).Status(http.StatusCreated).Decode(&comp)

		rng := rand.New(rand.NewSource(7))
		stages := []string{stageResearch, stageProposal, stageNegotiate, stageContract}
		prob := map[string]int64{stageResearch: 10, stageProposal: 30, stageNegotiate: 60, stageContract: 80,
			stageWon: 100, stageLost: 0}
		owned := map[string][]opportunity.OpportunityResponse{}
		var all []opportunity.OpportunityResponse
		for _, u := range []*apptest.User{rep1, rep2, rep3} {
			cust := newCustomer(t, u.Client, nil)
			for i := 0; i < 5; i++ {
				amt := rng.Int63n(10_000_000) + 1
				o := createOpp(t, u.Client, map[string]any{"name": fmt.Sprintf("o%d", i), "customer_id": cust,
					"amount": cents(amt), "stage_id": stages[rng.Intn(len(stages))], "competitor_ids": []string{comp.ID}})
				switch i {
				case 3:
					u.Post("/opportunities/"+o.ID+"/win", map[string]any{}).Status(http.StatusOK).Decode(&o)
				case 4:
					u.Post("/opportunities/"+o.ID+"/lose", map[string]any{"reason": "价格", "competitor_id": comp.ID}).
						Status(http.StatusOK).Decode(&o)
				}
				owned[u.ID] = append(owned[u.ID], o)
				all = append(all, o)
			}
		}
		visible := map[string][]opportunity.OpportunityResponse{
			"rep1": owned[rep1.ID], "mgr": append(slices.Clone(owned[rep1.ID]), owned[rep2.ID]...), "admin": all}
		clients := map[string]*apptest.Client{"rep1": rep1.Client, "mgr": mgr.Client, "admin": env.Admin}

		for who, c := range clients {
			want := visible[who]
			if got := ids(listOpps(t, c, "/opportunities?limit=200").Data); !slices.Equal(got, ids(want)) {
				t.Errorf("%s lists %d, want %d", who, len(got), len(want))
			}
			var tot struct{ Total int64 }
			c.Get("/opportunities?include_total=true").Status(http.StatusOK).Decode(&tot)
			if tot.Total != int64(len(want)) {
				t.Errorf("%s total %d", who, tot.Total)
			}
			// Board sums against a brute-force count over what the caller sees.
			var bd board
			c.Get("/opportunities/board?limit=2").Status(http.StatusOK).Decode(&bd)
			if bd.PipelineID != defaultPipeline || len(bd.Columns) != 6 {
				t.Fatalf("%s board %+v", who, bd)
			}
			for _, col := range bd.Columns {
				var n, amount, weighted int64
				var scores []int
				for _, o := range want {
					if o.StageID == col.Stage.ID {
						n++
						amount += int64(o.Amount)
						weighted += (int64(o.Amount)*prob[o.StageID] + 50) / 100
						scores = append(scores, o.Score)
					}
				}
				if col.Count != n || col.Amount != cents(amount) || col.WeightedAmount != cents(weighted) {
					t.Errorf("%s stage %s: %d %s %s, want %d %s %s", who, col.Stage.ID, col.Count, col.Amount,
						col.WeightedAmount, n, cents(amount), cents(weighted))
				}
				if len(col.Items) != min(int(n), 2) || col.HasMore != (n > 2) {
					t.Errorf("%s stage %s: %d items, has_more %v", who, col.Stage.ID, len(col.Items), col.HasMore)
				}
				for i := 1; i < len(col.Items); i++ {
					if col.Items[i].Score > col.Items[i-1].Score {
						t.Errorf("%s board items not by -score", who)
					}
				}
				if col.HasMore {
					rest := listOpps(t, c, "/opportunities?sort=-score&stage_id="+col.Stage.ID+"&cursor="+col.NextCursor)
					if len(rest.Data)+len(col.Items) != int(n) {
						t.Errorf("%s board continuation: %d + %d of %d", who, len(rest.Data), len(col.Items), n)
					}
				}
			}
			// Competitor record over the caller's scope.
			var cd struct {
				Stats struct {
					Won, Lost int64
					LostTo    int64   `json:"lost_to"`
					WinRate   *string `json:"win_rate"`
				} `json:"stats"`
			}
			c.Get("/competitors/" + comp.ID).Status(http.StatusOK).Decode(&cd)
			k := int64(len(want) / 5)
			if cd.Stats.Won != k || cd.Stats.Lost != k || cd.Stats.LostTo != k || cd.Stats.WinRate == nil ||
				*cd.Stats.WinRate != "0.5000" {
				t.Errorf("%s competitor stats %+v", who, cd.Stats)
			}
		}

		// Out of scope: 404 everywhere, never counted.
		foreign := owned[rep3.ID][0]
		for _, c := range []*apptest.Client{rep1.Client, mgr.Client} {
			c.Get("/opportunities/" + foreign.ID).Status(http.StatusNotFound)
			c.Patch("/opportunities/"+foreign.ID, map[string]any{"name": "x"}).Status(http.StatusNotFound)
			c.Post("/opportunities/"+foreign.ID+"/stage", map[string]any{"stage_id": stageProposal}).Status(http.StatusNotFound)
			c.Get("/opportunities/" + foreign.ID + "/stage-history").Status(http.StatusNotFound)
		}
		rep2.Get("/opportunities/" + owned[rep1.ID][0].ID).Status(http.StatusNotFound)

		// Filters: team subtree, owner, status, amount range, sort by -score.
		if got := ids(listOpps(t, env.Admin, "/opportunities?limit=200&team_id="+east).Data); !slices.Equal(got, ids(visible["mgr"])) {
			t.Errorf("team filter: %d", len(got))
		}
		if got := listOpps(t, env.Admin, "/opportunities?limit=200&status=won,lost").Data; len(got) != 6 {
			t.Errorf("status filter: %d", len(got))
		}
		byScore := listOpps(t, env.Admin, "/opportunities?limit=200&sort=-score").Data
		for i := 1; i < len(byScore); i++ {
			if byScore[i].Score > byScore[i-1].Score {
				t.Fatal("sort=-score out of order")
			}
		}
		lo, hi := all[0].Amount, all[1].Amount
		if lo > hi {
			lo, hi = hi, lo
		}
		var want []opportunity.OpportunityResponse
		for _, o := range all {
			if o.Amount >= lo && o.Amount <= hi {
				want = append(want, o)
			}
		}
		if got := ids(listOpps(t, env.Admin, "/opportunities?limit=200&amount_min="+lo.String()+"&amount_max="+hi.String()).Data); !slices.Equal(got, ids(want)) {
			t.Errorf("amount filter %d, want %d", len(got), len(want))
		}
		env.Admin.Get("/opportunities?amount_min=abc").Status(http.StatusBadRequest)
		env.Admin.Get("/opportunities?status=maybe").Status(http.StatusUnprocessableEntity)
	})
}
