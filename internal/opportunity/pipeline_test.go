package opportunity_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/opportunity"
)

func stagesBody(extra ...map[string]any) []map[string]any {
	s := []map[string]any{
		{"name": "初步接触", "probability": 20, "kind": "open", "time_limit": "3d"},
		{"name": "赢", "probability": 100, "kind": "won"},
		{"name": "输", "probability": 0, "kind": "lost"},
	}
	return append(s, extra...)
}

func TestPipelines(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("华东", ""))

		var list opportunity.PipelineList
		rep.Get("/pipelines").Status(http.StatusOK).Decode(&list)
		if len(list.Data) != 1 || !list.Data[0].IsDefault || len(list.Data[0].Stages) != 6 ||
			list.Data[0].Stages[2].Name != "商务谈判" || list.Data[0].Stages[2].Probability != 60 ||
			list.Data[0].Stages[4].Kind != "won" || list.Data[0].Stages[5].Kind != "lost" {
			t.Fatalf("default pipeline %+v", list)
		}
		rep.Post("/pipelines", map[string]any{"name": "x", "stages": stagesBody()}).Status(http.StatusForbidden)

		// Stage rules: one open at least, exactly one won and one lost.
		bad := []map[string]any{{"name": "a", "probability": 120, "kind": "open", "time_limit": "soon"},
			{"name": "a", "kind": "won"}, {"name": "b", "kind": "won"}}
		p := env.Admin.Post("/pipelines", map[string]any{"name": "", "stages": bad}).
			Status(http.StatusUnprocessableEntity).Problem()
		for _, f := range []string{"name", "stages", "stages[0].probability", "stages[0].time_limit", "stages[1].name"} {
			if !p.HasField(f) {
				t.Errorf("422 lacks %s: %+v", f, p.Errors)
			}
		}

		var pl opportunity.PipelineResponse
		env.Admin.Post("/pipelines", map[string]any{"name": "大客户", "stages": stagesBody()}).
			Status(http.StatusCreated).Decode(&pl)
		if pl.IsDefault || len(pl.Stages) != 3 || *pl.Stages[0].TimeLimit != "3d" || pl.Stages[1].TimeLimit != nil {
			t.Fatalf("created %+v", pl)
		}
		env.Admin.Post("/pipelines", map[string]any{"name": "大客户", "stages": stagesBody()}).
			Status(http.StatusUnprocessableEntity)

		// An opportunity in the first stage pins it: deleting it (or the
		// pipeline) is 409 in_use; adding a stage and renaming is fine.
		cust := newCustomer(t, rep.Client, nil)
		o := createOpp(t, rep.Client, map[string]any{"name": "A", "customer_id": cust, "pipeline_id": pl.ID})
		if o.StageID != pl.Stages[0].ID {
			t.Fatalf("first stage: %s", o.StageID)
		}
		keep := []map[string]any{
			{"id": pl.Stages[1].ID, "name": "赢单", "probability": 100, "kind": "won"},
			{"id": pl.Stages[2].ID, "name": "输单", "probability": 0, "kind": "lost"},
			{"name": "新阶段", "probability": 50, "kind": "open"}}
		if p := env.Admin.Req("PUT", "/pipelines/"+pl.ID, map[string]any{"name": "大客户", "stages": keep}).
			Send().Status(http.StatusConflict).Problem(); p.Code != "in_use" {
			t.Errorf("deleting a used stage: %+v", p)
		}
		env.Admin.Delete("/pipelines/" + pl.ID).Status(http.StatusConflict)
		flipped := append([]map[string]any{{"id": pl.Stages[0].ID, "name": "接触", "probability": 25, "kind": "lost"},
			{"name": "新开", "kind": "open"}}, keep[0])
		env.Admin.Req("PUT", "/pipelines/"+pl.ID, map[string]any{"name": "大客户", "stages": flipped}).
			Send().Status(http.StatusConflict)
		all := append([]map[string]any{{"id": pl.Stages[0].ID, "name": "接触", "probability": 25, "kind": "open"}}, keep...)
		var up opportunity.PipelineResponse
		env.Admin.Req("PUT", "/pipelines/"+pl.ID, map[string]any{"name": "大客户流程", "is_default": true, "stages": all}).
			Header("If-Match", `"1"`).Send().Status(http.StatusOK).Decode(&up)
		if up.Name != "大客户流程" || !up.IsDefault || len(up.Stages) != 4 || up.Stages[0].ID != pl.Stages[0].ID ||
			up.Stages[0].Name != "接触" || up.Stages[3].Name != "新阶段" || up.Version != 2 {
			t.Fatalf("updated %+v", up)
		}
		// The new probability reached the opportunity's score (stage-only model).
		env.Admin.Req("PUT", "/scoring-model", map[string]any{"weights": map[string]any{"stage": 1}}).Send().
			Status(http.StatusOK)
		if s := getOpp(t, rep.Client, o.ID).Score; s != 25 {
			t.Errorf("score %d after the model change", s)
		}
		all[0]["probability"] = 40
		env.Admin.Req("PUT", "/pipelines/"+pl.ID, map[string]any{"name": "大客户流程", "is_default": true, "stages": all}).
			Send().Status(http.StatusOK)
		if s := getOpp(t, rep.Client, o.ID).Score; s != 40 {
			t.Errorf("score %d after the probability change", s)
		}
		env.Admin.Req("PUT", "/pipelines/"+pl.ID, map[string]any{"name": "x", "is_default": true, "stages": all}).
			Header("If-Match", `"1"`).Send().Status(http.StatusPreconditionFailed)
		// Exactly one default: the old one lost it and may now be deleted;
		// a stage id of another pipeline is refused.
		var old opportunity.PipelineResponse
		env.Admin.Get("/pipelines/" + defaultPipeline).Status(http.StatusOK).Decode(&old)
		if old.IsDefault {
			t.Error("two defaults")
		}
		alien := append([]map[string]any{{"id": stageResearch, "name": "z", "kind": "open"}}, keep...)
		env.Admin.Req("PUT", "/pipelines/"+pl.ID, map[string]any{"name": "大客户流程", "is_default": true, "stages": alien}).
			Send().Status(http.StatusUnprocessableEntity)
		env.Admin.Req("PUT", "/pipelines/"+pl.ID, map[string]any{"name": "大客户流程", "stages": all}).
			Send().Status(http.StatusUnprocessableEntity)
		if p := env.Admin.Delete("/pipelines/" + pl.ID).Status(http.StatusConflict).Problem(); p.Code != "invalid_transition" {
			t.Errorf("deleting the default: %+v", p)
		}
		// A new opportunity without pipeline_id lands in the new default.
		if o2 := createOpp(t, rep.Client, map[string]any{"name": "B", "customer_id": cust}); o2.PipelineID != pl.ID {
			t.Errorf("default pipeline not used: %s", o2.PipelineID)
		}
		env.Admin.Delete("/pipelines/" + defaultPipeline).Status(http.StatusNoContent)
		env.Admin.Get("/pipelines/" + defaultPipeline).Status(http.StatusNotFound)
	})
}
