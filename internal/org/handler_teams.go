package org

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

// listTeams lists teams.
//
//	@Summary		List teams
//	@Description	The team tree, flat: each team names its parent_id. Filter by parent_id for one level.
//	@ID				listTeams
//	@Tags			teams
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			parent_id		query		string	false	"Only children of this team"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: name, created_at; prefix - for descending"	default(name)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	TeamList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Router			/teams [get]
func (h *Handler) listTeams(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	page, err := h.svc.ListTeams(c.Request().Context(), c.QueryParam("parent_id"), r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paging.Map(page, TeamView))
}

// createTeam adds a team.
//
//	@Summary	Create a team
//	@ID			createTeam
//	@Tags		teams
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		body	body		TeamCreateRequest	true	"Team"
//	@Success	201		{object}	TeamResponse
//	@Failure	400		{object}	httpx.Problem
//	@Failure	401		{object}	httpx.Problem
//	@Failure	403		{object}	httpx.Problem
//	@Failure	422		{object}	httpx.Problem
//	@Router		/teams [post]
func (h *Handler) createTeam(c echo.Context) error {
	var req TeamCreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	t, err := h.svc.CreateTeam(c.Request().Context(), req)
	if err != nil {
		return err
	}
	httpx.SetETag(c, t.Version)
	return c.JSON(http.StatusCreated, TeamView(t))
}

// getTeam shows one team.
//
//	@Summary	Get a team
//	@ID			getTeam
//	@Tags		teams
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		id	path		string	true	"Team id"
//	@Success	200	{object}	TeamResponse
//	@Failure	401	{object}	httpx.Problem
//	@Failure	403	{object}	httpx.Problem
//	@Failure	404	{object}	httpx.Problem
//	@Router		/teams/{id} [get]
func (h *Handler) getTeam(c echo.Context) error {
	t, err := h.svc.GetTeam(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	httpx.SetETag(c, t.Version)
	return c.JSON(http.StatusOK, TeamView(t))
}

// updateTeam renames or moves a team.
//
//	@Summary		Update a team
//	@Description	Admin only. parent_id "" makes the team a root; a move under itself or a descendant is refused (422).
//	@ID				updateTeam
//	@Tags			teams
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string				true	"Team id"
//	@Param			If-Match	header		string				false	"ETag of the version you read"
//	@Param			body		body		TeamUpdateRequest	true	"Changes"
//	@Success		200			{object}	TeamResponse
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/teams/{id} [patch]
func (h *Handler) updateTeam(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req TeamUpdateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	t, err := h.svc.UpdateTeam(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	httpx.SetETag(c, t.Version)
	return c.JSON(http.StatusOK, TeamView(t))
}

// deleteTeam removes an empty team.
//
//	@Summary		Delete a team
//	@Description	Admin only. A team that still has members or sub-teams is refused with 409 (code in_use).
//	@ID				deleteTeam
//	@Tags			teams
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path	string	true	"Team id"
//	@Success		204
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		409	{object}	httpx.Problem
//	@Router			/teams/{id} [delete]
func (h *Handler) deleteTeam(c echo.Context) error {
	if err := h.svc.DeleteTeam(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return httpx.NoContent(c)
}
