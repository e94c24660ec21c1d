package dataio_test

import (
	"bytes"
	"net/http"
	"slices"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/dataio"
)

// A mixed CSV with Chinese headers and a BOM: good rows are created, bad
// ones reported by row and field, duplicates (in the file, and of an
// existing lead in another spelling) skipped.
func TestImportLeadsMixedCSV(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := newEnv(t, b)
		env.Admin.Post("/leads", map[string]any{"name": "老客户", "phone": "+86 139-0000-0001"}).Status(http.StatusCreated)
		file := csvFile(t, true,
			[]string{"姓名", "公司", "职位", "手机", "邮箱", "来源", "地区", "意向产品", "备注", "标签", "无关列"},
			[]string{"张伟", "苏州恒达精密机械有限公司", "采购经理", "13800000001", "zhangwei@example.cn", "展会", "江苏", "五轴加工中心", "工博会", "重点，华东;新", "x"},
			[]string{"", "无名公司", "", "13800000002", "", "", "", "", "", "", ""},            // row 3: no name
			[]string{"李娜", "", "", "", "not-an-email", "", "", "", "", "", ""},             // row 4: bad email
			[]string{"王芳", "", "", "13800000003", "", "bogus", "", "", "", "", ""},         // row 5: bad source
			[]string{"张伟2", "", "", "138 0000 0001", "", "", "", "", "", "", ""},           // row 6: dup of row 2
			[]string{"老客户2", "", "", "１３９０００００００１", "", "", "", "", "", "", ""},            // row 7: dup of existing (full width)
			[]string{"刘洋", "上海明达", "", "", "liuyang@example.cn", "", "上海", "", "", "", ""}, // row 8: good
		)
		j := importFile(t, env.Admin, map[string]string{"entity": "leads"}, "线索.csv", file)
		if j.Status != dataio.StatusCompleted || j.Total != 7 || j.Processed != 7 || j.Created != 2 ||
			j.Skipped != 2 || j.ErrorCount != 3 || j.Format != "csv" {
			t.Fatalf("job: %+v", j)
		}
		errs := errorsOf(j)
		for _, k := range []string{"3:name", "4:email", "5:source"} {
			if errs[k] == "" {
				t.Errorf("no error %s in %v", k, j.Errors)
			}
		}
		got := leads(t, env.Admin, "张伟")
		if len(got) != 1 || got[0].Company != "苏州恒达精密机械有限公司" || got[0].Source != "exhibition" ||
			!slices.Equal(got[0].Tags, []string{"重点", "华东", "新"}) || got[0].OwnerID != nil {
			t.Fatalf("imported lead: %+v", got)
		}
		if len(leads(t, env.Admin, "刘洋")) != 1 || len(leads(t, env.Admin, "老客户2")) != 0 {
			t.Fatal("row 8 missing or duplicate row 7 created")
		}
		// Each created lead has its audit row.
		var n int64
		env.App.DB.Gorm().Table("audit_logs").Where("entity_type = 'lead' AND action = 'create' AND entity_id = ?", got[0].ID).Count(&n)
		if n != 1 {
			t.Fatalf("audit rows: %d", n)
		}
		// zh-CN messages.
		env.Admin.Lang = "zh-CN"
		var zh dataio.ImportJobResponse
		env.Admin.Get("/imports/" + j.ID).Status(http.StatusOK).Decode(&zh)
		if zh.Errors[0].Message == j.Errors[0].Message {
			t.Fatalf("message not translated: %q", zh.Errors[0].Message)
		}
	})
}

