package report

import (
	"github.com/labstack/echo/v4"
)

// activities counts activities per rep or team and type.
//
//	@Summary		Activities done per rep or team, by type
//	@Description	The activities done (status done, done_at in the span) per owner (group_by=user) or per team (group_by=team: the sum over the members of the team and its sub-teams), for the users in the caller's data scope (admins everyone, managers their team subtree and themselves, reps themselves), narrowed by team_id (a team's subtree) and user_id; an activity counts for its owner only, not its participants. Per row: calls, visits, meetings, demos, emails and tasks (every activity type; a follow-up is recorded as one of them) and their total; visits_checked_in = the visits done with a check-in; visits_timed = those with a check-in and a check-out; avg_visit_minutes = the mean of their check-out − check-in (whole seconds) in minutes to two places, null without any. Every user in scope has a row, zeros included; teams are those the caller may see. totals counts every user in scope once (team rows overlap along the tree and are not added). The span is a period (2026-11, 2026-Q4, 2026) or from and to (local dates, both inclusive, at most 1096 days), cut in the organisation's time zone. team_id or user_id outside the caller's scope is 422 out_of_scope. format=csv streams the rows (without the totals) with a header row; format=xlsx gives that table and a stacked column chart of the counts per type per row.
//	@ID				reportActivities
//	@Tags			reports
//	@Produce		json
//	@Produce		text/csv
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			period		query		string	false	"Period: 2026-11, 2026-Q4 or 2026 (or from and to)"
//	@Param			from		query		string	false	"First local date, 2026-11-01"
//	@Param			to			query		string	false	"Last local date (inclusive), 2026-11-30"
//	@Param			group_by	query		string	false	"Rows per user or per team"	Enums(user, team)	default(user)
//	@Param			team_id		query		string	false	"Only this team's subtree"
//	@Param			user_id		query		string	false	"Only this user"
//	@Param			format		query		string	false	"Response format"	Enums(json, csv, xlsx)	default(json)
//	@Success		200			{object}	ActivitiesResponse
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/reports/activities [get]
func (h *MixHandler) activities(c echo.Context) error {
	format, err := formatOf(c)
	if err != nil {
		return err
	}
	q := spanQuery(c)
	q.GroupBy = c.QueryParam("group_by")
	a, err := h.svc.Activities(c.Request().Context(), q)
	if err != nil {
		return err
	}
	v := activitiesView(a)
	return render(c, format, v, Table{Name: "activities",
		Columns: []Column{{"user_id", Text}, {"team_id", Text}, {"name", Text}, {"calls", Integer}, {"visits", Integer},
			{"meetings", Integer}, {"demos", Integer}, {"emails", Integer}, {"tasks", Integer}, {"total", Integer},
			{"visits_checked_in", Integer}, {"visits_timed", Integer}, {"avg_visit_minutes", Number}},
		Chart: &Chart{Kind: ChartColumnStacked, Title: "Activities by type", Category: "name",
			Series: []string{"calls", "visits", "meetings", "demos", "emails", "tasks"}},
		Rows: func(emit func(...string) error) error {
			for _, r := range v.Data {
				if err := emit(deref(r.UserID), deref(r.TeamID), r.Name, itoa(r.Calls), itoa(r.Visits),
					itoa(r.Meetings), itoa(r.Demos), itoa(r.Emails), itoa(r.Tasks), itoa(r.Total),
					itoa(r.VisitsCheckedIn), itoa(r.VisitsTimed), deref(r.AvgVisitMinutes)); err != nil {
					return err
				}
			}
			return nil
		}})
}
