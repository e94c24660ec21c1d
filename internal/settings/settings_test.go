package settings_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

func TestMain(m *testing.M) { apptest.Main(m) }

func TestSettingsDefaultsAndUpdate(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", "")

		got := rep.Get("/settings").Status(http.StatusOK).Map()
		if got["lead_followup_sla"] != "3d" || got["max_customers_per_rep"] != float64(200) {
			t.Fatalf("defaults = %v", got)
		}

		rep.Patch("/settings", map[string]any{"lead_followup_sla": "1h"}).Status(http.StatusForbidden).Problem()

		upd := env.Admin.Patch("/settings", map[string]any{"lead_followup_sla": "72h", "max_customers_per_rep": 5,
			"pool_recycle_no_deal": "0", "pool_recycle_exempt_signed": false}).Status(http.StatusOK).Map()
		if upd["lead_followup_sla"] != "3d" || upd["max_customers_per_rep"] != float64(5) ||
			upd["pool_recycle_no_deal"] != "0" || upd["pool_recycle_exempt_signed"] != false {
			t.Fatalf("after update = %v", upd)
		}
		// Stored, not just echoed.
		again := rep.Get("/settings").Status(http.StatusOK).Map()
		if again["max_customers_per_rep"] != float64(5) || again["pool_recycle_no_deal"] != "0" {
			t.Fatalf("reloaded = %v", again)
		}
		env.Admin.Patch("/settings", map[string]any{"pool_reclaim_cooldown": "90m"}).Status(http.StatusOK)
		if v := rep.Get("/settings").Status(http.StatusOK).Map()["pool_reclaim_cooldown"]; v != "1h30m" {
			t.Fatalf("pool_reclaim_cooldown = %v", v)
		}

		// The change is audited with before and after.
		var logs struct {
			Data []struct {
				Action string         `json:"action"`
				Before map[string]any `json:"before"`
				After  map[string]any `json:"after"`
			} `json:"data"`
		}
		env.Admin.Get("/audit-logs?entity_type=settings").Status(http.StatusOK).Decode(&logs)
		if len(logs.Data) != 2 || logs.Data[1].Before["max_customers_per_rep"] != float64(200) ||
			logs.Data[1].After["max_customers_per_rep"] != float64(5) {
			t.Fatalf("audit = %+v", logs.Data)
		}
	})
}

func TestSettingsBadInput(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		cases := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"unknown key", map[string]any{"lead_sla": "3d"}, http.StatusBadRequest, "lead_sla"},
			{"bad duration", map[string]any{"lead_followup_sla": "three days"}, http.StatusUnprocessableEntity, "lead_followup_sla"},
			{"negative duration", map[string]any{"lead_followup_sla": "-3h"}, http.StatusUnprocessableEntity, "lead_followup_sla"},
			{"duration as number", map[string]any{"lead_followup_sla": 3}, http.StatusUnprocessableEntity, "lead_followup_sla"},
			{"int as string", map[string]any{"max_customers_per_rep": "5"}, http.StatusUnprocessableEntity, "max_customers_per_rep"},
			{"zero cap", map[string]any{"max_customers_per_rep": 0}, http.StatusUnprocessableEntity, "max_customers_per_rep"},
			{"fraction", map[string]any{"max_customers_per_rep": 1.5}, http.StatusUnprocessableEntity, "max_customers_per_rep"},
			{"bool as string", map[string]any{"pool_recycle_exempt_signed": "yes"}, http.StatusUnprocessableEntity, "pool_recycle_exempt_signed"},
			{"unknown zone", map[string]any{"timezone": "Mars/Olympus"}, http.StatusUnprocessableEntity, "timezone"},
			{"local zone", map[string]any{"timezone": "Local"}, http.StatusUnprocessableEntity, "timezone"},
			{"percent as number", map[string]any{"quote_discount_approval_threshold": 15}, http.StatusUnprocessableEntity, "quote_discount_approval_threshold"},
			{"percent over 100", map[string]any{"quote_discount_approval_threshold": "100.5"}, http.StatusUnprocessableEntity, "quote_discount_approval_threshold"},
			{"percent 3 places", map[string]any{"quote_discount_approval_threshold": "10.125"}, http.StatusUnprocessableEntity, "quote_discount_approval_threshold"},
			{"negative days", map[string]any{"contract_expiry_reminder_days": -1}, http.StatusUnprocessableEntity, "contract_expiry_reminder_days"},
			{"not an object", "[1,2]", http.StatusBadRequest, ""},
		}
		for _, c := range cases {
			p := env.Admin.Patch("/settings", c.body).Status(c.status).Problem()
			if c.field != "" && !p.HasField(c.field) {
				t.Errorf("%s: problem %+v does not name %s", c.name, p, c.field)
			}
		}
		// Zone and threshold round-trip.
		got := env.Admin.Patch("/settings", map[string]any{"timezone": "Europe/Berlin", "quote_discount_approval_threshold": "12.5",
			"payment_due_reminder_days": 5}).Status(http.StatusOK).Map()
		if got["timezone"] != "Europe/Berlin" || got["quote_discount_approval_threshold"] != "12.5" || got["payment_due_reminder_days"] != float64(5) {
			t.Fatalf("updated %v", got)
		}
		if v, _ := env.App.Settings.Current(context.Background()); v.Timezone.Location().String() != "Europe/Berlin" ||
			v.QuoteDiscountApprovalThreshold.Decimal().String() != "12.5" {
			t.Fatalf("stored %+v", v)
		}
		// A mix of good and bad values changes nothing.
		env.Admin.Patch("/settings", map[string]any{"lead_followup_sla": "1h", "max_customers_per_rep": -1}).
			Status(http.StatusUnprocessableEntity)
		if v := env.Admin.Get("/settings").Status(http.StatusOK).Map()["lead_followup_sla"]; v != "3d" {
			t.Fatalf("partial write: lead_followup_sla = %v", v)
		}
	})
}
