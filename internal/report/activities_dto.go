package report

// ActivityCountsView is the activities done in the span, by type.
type ActivityCountsView struct {
	Calls    int64 `json:"calls" example:"40"`
	Visits   int64 `json:"visits" example:"12"`
	Meetings int64 `json:"meetings" example:"6"`
	Demos    int64 `json:"demos" example:"3"`
	Emails   int64 `json:"emails" example:"25"`
	Tasks    int64 `json:"tasks" example:"10"`
	Total    int64 `json:"total" example:"96"`
	// VisitsCheckedIn counts the visits done with a check-in.
	VisitsCheckedIn int64 `json:"visits_checked_in" example:"10"`
	// VisitsTimed counts the visits with both a check-in and a check-out.
	VisitsTimed int64 `json:"visits_timed" example:"8"`
	// AvgVisitMinutes is the mean check-in to check-out time of the timed
	// visits, in minutes to two places; null without any.
	AvgVisitMinutes *string `json:"avg_visit_minutes" extensions:"x-nullable" example:"45.50"`
} // @name ActivityCounts

// ActivityRowView is one user or team of the activity report.
type ActivityRowView struct {
	// UserID is set when grouping by user, null by team.
	UserID *string `json:"user_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	// TeamID is the user's team (null without one), or the team reported.
	TeamID *string `json:"team_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	Name   string  `json:"name" example:"张伟"`
	ActivityCountsView
} // @name ActivityReportRow

// ActivitiesResponse is the activity report.
type ActivitiesResponse struct {
	Range   RangeView         `json:"range"`
	GroupBy string            `json:"group_by" enums:"user,team" example:"user"`
	Data    []ActivityRowView `json:"data"`
	// Totals counts every user in scope once.
	Totals ActivityCountsView `json:"totals"`
} // @name ActivityReport

func activityCountsView(c ActivityCounts) ActivityCountsView {
	return ActivityCountsView{Calls: c.ByType["call"], Visits: c.ByType["visit"], Meetings: c.ByType["meeting"],
		Demos: c.ByType["demo"], Emails: c.ByType["email"], Tasks: c.ByType["task"], Total: c.Total,
		VisitsCheckedIn: c.VisitsCheckedIn, VisitsTimed: c.VisitsTimed, AvgVisitMinutes: c.AvgVisitMinutes()}
}

func activitiesView(a *Activities) ActivitiesResponse {
	out := ActivitiesResponse{Range: rangeView(a.Range), GroupBy: a.GroupBy, Data: make([]ActivityRowView, len(a.Rows)),
		Totals: activityCountsView(a.Totals)}
	for i, r := range a.Rows {
		v := ActivityRowView{TeamID: r.TeamID, Name: r.Name, ActivityCountsView: activityCountsView(r.ActivityCounts)}
		if r.UserID != "" {
			v.UserID = &r.UserID
		}
		out.Data[i] = v
	}
	return out
}
