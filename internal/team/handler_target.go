package team

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

func renderTarget(c echo.Context, status int, t *Target) error {
	httpx.SetETag(c, t.Version)
	return c.JSON(status, TargetView(t))
}

// listTargets pages through targets.
//
//	@Summary		List targets
//	@Description	Targets in the caller's scope: admins all; managers those of their team, its sub-teams and their members; reps their own and their team's. Filters combine with AND; team_id takes the team's whole subtree (its teams' targets and their members').
//	@ID				listTargets
//	@Tags			targets
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			subject_type	query		string	false	"user or team"	Enums(user, team)
//	@Param			subject_id		query		string	false	"User or team id"
//	@Param			period			query		string	false	"Canonical period: 2026-11, 2026-Q4 or 2026"
//	@Param			metric			query		string	false	"Metric"	Enums(won_amount, received_amount, new_customers, orders_count, activities_count)
//	@Param			team_id			query		string	false	"Targets of this team's subtree and its members"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: created_at, period_start; prefix - for descending"	default(-created_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	TargetList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Router			/targets [get]
func (h *Handler) listTargets(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	f := TargetFilter{SubjectType: c.QueryParam("subject_type"), SubjectID: c.QueryParam("subject_id"),
		Period: c.QueryParam("period"), Metric: c.QueryParam("metric"), TeamID: c.QueryParam("team_id")}
	page, err := h.svc.ListTargets(c.Request().Context(), f, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paging.Map(page, TargetView))
}

// createTarget sets a quota.
//
//	@Summary		Create a target
//	@Description	Admins for anyone; managers for their team, its sub-teams and their members (403 otherwise). subject_id must name an existing user or team (422). period is a calendar month (2026-11), quarter (2026-Q4) or year (2026) in the organisation's time zone (setting timezone); period_start and period_end are its local midnights in UTC. Metrics: won_amount — amounts of opportunities won in the period, credited to their owner; received_amount — payments received in the period on contracts the user owns; orders_count — orders approved in the period; new_customers — customers created or converted in the period that the user owns; activities_count — activities done in the period. A team's actual is the sum over its members and sub-teams. value is a money string for the two amount metrics and a non-negative integer string for the counts. One target per subject, period and metric: another is 409 code duplicate naming it.
//	@ID				createTarget
//	@Tags			targets
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		TargetCreateRequest	true	"Target"
//	@Success		201		{object}	TargetResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		409		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/targets [post]
func (h *Handler) createTarget(c echo.Context) error {
	var req TargetCreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	t, err := h.svc.CreateTarget(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return renderTarget(c, http.StatusCreated, t)
}

// getTarget shows one target.
//
//	@Summary		Get a target
//	@Description	A target in the caller's scope (404 outside it).
//	@ID				getTarget
//	@Tags			targets
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Target id"
//	@Success		200	{object}	TargetResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/targets/{id} [get]
func (h *Handler) getTarget(c echo.Context) error {
	t, err := h.svc.GetTarget(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return renderTarget(c, http.StatusOK, t)
}

// updateTarget changes a target's value.
//
//	@Summary		Update a target
//	@Description	Admins and managers, within their scope. Only value changes (validated by the target's metric); a different subject, period or metric is another target. Send If-Match with the ETag (412 when stale).
//	@ID				updateTarget
//	@Tags			targets
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string				true	"Target id"
//	@Param			If-Match	header		string				false	"ETag of the version you read"
//	@Param			body		body		TargetUpdateRequest	true	"Changes"
//	@Success		200			{object}	TargetResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		413			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/targets/{id} [patch]
func (h *Handler) updateTarget(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req TargetUpdateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	t, err := h.svc.UpdateTarget(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return renderTarget(c, http.StatusOK, t)
}

// deleteTarget removes a target.
//
//	@Summary		Delete a target
//	@Description	Admins and managers, within their scope. If-Match is honoured (412).
//	@ID				deleteTarget
//	@Tags			targets
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path	string	true	"Target id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		204
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/targets/{id} [delete]
func (h *Handler) deleteTarget(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteTarget(c.Request().Context(), c.Param("id"), ifMatch); err != nil {
		return err
	}
	return httpx.NoContent(c)
}
