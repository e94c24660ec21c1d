package opportunity

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

func renderCompetitor(c echo.Context, status int, comp *Competitor) error {
	httpx.SetETag(c, comp.Version)
	return c.JSON(status, CompetitorView(comp))
}

// listCompetitors pages through competitors.
//
//	@Summary		List competitors
//	@Description	Competitors (company reference data, the same for everyone).
//	@ID				listCompetitors
//	@Tags			competitors
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			q				query		string	false	"Search the name"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: name, created_at; prefix - for descending"	default(name)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	CompetitorList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Router			/competitors [get]
func (h *Handler) listCompetitors(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	page, err := h.svc.ListCompetitors(c.Request().Context(), c.QueryParam("q"), r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paging.Map(page, CompetitorView))
}

// getCompetitor shows a competitor with its win/loss record.
//
//	@Summary		Get a competitor
//	@Description	The competitor and the caller's record against it, over the opportunities in the caller's data scope: won and lost opportunities it was involved in, lost_to (lost with it as lost_competitor_id) and win_rate = won / (won + lost).
//	@ID				getCompetitor
//	@Tags			competitors
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Competitor id"
//	@Success		200	{object}	CompetitorDetail
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/competitors/{id} [get]
func (h *Handler) getCompetitor(c echo.Context) error {
	comp, st, err := h.svc.Competitor(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	httpx.SetETag(c, comp.Version)
	return c.JSON(http.StatusOK, CompetitorDetail{CompetitorResponse: CompetitorView(comp), Stats: st})
}

// createCompetitor adds a competitor.
//
//	@Summary		Create a competitor
//	@Description	name is required and unique, compared case-insensitively (422 taken).
//	@ID				createCompetitor
//	@Tags			competitors
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		CompetitorRequest	true	"Competitor"
//	@Success		201		{object}	CompetitorResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/competitors [post]
func (h *Handler) createCompetitor(c echo.Context) error {
	var req CompetitorRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	comp, err := h.svc.CreateCompetitor(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return renderCompetitor(c, http.StatusCreated, comp)
}

// updateCompetitor changes a competitor.
//
//	@Summary		Update a competitor
//	@Description	Absent fields stay. If-Match is honoured (412).
//	@ID				updateCompetitor
//	@Tags			competitors
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string				true	"Competitor id"
//	@Param			If-Match	header		string				false	"ETag of the version you read"
//	@Param			body		body		CompetitorRequest	true	"Changes"
//	@Success		200			{object}	CompetitorResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/competitors/{id} [patch]
func (h *Handler) updateCompetitor(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req CompetitorRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	comp, err := h.svc.UpdateCompetitor(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return renderCompetitor(c, http.StatusOK, comp)
}

// deleteCompetitor removes a competitor.
//
//	@Summary		Delete a competitor
//	@Description	Admins and managers (competitors:delete). 409 in_use while any opportunity names it (its win/loss record would be lost). If-Match is honoured (412).
//	@ID				deleteCompetitor
//	@Tags			competitors
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path	string	true	"Competitor id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		204
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		409	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/competitors/{id} [delete]
func (h *Handler) deleteCompetitor(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteCompetitor(c.Request().Context(), c.Param("id"), ifMatch); err != nil {
		return err
	}
	return httpx.NoContent(c)
}

// getScoringModel shows the scoring model.
//
//	@Summary		Get the scoring model
//	@Description	The weighted rules that give every opportunity its score 0–100: the weighted mean of points (0–100) for customer size, customer potential, purchase history (the customer's other won opportunities), amount, urgency (days to the expected close date), engagement recency (days since the last activity, else since creation) and stage (its probability). Version 1 is the built-in default.
//	@ID				getScoringModel
//	@Tags			opportunities
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Success		200	{object}	ScoringModelResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Router			/scoring-model [get]
func (h *Handler) getScoringModel(c echo.Context) error {
	m, err := h.svc.ScoringModel(c.Request().Context())
	if err != nil {
		return err
	}
	httpx.SetETag(c, m.Version)
	return c.JSON(http.StatusOK, m)
}

// putScoringModel replaces the scoring model.
//
//	@Summary		Replace the scoring model
//	@Description	Admins (scoring:write). Weights 0–1000 adding up to more than 0, points 0–100, bands in strictly ascending order (422 otherwise). Every opportunity is rescored in the same transaction. If-Match is honoured (412; "1" for the built-in default).
//	@ID				putScoringModel
//	@Tags			opportunities
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			If-Match	header		string	false	"ETag of the version you read"
//	@Param			body		body		Model	true	"Model"
//	@Success		200			{object}	ScoringModelResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/scoring-model [put]
func (h *Handler) putScoringModel(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var m Model
	if err := httpx.Bind(c, &m); err != nil {
		return err
	}
	out, err := h.svc.SetScoringModel(c.Request().Context(), ifMatch, m)
	if err != nil {
		return err
	}
	httpx.SetETag(c, out.Version)
	return c.JSON(http.StatusOK, out)
}
