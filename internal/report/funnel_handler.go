package report

import (
	"strconv"

	"github.com/labstack/echo/v4"
)

// FunnelHandler serves /reports/funnel and /reports/lead-conversion.
type FunnelHandler struct{ svc *FunnelService }

// NewFunnelHandler builds the handler.
func NewFunnelHandler(s *FunnelService) *FunnelHandler { return &FunnelHandler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *FunnelHandler) Routes(g *echo.Group) {
	g.GET("/reports/funnel", h.funnel)
	g.GET("/reports/lead-conversion", h.leadConversion)
}

// funnel reports a pipeline stage by stage.
//
//	@Summary		Sales funnel of a pipeline
//	@Description	Per stage of the pipeline (the default one unless pipeline_id), in position order, over the opportunities in the caller's data scope (rep: own; manager: their team subtree and own; admin: all), narrowed by team_id (the team's subtree) and user_id, by owner. Open stages: count, amount and weighted_amount of the opportunities in them now (weighted = amount × stage probability / 100, rounded half-up per opportunity); won and lost stages: those closed (closed_at) in the period. reached: how many opportunities created in the period ever entered the stage (stage history); conversion_rate: the share of those which also entered the next stage (the next open stage by position, after the last open one the won stage). win_rate = won / (won + lost) closed in the period; avg_cycle_days = mean days from created_at to closed_at of the ones won in the period. Rates are decimal strings with 4 places, null when undefined. Amounts are summed across currencies as stored. The period is period (2026-11, 2026-Q4, 2026) or from and to (dates, to inclusive) in the organisation's time zone; without either the current month. A team_id or user_id outside the caller's scope is 422 out_of_scope on that field, an unknown one 422 unknown_ref. format=csv streams the stage table; format=xlsx gives a workbook with the table and a column chart of count and reached per stage.
//	@ID				reportFunnel
//	@Tags			reports
//	@Produce		json
//	@Produce		text/csv
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			pipeline_id	query		string	false	"Pipeline id; default pipeline when absent"
//	@Param			period		query		string	false	"Month, quarter or year: 2026-11, 2026-Q4, 2026"
//	@Param			from		query		string	false	"First day (date, organisation's zone); with to"
//	@Param			to			query		string	false	"Last day, included (date); with from"
//	@Param			team_id		query		string	false	"Only opportunities owned by members of this team's subtree"
//	@Param			user_id		query		string	false	"Only opportunities owned by this user"
//	@Param			format		query		string	false	"Response format"	Enums(json,csv,xlsx)	default(json)
//	@Success		200			{object}	FunnelReport
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/reports/funnel [get]
func (h *FunnelHandler) funnel(c echo.Context) error {
	format, err := formatOf(c)
	if err != nil {
		return err
	}
	r, err := h.svc.Funnel(c.Request().Context(), c.QueryParam("pipeline_id"), queryOf(c))
	if err != nil {
		return err
	}
	return render(c, format, r, Table{Name: "funnel",
		Columns: []Column{{"stage_id", Text}, {"name", Text}, {"kind", Text}, {"position", Integer},
			{"probability", Integer}, {"count", Integer}, {"amount", Money}, {"weighted_amount", Money},
			{"reached", Integer}, {"conversion_rate", Ratio}},
		Chart: &Chart{Kind: ChartColumn, Title: "Funnel", Category: "name", Series: []string{"count", "reached"}},
		Rows: func(emit func(...string) error) error {
			for _, s := range r.Stages {
				if err := emit(s.StageID, s.Name, s.Kind, strconv.Itoa(s.Position), strconv.Itoa(s.Probability),
					i64(s.Count), s.Amount.String(), s.WeightedAmount.String(), i64(s.Reached),
					opt(s.ConversionRate)); err != nil {
					return err
				}
			}
			return nil
		}})
}

// leadConversion reports lead conversion by group.
//
//	@Summary		Lead conversion by source, region or owner
//	@Description	The leads created in the period in the caller's data scope (rep: own; manager: their team subtree and own; admin: all, unowned ones included), by owner and narrowed by team_id (the team's subtree) and user_id, grouped by group_by (default source; owner groups by the lead's owner, key "" for unowned leads). Per group: leads; converted (of those leads); opportunities: the opportunities opened from those conversions — a lead is not linked to an opportunity directly, so they are the opportunities of the contact each conversion created (the one a conversion's opportunity names), which includes any opened for that contact later, whoever owns them now; won: those of them won; conversion_rate = converted / leads; win_rate = won / opportunities (4-place decimal strings, null when undefined). total sums every group. The period is period (2026-11, 2026-Q4, 2026) or from and to (dates, to inclusive) in the organisation's time zone; without either the current month. A team_id or user_id outside the caller's scope is 422 out_of_scope on that field, an unknown one 422 unknown_ref. format=csv streams the group table; format=xlsx gives a workbook with the table and a column chart of leads, converted and won per group.
//	@ID				reportLeadConversion
//	@Tags			reports
//	@Produce		json
//	@Produce		text/csv
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			group_by	query		string	false	"Grouping"	Enums(source,region,owner)	default(source)
//	@Param			period		query		string	false	"Month, quarter or year: 2026-11, 2026-Q4, 2026"
//	@Param			from		query		string	false	"First day (date, organisation's zone); with to"
//	@Param			to			query		string	false	"Last day, included (date); with from"
//	@Param			team_id		query		string	false	"Only leads owned by members of this team's subtree"
//	@Param			user_id		query		string	false	"Only leads owned by this user"
//	@Param			format		query		string	false	"Response format"	Enums(json,csv,xlsx)	default(json)
//	@Success		200			{object}	LeadConversionReport
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/reports/lead-conversion [get]
func (h *FunnelHandler) leadConversion(c echo.Context) error {
	format, err := formatOf(c)
	if err != nil {
		return err
	}
	r, err := h.svc.LeadConversion(c.Request().Context(), c.QueryParam("group_by"), queryOf(c))
	if err != nil {
		return err
	}
	return render(c, format, r, Table{Name: "lead-conversion",
		Columns: []Column{{r.GroupBy, Text}, {"label", Text}, {"leads", Integer}, {"converted", Integer},
			{"opportunities", Integer}, {"won", Integer}, {"conversion_rate", Ratio}, {"win_rate", Ratio}},
		Chart: &Chart{Kind: ChartColumn, Title: "Lead conversion by " + r.GroupBy, Category: "label",
			Series: []string{"leads", "converted", "won"}},
		Rows: func(emit func(...string) error) error {
			for _, g := range r.Groups {
				if err := emit(g.Key, g.Label, i64(g.Leads), i64(g.Converted), i64(g.Opportunities), i64(g.Won),
					opt(g.ConversionRate), opt(g.WinRate)); err != nil {
					return err
				}
			}
			return nil
		}})
}

func queryOf(c echo.Context) FunnelQuery {
	return FunnelQuery{Period: c.QueryParam("period"), From: c.QueryParam("from"), To: c.QueryParam("to"),
		TeamID: c.QueryParam("team_id"), UserID: c.QueryParam("user_id")}
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

func opt(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
