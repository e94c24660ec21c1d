package opportunity_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
)

type history struct {
	Data []struct {
		StageID         string     `json:"stage_id"`
		StageName       string     `json:"stage_name"`
		Kind            string     `json:"kind"`
		EnteredAt       time.Time  `json:"entered_at"`
		LeftAt          *time.Time `json:"left_at"`
		DurationSeconds int64      `json:"duration_seconds"`
		EnteredBy       string     `json:"entered_by"`
		Note            string     `json:"note"`
	} `json:"data"`
}

func TestStageMovesWinLoseReopen(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("华东", ""))
		cust := newCustomer(t, rep.Client, nil)
		o := createOpp(t, rep.Client, map[string]any{"name": "A", "customer_id": cust, "amount": "1000"})
		path := "/opportunities/" + o.ID

		// Won and lost stages go through win/lose; unknown stages are 422.
		for _, st := range []string{stageWon, stageLost, "0193a2b4-0000-7000-8000-00000000ffff"} {
			if p := rep.Post(path+"/stage", map[string]any{"stage_id": st}).
				Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("stage_id") {
				t.Errorf("stage %s: %+v", st, p)
			}
		}
		rep.Post(path+"/stage", map[string]any{"stage_id": stageResearch}).Status(http.StatusConflict)
		var moved struct {
			StageID string `json:"stage_id"`
			Version int
			Score   int
		}
		rep.Req("POST", path+"/stage", map[string]any{"stage_id": stageNegotiate, "note": "需求确认"}).
			Header("If-Match", `"1"`).Send().Status(http.StatusOK).Decode(&moved)
		if moved.StageID != stageNegotiate || moved.Version != 2 {
			t.Fatalf("moved %+v", moved)
		}
		if moved.Score <= o.Score {
			t.Errorf("a later stage did not raise the score: %d → %d", o.Score, moved.Score)
		}
		rep.Req("POST", path+"/stage", map[string]any{"stage_id": stageProposal}).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed)

		// Lose needs a reason; then a closed opportunity refuses moves.
		if p := rep.Post(path+"/lose", map[string]any{"reason": " "}).Status(http.StatusUnprocessableEntity).
			Problem(); !p.HasField("reason") {
			t.Errorf("lose without reason: %+v", p)
		}
		var comp struct{ ID string }
		rep.Post("/competitors", map[string]any{"name": "西门子"}).Status(http.StatusCreated).Decode(&comp)
		lost := getOpp(t, rep.Client, o.ID)
		rep.Post(path+"/lose", map[string]any{"reason": "价格高", "competitor_id": comp.ID}).Status(http.StatusOK).
			Decode(&lost)
		if lost.Status != "lost" || lost.StageID != stageLost || lost.ClosedAt == nil || lost.LostReason != "价格高" ||
			*lost.LostCompetitorID != comp.ID || !slices.Contains(lost.CompetitorIDs, comp.ID) {
			t.Fatalf("lost %+v", lost)
		}
		for _, try := range []struct{ path, body string }{{"/stage", `{"stage_id":"` + stageProposal + `"}`},
			{"/win", `{}`}, {"/lose", `{"reason":"x"}`}} {
			if p := rep.Post(path+try.path, try.body).Status(http.StatusConflict).Problem(); p.Code != "invalid_transition" {
				t.Errorf("%s on a lost one: %+v", try.path, p)
			}
		}
		if p := rep.Patch(path, map[string]any{"amount": "5"}).Status(http.StatusConflict).Problem(); p.Code != "invalid_transition" {
			t.Errorf("PATCH amount on a lost one: %+v", p)
		}
		rep.Patch(path, map[string]any{"name": "A (lost)"}).Status(http.StatusOK)

		// Reopen goes back to the last open stage; then win with an amount.
		rep.Post(path+"/reopen", map[string]any{"stage_id": stageWon}).Status(http.StatusUnprocessableEntity)
		re := getOpp(t, rep.Client, o.ID)
		rep.Post(path+"/reopen", map[string]any{}).Status(http.StatusOK).Decode(&re)
		if re.Status != "open" || re.StageID != stageNegotiate || re.ClosedAt != nil || re.LostReason != "" ||
			re.LostCompetitorID != nil {
			t.Fatalf("reopened %+v", re)
		}
		rep.Post(path+"/reopen", map[string]any{}).Status(http.StatusConflict)
		won := getOpp(t, rep.Client, o.ID)
		rep.Post(path+"/win", map[string]any{"amount": "980.00", "note": "合同已签"}).Status(http.StatusOK).Decode(&won)
		if won.Status != "won" || won.StageID != stageWon || won.Amount.String() != "980.00" || won.ClosedAt == nil {
			t.Fatalf("won %+v", won)
		}

		var h history
		rep.Get(path + "/stage-history").Status(http.StatusOK).Decode(&h)
		var stages []string
		for _, e := range h.Data {
			stages = append(stages, e.StageID)
			if e.EnteredBy != rep.ID {
				t.Errorf("entered by %s", e.EnteredBy)
			}
		}
		want := []string{stageResearch, stageNegotiate, stageLost, stageNegotiate, stageWon}
		if !slices.Equal(stages, want) {
			t.Fatalf("history %v, want %v", stages, want)
		}
		for i, e := range h.Data[:len(h.Data)-1] {
			if e.LeftAt == nil || !e.LeftAt.Equal(h.Data[i+1].EnteredAt) ||
				e.DurationSeconds != int64(e.LeftAt.Sub(e.EnteredAt).Seconds()) {
				t.Errorf("entry %d: %+v", i, e)
			}
		}
		if last := h.Data[len(h.Data)-1]; last.LeftAt != nil || last.Note != "合同已签" || h.Data[1].Note != "需求确认" {
			t.Errorf("history notes %+v", h.Data)
		}
		if acts := auditActions(t, env, "opportunity", o.ID); !slices.Equal(acts,
			[]string{"create", "stage", "lose", "update", "reopen", "win"}) {
			t.Errorf("audit %v", acts)
		}

		// The customer's timeline shows creation, loss and win.
		var tl struct {
			Data []struct {
				Type  string `json:"type"`
				RefID string `json:"ref_id"`
			} `json:"data"`
		}
		rep.Get("/customers/" + cust + "/timeline").Status(http.StatusOK).Decode(&tl)
		var types []string
		for _, it := range tl.Data {
			if it.RefID == o.ID {
				types = append(types, it.Type)
			}
		}
		if !slices.Equal(types, []string{"opportunity_won", "opportunity_lost", "opportunity_created"}) {
			t.Errorf("timeline %v", types)
		}
	})
}
