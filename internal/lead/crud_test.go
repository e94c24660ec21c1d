package lead_test

import (
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/lead"
)

func TestCreateGetRoundTrip(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("华东大区", ""))

		body := map[string]any{
			"name": "王建国", "company": "苏州恒达精密机械有限公司", "title": "采购经理",
			"phone": "+86 139 1234 5678", "email": "wang.jianguo@hengda.example.cn", "source": "exhibition",
			"region": "江苏", "product_interest": "五轴加工中心", "description": "工博会现场咨询",
			"status": "contacted", "tags": []string{"重点客户", "华东", "重点客户"},
		}
		res := rep.Post("/leads", body).Status(http.StatusCreated)
		var l lead.LeadResponse
		res.Decode(&l)
		if res.Header.Get("ETag") != `"1"` || l.Version != 1 {
			t.Fatalf("ETag %q version %d, want \"1\"", res.Header.Get("ETag"), l.Version)
		}
		if l.Name != "王建国" || l.Company != "苏州恒达精密机械有限公司" || l.Title != "采购经理" ||
			l.Phone != "+86 139 1234 5678" || l.Email != "wang.jianguo@hengda.example.cn" || l.Source != "exhibition" ||
			l.Region != "江苏" || l.ProductInterest != "五轴加工中心" || l.Description != "工博会现场咨询" ||
			l.Status != "contacted" || !slices.Equal(l.Tags, []string{"重点客户", "华东"}) {
			t.Fatalf("round trip lost fields: %+v", l)
		}
		if deref(l.OwnerID) != rep.ID || l.CreatedBy != rep.ID || l.LastFollowedAt != nil || l.NextFollowUpAt != nil {
			t.Fatalf("owner %s created_by %s, want %s", deref(l.OwnerID), l.CreatedBy, rep.ID)
		}
		got := rep.Get("/leads/" + l.ID).Status(http.StatusOK)
		var g lead.LeadResponse
		got.Decode(&g)
		if got.Header.Get("ETag") != `"1"` || !g.CreatedAt.Equal(l.CreatedAt) || !g.UpdatedAt.Equal(l.UpdatedAt) ||
			g.Name != l.Name || !slices.Equal(g.Tags, l.Tags) {
			t.Fatalf("GET differs from create: %+v vs %+v", g, l)
		}
	})
}

func TestCreateDefaults(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		l := create(t, rep.Client, map[string]any{"name": "  李明  "})
		if l.Name != "李明" || l.Status != "new" || l.Source != "manual" || deref(l.OwnerID) != rep.ID ||
			l.Tags == nil || len(l.Tags) != 0 {
			t.Fatalf("defaults: %+v", l)
		}
		// An explicit owner_id equal to oneself is fine for a rep.
		l = create(t, rep.Client, map[string]any{"name": "赵敏", "owner_id": rep.ID})
		if deref(l.OwnerID) != rep.ID {
			t.Fatalf("owner = %s", deref(l.OwnerID))
		}
	})
}

func TestUpdateAndDelete(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		l := create(t, rep.Client, map[string]any{"name": "孙丽", "company": "杭州云帆科技", "tags": []string{"a"}})

		res := rep.Patch("/leads/"+l.ID, map[string]any{"company": "", "title": "CTO", "status": "qualified",
			"tags": []string{"b", "c"}}).Status(http.StatusOK)
		var u lead.LeadResponse
		res.Decode(&u)
		if u.Version != 2 || res.Header.Get("ETag") != `"2"` {
			t.Fatalf("version %d ETag %q after one update", u.Version, res.Header.Get("ETag"))
		}
		if u.Company != "" || u.Title != "CTO" || u.Status != "qualified" || u.Name != "孙丽" ||
			!slices.Equal(u.Tags, []string{"b", "c"}) || !u.UpdatedAt.After(l.UpdatedAt) || !u.CreatedAt.Equal(l.CreatedAt) {
			t.Fatalf("update: %+v", u)
		}
		g := get(t, rep.Client, l.ID)
		if !g.UpdatedAt.Equal(u.UpdatedAt) || g.Version != 2 || g.Title != "CTO" {
			t.Fatalf("GET after PATCH differs: %+v vs %+v", g, u)
		}
		// Each write grows the version.
		for i := 3; i <= 4; i++ {
			rep.Patch("/leads/"+l.ID, map[string]any{"region": "浙江" + strconv.Itoa(i)}).Status(http.StatusOK).Decode(&u)
			if u.Version != i {
				t.Fatalf("version %d, want %d", u.Version, i)
			}
		}

		rep.Delete("/leads/" + l.ID).Status(http.StatusNoContent)
		rep.Get("/leads/" + l.ID).Status(http.StatusNotFound).Problem()
		env.Admin.Get("/leads/" + l.ID).Status(http.StatusNotFound)
		rep.Patch("/leads/"+l.ID, map[string]any{"name": "x"}).Status(http.StatusNotFound)
		rep.Delete("/leads/" + l.ID).Status(http.StatusNotFound)
		if page := list(t, env.Admin, "include_total=true"); *page.Total != 0 || len(page.Data) != 0 {
			t.Fatalf("deleted lead still listed: %+v", page)
		}
	})
}

