package team

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

func renderPlan(c echo.Context, status int, p *Plan) error {
	httpx.SetETag(c, p.Version)
	return c.JSON(status, PlanView(p))
}

// listPlans pages through commission plans.
//
//	@Summary		List commission plans
//	@Description	Admins and managers read every plan; reps the plans that apply to them (naming them, or their team or a team above it).
//	@ID				listCommissionPlans
//	@Tags			commission-plans
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			active			query		bool	false	"Active or inactive plans only"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: created_at, name, effective_from; prefix - for descending"	default(-created_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	CommissionPlanList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Router			/commission-plans [get]
func (h *Handler) listPlans(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	var active *bool
	if c.QueryParam("active") != "" {
		b, err := httpx.QueryBool(c, "active", false)
		if err != nil {
			return err
		}
		active = &b
	}
	page, err := h.svc.ListPlans(c.Request().Context(), active, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paging.Map(page, PlanView))
}

// createPlan adds a commission plan.
//
//	@Summary		Create a commission plan
//	@Description	Admins only. basis: received_amount (payments received in the period on contracts the user owns) or won_amount (amounts of opportunities won in the period, credited to their owner). tiers are progressive: each rate applies only to the part of the basis inside its tier, rounded half-up to the cent per tier. They must be contiguous and ascending — the first from "0.00", each from equal to the previous to, each to above its from — and only the last is open-ended (to null); errors name the tier (tiers[1].from). rate is a decimal string 0–1 with at most 4 places. The plan applies to user_ids and to team_ids with their sub-teams (at least one id; each must exist). effective_to, when set, is not before effective_from.
//	@ID				createCommissionPlan
//	@Tags			commission-plans
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		CommissionPlanCreateRequest	true	"Plan"
//	@Success		201		{object}	CommissionPlanResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/commission-plans [post]
func (h *Handler) createPlan(c echo.Context) error {
	var req CommissionPlanCreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	p, err := h.svc.CreatePlan(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return renderPlan(c, http.StatusCreated, p)
}

// getPlan shows one commission plan.
//
//	@Summary		Get a commission plan
//	@Description	Reps get only plans that apply to them (404 otherwise).
//	@ID				getCommissionPlan
//	@Tags			commission-plans
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Plan id"
//	@Success		200	{object}	CommissionPlanResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/commission-plans/{id} [get]
func (h *Handler) getPlan(c echo.Context) error {
	p, err := h.svc.GetPlan(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return renderPlan(c, http.StatusOK, p)
}

// updatePlan changes a commission plan.
//
//	@Summary		Update a commission plan
//	@Description	Admins only. Absent fields stay; tiers, user_ids and team_ids are replaced whole and checked as on create; effective_to "" clears it. Send If-Match with the ETag (412 when stale).
//	@ID				updateCommissionPlan
//	@Tags			commission-plans
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string						true	"Plan id"
//	@Param			If-Match	header		string						false	"ETag of the version you read"
//	@Param			body		body		CommissionPlanUpdateRequest	true	"Changes"
//	@Success		200			{object}	CommissionPlanResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		413			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/commission-plans/{id} [patch]
func (h *Handler) updatePlan(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req CommissionPlanUpdateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	p, err := h.svc.UpdatePlan(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return renderPlan(c, http.StatusOK, p)
}

// deletePlan removes a commission plan.
//
//	@Summary		Delete a commission plan
//	@Description	Admins only. To stop a plan but keep it, PATCH active false or set effective_to. If-Match is honoured (412).
//	@ID				deleteCommissionPlan
//	@Tags			commission-plans
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path	string	true	"Plan id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		204
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/commission-plans/{id} [delete]
func (h *Handler) deletePlan(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeletePlan(c.Request().Context(), c.Param("id"), ifMatch); err != nil {
		return err
	}
	return httpx.NoContent(c)
}
