package dataio_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/dataio"
)

// A process that stops mid-import leaves jobs queued or running; the
// import-recover sweep queues the first again and fails the second.
func TestRecoverSweep(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := newEnv(t, b)
		file := csvFile(t, false, []string{"name", "phone"}, []string{"王伟", "13800138000"})

		// A job stuck "running" with no progress for a long time: failed.
		done := importFile(t, env.Admin, map[string]string{"entity": "leads"}, "a.csv", file)
		old := time.Now().UTC().Add(-time.Hour)
		gdb := env.App.DB.Gorm()
		if err := gdb.Table("import_jobs").Where("id = ?", done.ID).
			Updates(map[string]any{"status": dataio.StatusRunning, "updated_at": old, "finished_at": nil}).Error; err != nil {
			t.Fatal(err)
		}
		// A job that was queued when its process stopped: queued again, so
		// it runs to an end (its file was already cleaned up, so it reads
		// no rows).
		var queued dataio.ImportJobResponse
		upload(t, env.Admin, map[string]string{"entity": "leads"}, "b.csv", file).Status(http.StatusAccepted).Decode(&queued)
		wait(t, env.Admin, queued.ID)
		if err := gdb.Table("import_jobs").Where("id = ?", queued.ID).
			Updates(map[string]any{"status": dataio.StatusQueued, "updated_at": old, "started_at": nil}).Error; err != nil {
			t.Fatal(err)
		}
		// A job that is running and reporting progress is left alone.
		fresh := importFile(t, env.Admin, map[string]string{"entity": "leads", "on_duplicate": "skip"}, "c.csv", file)
		if err := gdb.Table("import_jobs").Where("id = ?", fresh.ID).
			Updates(map[string]any{"status": dataio.StatusRunning, "updated_at": time.Now().UTC()}).Error; err != nil {
			t.Fatal(err)
		}

		res := env.Admin.Post("/admin/jobs/import-recover/run", nil).Status(http.StatusOK).Map()
		details := res["details"].(map[string]any)
		if details["failed"] != float64(1) || details["requeued"] != float64(1) {
			t.Fatalf("sweep = %v", res)
		}
		var j dataio.ImportJobResponse
		env.Admin.Get("/imports/" + done.ID).Status(http.StatusOK).Decode(&j)
		if j.Status != dataio.StatusFailed || j.Failure == nil || !strings.Contains(*j.Failure, "stopped") ||
			j.Created != 1 {
			t.Fatalf("stale job = %+v", j)
		}
		if j = wait(t, env.Admin, queued.ID); j.StartedAt == nil || j.FinishedAt == nil {
			t.Fatalf("requeued job = %+v", j)
		}
		env.Admin.Get("/imports/" + fresh.ID).Status(http.StatusOK).Decode(&j)
		if j.Status != dataio.StatusRunning {
			t.Fatalf("live job touched: %+v", j)
		}
	})
}

// The owner column (负责人: a user's email or id) follows POST /leads'
// owner_id rule: an active user the importer may give records to. Rows are
// numbered from the header, row 1.
func TestImportOwnerColumn(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := newEnv(t, b)
		east, west := env.Team("East", ""), env.Team("West", "")
		mgr, rep, outsider := env.User("manager", east), env.User("rep", east), env.User("rep", west)
		file := csvFile(t, false, []string{"姓名", "电话", "负责人"},
			[]string{"甲", "13800000001", rep.Email},
			[]string{"乙", "13800000002", rep.ID},
			[]string{"丙", "13800000003", outsider.Email},
			[]string{"丁", "13800000004", "nobody@example.com"},
			[]string{"戊", "13800000005", ""})
		j := importFile(t, mgr.Client, map[string]string{"entity": "leads"}, "owners.csv", file)
		errs := errorsOf(j)
		if j.Created != 3 || errs["4:owner"] == "" || errs["5:owner"] == "" || len(errs) != 2 {
			t.Fatalf("job = %+v, errors %v", j, errs)
		}
		owned := map[string]string{}
		for _, l := range leads(t, env.Admin, "") {
			if l.OwnerID != nil {
				owned[l.Name] = *l.OwnerID
			}
		}
		if owned["甲"] != rep.ID || owned["乙"] != rep.ID || owned["戊"] != "" {
			t.Fatalf("owners = %v", owned)
		}
	})
}

// Bulk lead rows are matched against customers and their contacts too, not
// only leads: a lead row for a known customer is skipped, and on_duplicate
// update reports it (a lead row cannot update a customer).
func TestImportLeadsMatchCustomersAndContacts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := newEnv(t, b)
		var c struct{ ID string }
		env.Admin.Post("/customers", map[string]any{"name": "宏达机械", "phone": "021-6288 1234",
			"email": "info@hongda.example.cn"}).Status(http.StatusCreated).Decode(&c)
		env.Admin.Post("/contacts", map[string]any{"customer_id": c.ID, "name": "王经理",
			"mobile": "+86 139 0013 9000"}).Status(http.StatusCreated)
		file := csvFile(t, false, []string{"姓名", "电话", "邮箱"},
			[]string{"甲", "02162881234", ""},               // the customer's phone
			[]string{"乙", "１３９００１３９０００", ""},               // the contact's mobile, full-width
			[]string{"丙", "", "INFO@hongda.example.cn"},    // the customer's email
			[]string{"丁", "13700137000", "new@example.cn"}) // new
		j := importFile(t, env.Admin, map[string]string{"entity": "leads"}, "skip.csv", file)
		if j.Created != 1 || j.Skipped != 3 {
			t.Fatalf("skip job = %+v", j)
		}
		j = importFile(t, env.Admin, map[string]string{"entity": "leads", "on_duplicate": "update"}, "update.csv", file)
		errs := errorsOf(j)
		if j.Created != 0 || j.Updated != 1 || errs["2:"] == "" || errs["3:"] == "" || errs["4:"] == "" {
			t.Fatalf("update job = %+v, errors %v", j, errs)
		}
	})
}
