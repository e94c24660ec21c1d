package team_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/team"
)

func createTraining(t *testing.T, c *apptest.Client, userID, course string) team.TrainingRecordResponse {
	t.Helper()
	var out team.TrainingRecordResponse
	c.Post("/training-records", map[string]any{"user_id": userID, "course": course,
		"completed_at": "2026-11-20T08:00:00Z"}).Status(http.StatusCreated).Decode(&out)
	return out
}

func TestTrainingRecords(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east := env.Team("华东", "")
		shanghai := env.Team("上海", east)
		north := env.Team("华北", "")
		mgr := env.User("manager", east)
		rep, peer, other := env.User("rep", shanghai), env.User("rep", shanghai), env.User("rep", north)

		var r team.TrainingRecordResponse
		mgr.Post("/training-records", map[string]any{"user_id": rep.ID, "course": " 顾问式销售 ",
			"completed_at": "2026-11-20", "score": 92, "skills": []string{"谈判", " 谈判 ", "需求挖掘"}}).
			Status(http.StatusCreated).Decode(&r)
		if r.Course != "顾问式销售" || *r.Score != 92 || !slices.Equal(r.Skills, []string{"谈判", "需求挖掘"}) ||
			r.CompletedAt.Format("2006-01-02") != "2026-11-20" || r.Version != 1 {
			t.Fatalf("created %+v", r)
		}
		rPeer := createTraining(t, mgr.Client, peer.ID, "产品培训")
		rOther := createTraining(t, env.Admin, other.ID, "产品培训")
		if rPeer.Score != nil {
			t.Errorf("unscored course has score %v", *rPeer.Score)
		}

		trainingIDs := func(p page[team.TrainingRecordResponse]) []string {
			return idsOf(p, func(x team.TrainingRecordResponse) string { return x.ID })
		}
		for _, tt := range []struct {
			name string
			c    *apptest.Client
			want []string
		}{
			{"admin", env.Admin, sorted(r.ID, rPeer.ID, rOther.ID)},
			{"manager", mgr.Client, sorted(r.ID, rPeer.ID)},
			{"rep", rep.Client, []string{r.ID}},
			{"other rep", other.Client, []string{rOther.ID}},
		} {
			l := list[team.TrainingRecordResponse](t, tt.c, "/training-records?include_total=true")
			if got := trainingIDs(l); !slices.Equal(got, tt.want) || *l.Total != int64(len(tt.want)) {
				t.Errorf("%s sees %v, want %v", tt.name, got, tt.want)
			}
		}
		if got := trainingIDs(list[team.TrainingRecordResponse](t, mgr.Client, "/training-records?user_id="+peer.ID)); !slices.Equal(got, []string{rPeer.ID}) {
			t.Errorf("user_id filter: %v", got)
		}
		env.Admin.Get("/training-records?user_id=x").Status(http.StatusBadRequest).Problem()
		rep.Get("/training-records/" + rPeer.ID).Status(http.StatusNotFound).Problem()
		mgr.Get("/training-records/" + rOther.ID).Status(http.StatusNotFound)
		mgr.Patch("/training-records/"+rOther.ID, map[string]any{"course": "x"}).Status(http.StatusNotFound)

		// Reps only read; managers write only for their reach.
		rep.Post("/training-records", map[string]any{"user_id": rep.ID, "course": "x", "completed_at": "2026-11-20"}).
			Status(http.StatusForbidden).Problem()
		rep.Delete("/training-records/" + r.ID).Status(http.StatusForbidden)
		if p := mgr.Post("/training-records", map[string]any{"user_id": other.ID, "course": "x", "completed_at": "2026-11-20"}).
			Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("user_id") {
			t.Errorf("out of reach: %+v", p)
		}

		up := mgr.Req("PATCH", "/training-records/"+r.ID, map[string]any{"score": 95, "skills": []string{"演示"}}).
			Header("If-Match", `"1"`).Send().Status(http.StatusOK).Map()
		if up["score"] != float64(95) || up["course"] != "顾问式销售" || up["version"] != float64(2) {
			t.Errorf("updated %v", up)
		}
		mgr.Req("PATCH", "/training-records/"+r.ID, map[string]any{"score": 1}).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed).Problem()
		mgr.Req("DELETE", "/training-records/"+r.ID, nil).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed)
		mgr.Delete("/training-records/" + r.ID).Status(http.StatusNoContent)
		rep.Get("/training-records/" + r.ID).Status(http.StatusNotFound)
		if acts := auditActions(t, env, "training_record", r.ID); !slices.Equal(acts, []string{"create", "update", "delete"}) {
			t.Errorf("audit %v", acts)
		}
	})
}

func TestTrainingRecordValidation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("华东", ""))
		ok := func(over map[string]any) map[string]any {
			body := map[string]any{"user_id": rep.ID, "course": "产品", "completed_at": "2026-11-20T08:00:00Z"}
			for k, v := range over {
				if v == nil {
					delete(body, k)
				} else {
					body[k] = v
				}
			}
			return body
		}
		for field, bodies := range map[string][]map[string]any{
			"user_id": {ok(map[string]any{"user_id": nil}), ok(map[string]any{"user_id": "x"}),
				ok(map[string]any{"user_id": "00000000-0000-0000-0000-000000000000"})},
			"course":       {ok(map[string]any{"course": " "}), ok(map[string]any{"course": strings.Repeat("课", 201)})},
			"completed_at": {ok(map[string]any{"completed_at": nil}), ok(map[string]any{"completed_at": "yesterday"}), ok(map[string]any{"completed_at": ""})},
			"score":        {ok(map[string]any{"score": 101}), ok(map[string]any{"score": -1})},
			"skills":       {ok(map[string]any{"skills": []string{strings.Repeat("技", 51)}})},
			"notes":        {ok(map[string]any{"notes": strings.Repeat("x", 5001)})},
		} {
			for _, body := range bodies {
				p := env.Admin.Post("/training-records", body).Status(http.StatusUnprocessableEntity).Problem()
				if !p.HasField(field) || len(p.Errors) != 1 {
					t.Errorf("%v: %+v, want only %s", body, p, field)
				}
			}
		}
		env.Admin.Post("/training-records", ok(map[string]any{"score": "90"})).Status(http.StatusBadRequest).Problem()
		if l := list[team.TrainingRecordResponse](t, env.Admin, "/training-records?include_total=true"); *l.Total != 0 {
			t.Fatalf("invalid input created records: %d", *l.Total)
		}
		r := createTraining(t, env.Admin, rep.ID, "产品")
		for body, field := range map[string]string{`{"course":""}`: "course", `{"score":200}`: "score",
			`{"completed_at":"x"}`: "completed_at"} {
			if p := env.Admin.Patch("/training-records/"+r.ID, body).Status(http.StatusUnprocessableEntity).Problem(); !p.HasField(field) {
				t.Errorf("PATCH %s: %+v", body, p)
			}
		}
		env.Admin.Patch("/training-records/"+r.ID, `{"user_id":"x"}`).Status(http.StatusBadRequest)
	})
}