// English headers in XLSX; a rep's import is theirs; dry run writes
// nothing; on_duplicate update and create.
func TestImportLeadsXLSXOwnerDryRunAndDuplicates(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := newEnv(t, b)
		team := env.Team("East", "")
		rep := env.User("rep", team)
		file := xlsxFile(t,
			[]string{"Name", "Company", "Phone", "Email", "Source"},
			[]string{"Alice Xu", "Xu Trading", "13700000001", "alice@example.com", "referral"},
			[]string{"Bob Wu", "Wu Steel", "13700000002", "", ""},
			[]string{"", "Nobody", "", "", ""},
		)
		dry := importFile(t, rep.Client, map[string]string{"entity": "leads", "dry_run": "true"}, "leads.xlsx", file)
		if !dry.DryRun || dry.Created != 2 || dry.ErrorCount != 1 || dry.Format != "xlsx" || dry.Errors[0].Row != 4 {
			t.Fatalf("dry run: %+v", dry)
		}
		if len(leads(t, env.Admin, "")) != 0 {
			t.Fatal("dry run created leads")
		}
		j := importFile(t, rep.Client, map[string]string{"entity": "leads"}, "leads.xlsx", file)
		if j.Created != 2 || j.ErrorCount != 1 {
			t.Fatalf("job: %+v", j)
		}
		mine := leads(t, rep.Client, "")
		if len(mine) != 2 {
			t.Fatalf("rep sees %d leads", len(mine))
		}
		for _, l := range mine {
			if l.OwnerID == nil || *l.OwnerID != rep.ID || l.Status != "new" {
				t.Fatalf("owner: %+v", l)
			}
		}
		// The same file again: skip by default.
		again := importFile(t, rep.Client, map[string]string{"entity": "leads"}, "leads.xlsx", file)
		if again.Created != 0 || again.Skipped != 2 {
			t.Fatalf("skip: %+v", again)
		}
		upd := xlsxFile(t, []string{"name", "company", "email"}, []string{"Alice Xu", "Xu Group", "ALICE@example.com"})
		u := importFile(t, rep.Client, map[string]string{"entity": "leads", "on_duplicate": "update"}, "u.xlsx", upd)
		if u.Updated != 1 || u.Created != 0 {
			t.Fatalf("update: %+v", u)
		}
		if got := leads(t, rep.Client, "Alice"); len(got) != 1 || got[0].Company != "Xu Group" || got[0].Phone != "13700000001" {
			t.Fatalf("updated lead: %+v", got)
		}
		// Another rep's duplicate is out of scope: reported, untouched.
		other := env.User("rep", team)
		o := importFile(t, other.Client, map[string]string{"entity": "leads", "on_duplicate": "update"}, "u.xlsx", upd)
		if o.Updated != 0 || o.ErrorCount != 1 {
			t.Fatalf("out of scope update: %+v", o)
		}
		c := importFile(t, rep.Client, map[string]string{"entity": "leads", "on_duplicate": "create"}, "u.xlsx", upd)
		if c.Created != 1 || len(leads(t, rep.Client, "Alice")) != 2 {
			t.Fatalf("create: %+v", c)
		}
	})
}

// Unowned leads an admin imports go through the assignment rules.
func TestImportLeadsRouted(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := newEnv(t, b)
		rep := env.User("rep", env.Team("East", ""))
		env.Admin.Post("/lead-assignment-rules", map[string]any{"name": "华东", "priority": 1, "conditions": map[string]any{"region": "江苏"},
			"strategy": "user", "user_ids": []string{rep.ID}}).Status(http.StatusCreated)
		file := csvFile(t, false, []string{"name", "region"}, []string{"甲", "江苏"}, []string{"乙", "广东"})
		j := importFile(t, env.Admin, map[string]string{"entity": "leads"}, "r.csv", file)
		if j.Created != 2 {
			t.Fatalf("job: %+v", j)
		}
		got := leads(t, rep.Client, "")
		if len(got) != 1 || got[0].Name != "甲" || got[0].Status != "assigned" {
			t.Fatalf("routed: %+v", got)
		}
		if l := leads(t, env.Admin, "乙"); len(l) != 1 || l[0].OwnerID != nil {
			t.Fatalf("unmatched: %+v", l)
		}
	})
}

