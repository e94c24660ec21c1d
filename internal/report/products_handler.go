package report

import (
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
)

// MixHandler serves /reports/products, /reports/customers and
// /reports/activities.
type MixHandler struct{ svc *MixService }

// NewMixHandler builds the handler.
func NewMixHandler(s *MixService) *MixHandler { return &MixHandler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *MixHandler) Routes(g *echo.Group) {
	g.GET("/reports/products", h.products)
	g.GET("/reports/customers", h.customers)
	g.GET("/reports/activities", h.activities)
}

// spanQuery reads the span and scope filters every report shares.
func spanQuery(c echo.Context) PerfQuery {
	return PerfQuery{Period: c.QueryParam("period"), From: c.QueryParam("from"), To: c.QueryParam("to"),
		TeamID: c.QueryParam("team_id"), UserID: c.QueryParam("user_id")}
}

// products reports product sales.
//
//	@Summary		Product sales: quantity, revenue, margin, best and worst sellers
//	@Description	Sales of catalogue products on the order lines of the orders approved (approved_at) in the span and not cancelled now (an order may be cancelled from approved; it then counts nowhere), owned by users in the caller's data scope (admins everyone, managers their team subtree and themselves, reps themselves), narrowed by team_id (the order owner's team subtree) and user_id (the order owner). Per product: quantity = the sum of the lines' quantities; revenue = the sum of the lines' net totals, i.e. after the line discount and before tax (net = round(quantity × unit_price × (1 − discount_percent/100)), see pricing); cost = the product's current cost × quantity, rounded half away from zero to the cent; margin = revenue − cost; margin_rate = margin / revenue to four places (null without revenue). Amounts are summed across currencies as stored. Cost, margin and margin_rate are shown only to callers holding products:cost (admins and managers) and are null for everyone else (cost_visible false) and for a product without a known cost; totals.cost is null when any product sold lacks a known cost. best_sellers: the products sold in the span (whether still active or not), top limit by revenue, then quantity, then name; worst_sellers: the active catalogue products, bottom limit by revenue, then quantity, then name, unsold ones (zero) included. totals sum every catalogue product sold (not only the listed ones). Free-text lines (no product) are left out of the rankings and totals and summed apart in unlisted (null when category is given). category keeps only products in those categories (exact names, comma-separated). The span is a period (2026-11, 2026-Q4, 2026) or from and to (local dates, both inclusive, at most 1096 days), cut in the organisation's time zone. team_id or user_id outside the caller's scope is 422 out_of_scope. format=csv streams one table: the best sellers (list "best") then the worst sellers (list "worst"); format=xlsx gives that table and a bar chart of revenue and margin per row.
//	@ID				reportProducts
//	@Tags			reports
//	@Produce		json
//	@Produce		text/csv
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			period		query		string	false	"Period: 2026-11, 2026-Q4 or 2026 (or from and to)"
//	@Param			from		query		string	false	"First local date, 2026-11-01"
//	@Param			to			query		string	false	"Last local date (inclusive), 2026-11-30"
//	@Param			team_id		query		string	false	"Only orders owned in this team's subtree"
//	@Param			user_id		query		string	false	"Only orders owned by this user"
//	@Param			category	query		string	false	"Product categories, exact names (comma-separated for several)"
//	@Param			limit		query		int		false	"Rows of each list"	minimum(1)	maximum(100)	default(10)
//	@Param			format		query		string	false	"Response format"	Enums(json, csv, xlsx)	default(json)
//	@Success		200			{object}	ProductsResponse
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/reports/products [get]
func (h *MixHandler) products(c echo.Context) error {
	format, err := formatOf(c)
	if err != nil {
		return err
	}
	p, err := h.svc.Products(c.Request().Context(), ProductsQuery{PerfQuery: spanQuery(c),
		Categories: httpx.QueryList(c, "category"), Limit: c.QueryParam("limit")})
	if err != nil {
		return err
	}
	v := productsView(p)
	return render(c, format, v, Table{Name: "products",
		Columns: []Column{{"list", Text}, {"rank", Integer}, {"product_id", Text}, {"sku", Text}, {"name", Text},
			{"category", Text}, {"active", Text}, {"quantity", Number}, {"revenue", Money}, {"cost", Money},
			{"margin", Money}, {"margin_rate", Ratio}},
		Chart: &Chart{Kind: ChartBar, Title: "Revenue and margin", Category: "name", Series: []string{"revenue", "margin"}},
		Rows: func(emit func(...string) error) error {
			for _, l := range []struct {
				name string
				rows []ProductSalesView
			}{{"best", v.BestSellers}, {"worst", v.WorstSellers}} {
				for _, r := range l.rows {
					if err := emit(l.name, strconv.Itoa(r.Rank), r.ProductID, r.SKU, r.Name, r.Category,
						strconv.FormatBool(r.Active), r.Quantity, r.Revenue, opt(r.Cost), opt(r.Margin),
						opt(r.MarginRate)); err != nil {
						return err
					}
				}
			}
			return nil
		}})
}