func TestPatchCannotConvertOrDisqualify(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		l := create(t, env.Admin, map[string]any{"name": "周杰"})
		for _, st := range []string{"converted", "disqualified", "won"} {
			p := env.Admin.Patch("/leads/"+l.ID, map[string]any{"status": st}).
				Status(http.StatusUnprocessableEntity).Problem()
			problemField(t, p, "validation_failed", "status")
			if st != "won" && p.Errors[0].Message == "" {
				t.Fatalf("no message for %s", st)
			}
		}
		env.Admin.Post("/leads", map[string]any{"name": "x", "status": "converted"}).Status(http.StatusUnprocessableEntity)
		if g := get(t, env.Admin, l.ID); g.Status != "new" || g.Version != 1 {
			t.Fatalf("lead changed: %+v", g)
		}
	})
}

func TestIfMatch(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		l := create(t, rep.Client, map[string]any{"name": "郑洁"})
		path := "/leads/" + l.ID

		// Matching ETag (strong or weak form) succeeds.
		rep.Req(http.MethodPatch, path, map[string]any{"title": "经理"}).Header("If-Match", `"1"`).Send().
			Status(http.StatusOK)
		rep.Req(http.MethodPatch, path, map[string]any{"title": "总监"}).Header("If-Match", `W/"2"`).Send().
			Status(http.StatusOK)
		// Stale: 412 and nothing changes.
		p := rep.Req(http.MethodPatch, path, map[string]any{"title": "stale"}).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed).Problem()
		problemField(t, p, "version_mismatch", "")
		rep.Req(http.MethodDelete, path, nil).Header("If-Match", `"2"`).Send().Status(http.StatusPreconditionFailed)
		rep.Req(http.MethodPost, path+"/assign", map[string]any{"owner_id": rep.ID}).Header("If-Match", `"1"`).
			Send().Status(http.StatusForbidden) // reps may not assign at all
		env.Admin.Req(http.MethodPost, path+"/assign", map[string]any{"owner_id": rep.ID}).Header("If-Match", `"1"`).
			Send().Status(http.StatusPreconditionFailed)
		// Malformed: 400.
		for _, h := range []string{`"abc"`, `"0"`, `"-1"`, "1.5"} {
			p := rep.Req(http.MethodPatch, path, map[string]any{"title": "bad"}).Header("If-Match", h).Send().
				Status(http.StatusBadRequest).Problem()
			problemField(t, p, "invalid_if_match", "")
		}
		g := get(t, rep.Client, l.ID)
		if g.Version != 3 || g.Title != "总监" {
			t.Fatalf("after failed writes: %+v", g)
		}
		// Matching If-Match on delete works.
		rep.Req(http.MethodDelete, path, nil).Header("If-Match", `"3"`).Send().Status(http.StatusNoContent)
		rep.Get(path).Status(http.StatusNotFound)
	})
}

func TestAcceptLanguage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		zh := *env.Admin
		zh.Lang = "zh-CN"
		p := zh.Post("/leads", map[string]any{"name": "", "email": "nope"}).Status(http.StatusUnprocessableEntity).Problem()
		if p.Detail != "部分字段无效。" {
			t.Fatalf("detail %q", p.Detail)
		}
		msgs := map[string]string{}
		for _, e := range p.Errors {
			msgs[e.Field] = e.Message
		}
		if msgs["name"] != "必填" || msgs["email"] != "不是有效的邮箱地址" {
			t.Fatalf("messages %v", msgs)
		}
		p = zh.Get("/leads/0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b").Status(http.StatusNotFound).Problem()
		if p.Detail != "线索不存在或您无权查看。" {
			t.Fatalf("404 detail %q", p.Detail)
		}
		l := create(t, env.Admin, map[string]any{"name": "吴刚"})
		p = zh.Patch("/leads/"+l.ID, map[string]any{"status": "converted"}).Status(http.StatusUnprocessableEntity).Problem()
		if len(p.Errors) != 1 || p.Errors[0].Message != "“已转化”和“无效”状态只能通过线索的转化、作废操作设置" {
			t.Fatalf("status message %+v", p.Errors)
		}
		en := env.Admin.Post("/leads", map[string]any{"name": ""}).Status(http.StatusUnprocessableEntity).Problem()
		if en.Detail != "Some fields are invalid." || en.Errors[0].Message != "is required" {
			t.Fatalf("english %+v", en)
		}
	})
}