func TestImportCustomersAndContacts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := newEnv(t, b)
		rep := env.User("rep", env.Team("East", ""))
		cust := csvFile(t, true, []string{"客户名称", "行业", "规模", "电话", "邮箱", "标签"},
			[]string{"恒达机械", "机械制造", "中型", "0512-62881234", "info@hengda.cn", "华东、重点"},
			[]string{"明达贸易", "贸易", "huge", "", "", ""},
			[]string{"恒达机械", "", "", "", "", ""})
		j := importFile(t, rep.Client, map[string]string{"entity": "customers"}, "c.csv", cust)
		if j.Created != 1 || j.ErrorCount != 1 || j.Skipped != 1 || errorsOf(j)["3:size"] == "" {
			t.Fatalf("customers: %+v", j)
		}
		var list struct {
			Data []struct {
				ID, Name, Size string
				OwnerID        *string `json:"owner_id"`
				Tags           []string
			}
		}
		rep.Get("/customers").Status(http.StatusOK).Decode(&list)
		if len(list.Data) != 1 || list.Data[0].Size != "medium" || list.Data[0].OwnerID == nil ||
			*list.Data[0].OwnerID != rep.ID || len(list.Data[0].Tags) != 2 {
			t.Fatalf("customers: %+v", list.Data)
		}
		contacts := xlsxFile(t, []string{"客户", "姓名", "手机", "生日"},
			[]string{"恒达机械", "王建国", "13912345678", "1980-05-17"},
			[]string{list.Data[0].ID, "李四", "", ""},
			[]string{"不存在的公司", "赵六", "", ""},
			[]string{"恒达机械", "钱七", "", "not-a-date"})
		c := importFile(t, rep.Client, map[string]string{"entity": "contacts"}, "ct.xlsx", contacts)
		errs := errorsOf(c)
		if c.Created != 2 || c.ErrorCount != 2 || errs["4:customer"] == "" || errs["5:birthday"] == "" {
			t.Fatalf("contacts: %+v", c)
		}
		// Another rep cannot attach contacts to this customer.
		other := env.User("rep", "")
		o := importFile(t, other.Client, map[string]string{"entity": "contacts"}, "ct.xlsx", contacts)
		if o.Created != 0 || o.ErrorCount != 4 {
			t.Fatalf("other rep: %+v", o)
		}
	})
}

func TestImportRequestErrors(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := newEnv(t, b)
		file := csvFile(t, false, []string{"name"}, []string{"x"})
		p := upload(t, env.Admin, map[string]string{"entity": "deals"}, "x.csv", file).Status(http.StatusUnprocessableEntity).Problem()
		if !p.HasField("entity") {
			t.Fatalf("problem: %+v", p)
		}
		upload(t, env.Admin, map[string]string{"entity": "leads", "on_duplicate": "merge"}, "x.csv", file).
			Status(http.StatusUnprocessableEntity)
		upload(t, env.Admin, map[string]string{"entity": "leads"}, "", nil).Status(http.StatusUnprocessableEntity)
		env.Admin.Post("/imports", map[string]any{"entity": "leads"}).Status(http.StatusUnsupportedMediaType).Problem()
		big := bytes.Repeat([]byte("name\n"), dataio.MaxUpload/5+1)
		upload(t, env.Admin, map[string]string{"entity": "leads"}, "big.csv", big).Status(http.StatusRequestEntityTooLarge).Problem()
		// An old binary XLS is refused.
		upload(t, env.Admin, map[string]string{"entity": "leads"}, "x.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 1, 2, 3, 4}).
			Status(http.StatusUnprocessableEntity)
		// No name column: the job fails with a reason.
		j := importFile(t, env.Admin, map[string]string{"entity": "leads"}, "x.csv", csvFile(t, false, []string{"foo"}, []string{"bar"}))
		if j.Status != dataio.StatusFailed || j.Failure == nil {
			t.Fatalf("job: %+v", j)
		}
		// An API key without leads:write cannot import leads; one with it can.
		var key struct{ Key string }
		env.Admin.Post("/api-keys", map[string]any{"name": "ro", "scopes": []string{"leads:read", "imports:write", "imports:read"}}).
			Status(http.StatusCreated).Decode(&key)
		upload(t, env.WithAPIKey(key.Key), map[string]string{"entity": "leads"}, "x.csv", file).Status(http.StatusForbidden).Problem()
		// Jobs are private to whoever started them.
		rep := env.User("rep", "")
		rep.Get("/imports/" + j.ID).Status(http.StatusNotFound).Problem()
		var mine struct{ Data []dataio.ImportJobResponse }
		rep.Get("/imports").Status(http.StatusOK).Decode(&mine)
		var all struct{ Data []dataio.ImportJobResponse }
		env.Admin.Get("/imports").Status(http.StatusOK).Decode(&all)
		if len(mine.Data) != 0 || len(all.Data) != 1 {
			t.Fatalf("lists: %d %d", len(mine.Data), len(all.Data))
		}
	})
}
