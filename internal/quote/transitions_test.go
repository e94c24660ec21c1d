package quote_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

var quoteActions = []string{"submit", "send", "accept", "reject", "convert", "revise"}

// body is what each action posts.
func body(action string) any {
	if action == "reject" {
		return map[string]any{"reason": "价格高于竞品"}
	}
	return nil
}

// Every action from every status a quote reaches without an approval: the
// legal ones move it (and write their events), the rest are 409
// invalid_transition and change nothing, events included.
func TestQuoteTransitions(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		setThreshold(t, env, "50")
		rep := env.User("rep", env.Team("华东", ""))
		cust := customerOf(t, rep.Client, "恒达精密")

		paths := map[string][]string{
			"draft":      nil,
			"approved":   {"submit"},
			"sent":       {"submit", "send"},
			"accepted":   {"submit", "send", "accept"},
			"rejected":   {"submit", "send", "reject"},
			"converted":  {"submit", "send", "accept", "convert"},
			"expired":    {"submit"},
			"superseded": {"submit", "revise"},
		}
		legal := map[string]map[string]string{
			"draft":      {"submit": "approved"},
			"approved":   {"send": "sent", "revise": "draft"},
			"sent":       {"accept": "accepted", "reject": "rejected", "revise": "draft"},
			"accepted":   {"convert": ""},
			"rejected":   {"revise": "draft"},
			"converted":  {},
			"expired":    {"revise": "draft"},
			"superseded": {},
		}
		events := map[string][]string{"submit": {"quote.submitted", "quote.approved"}, "send": {"quote.sent"},
			"accept": {"quote.accepted"}, "reject": {"quote.rejected"}, "convert": {"quote.converted"}, "revise": nil}
		for from, path := range paths {
			for _, action := range quoteActions {
				q := reach(t, env, rep.Client, cust, from, path)
				before := getQuote(t, rep.Client, q.ID)
				evBefore := eventsOf(t, env, q.ID)
				to, ok := legal[from][action]
				if !ok {
					p := rep.Post("/quotes/"+q.ID+"/"+action, body(action)).Status(http.StatusConflict).Problem()
					after := getQuote(t, rep.Client, q.ID)
					if (p.Code != "invalid_transition" && !(from == "converted" && p.Code == "already_converted")) ||
						after.Version != before.Version || after.Status != before.Status {
						t.Errorf("%s from %s: %s, quote %s v%d", action, from, p.Code, after.Status, after.Version)
					}
					if got := eventsOf(t, env, q.ID); !slices.Equal(got, evBefore) {
						t.Errorf("%s from %s wrote events %v", action, from, got[len(evBefore):])
					}
					continue
				}
				res := rep.Post("/quotes/"+q.ID+"/"+action, body(action)).Status(statusOf(action)).Map()
				after := getQuote(t, rep.Client, q.ID)
				switch action {
				case "revise":
					if res["status"] != to || res["number"] != q.Number || res["revision"] != float64(2) ||
						after.Status != "superseded" {
						t.Errorf("revise from %s: new %v, old %s", from, res, after.Status)
					}
				case "convert":
					if after.ConvertedOrderID == nil || res["id"] != *after.ConvertedOrderID || res["status"] != "draft" {
						t.Errorf("convert: %v, quote %+v", res, after)
					}
				default:
					if after.Status != to || after.Version != before.Version+1 {
						t.Errorf("%s from %s: %s v%d", action, from, after.Status, after.Version)
					}
				}
				if got := eventsOf(t, env, q.ID); !slices.Equal(got[len(evBefore):], events[action]) {
					t.Errorf("%s from %s: events %v, want %v", action, from, got[len(evBefore):], events[action])
				}
			}
		}
	})
}

// statusOf is the success status of an action.
func statusOf(action string) int {
	if action == "convert" || action == "revise" {
		return http.StatusCreated
	}
	return http.StatusOK
}

// reach makes a quote and takes it down path to status from. An expired
// quote gets there through the sweep (valid until yesterday); a
// superseded one is the revision a revise replaced.
func reach(t *testing.T, env *apptest.Env, c *apptest.Client, cust, from string, path []string) quoteRef {
	t.Helper()
	validUntil := "2099-12-31"
	if from == "expired" {
		validUntil = "2020-01-01"
	}
	var q quoteRef
	c.Post("/quotes", map[string]any{"customer_id": cust, "valid_until": validUntil,
		"items": []any{line("1", "100", "10", "0.13")}}).Status(http.StatusCreated).Decode(&q)
	for _, a := range path {
		c.Post("/quotes/"+q.ID+"/"+a, body(a)).Status(statusOf(a))
	}
	if from == "expired" {
		env.Admin.Post("/admin/jobs/quote-expiry-sweep/run", nil).Status(http.StatusOK)
	}
	return q
}

type quoteRef struct {
	ID     string `json:"id"`
	Number string `json:"number"`
}
