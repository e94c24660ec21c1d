package opportunity

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/validate"
)

// Handler serves /pipelines, /opportunities, /competitors and
// /scoring-model.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *Handler) Routes(g *echo.Group) {
	g.GET("/pipelines", h.listPipelines)
	g.POST("/pipelines", h.createPipeline)
	g.GET("/pipelines/:id", h.getPipeline)
	g.PUT("/pipelines/:id", h.updatePipeline)
	g.DELETE("/pipelines/:id", h.deletePipeline)
	g.GET("/opportunities", h.list)
	g.POST("/opportunities", h.create)
	g.GET("/opportunities/board", h.board)
	g.GET("/opportunities/:id", h.get)
	g.PATCH("/opportunities/:id", h.update)
	g.DELETE("/opportunities/:id", h.delete)
	g.POST("/opportunities/:id/stage", h.moveStage)
	g.POST("/opportunities/:id/win", h.win)
	g.POST("/opportunities/:id/lose", h.lose)
	g.POST("/opportunities/:id/reopen", h.reopen)
	g.GET("/opportunities/:id/stage-history", h.stageHistory)
	g.GET("/opportunities/:id/strategy-history", h.strategyHistory)
	g.GET("/competitors", h.listCompetitors)
	g.POST("/competitors", h.createCompetitor)
	g.GET("/competitors/:id", h.getCompetitor)
	g.PATCH("/competitors/:id", h.updateCompetitor)
	g.DELETE("/competitors/:id", h.deleteCompetitor)
	g.GET("/scoring-model", h.getScoringModel)
	g.PUT("/scoring-model", h.putScoringModel)
}

// render writes one opportunity with its ETag.
func render(c echo.Context, status int, o *Opportunity) error {
	httpx.SetETag(c, o.Version)
	return c.JSON(status, View(o))
}

// filter reads the list and board filters from the query.
func filter(c echo.Context) (Filter, string, error) {
	f := Filter{Q: c.QueryParam("q"), CustomerID: c.QueryParam("customer_id"), OwnerID: c.QueryParam("owner_id"),
		PipelineID: c.QueryParam("pipeline_id"), StageID: c.QueryParam("stage_id"), Currency: c.QueryParam("currency"),
		Status: httpx.QueryList(c, "status")}
	var v validate.V
	for _, d := range []struct {
		name string
		dst  **string
	}{{"expected_close_from", &f.CloseFrom}, {"expected_close_to", &f.CloseTo}} {
		if s := c.QueryParam(d.name); s != "" {
			*d.dst = checkDate(&v, d.name, &s)
		}
	}
	for _, m := range []struct {
		name string
		dst  **money.Amount
	}{{"amount_min", &f.AmountMin}, {"amount_max", &f.AmountMax}} {
		if s := c.QueryParam(m.name); s != "" {
			if a, ok := v.Money(m.name, &s, false); ok {
				*m.dst = &a
			}
		}
	}
	if err := v.Err(); err != nil {
		return f, "", queryError(err)
	}
	if c.QueryParam("overdue") != "" {
		b, err := httpx.QueryBool(c, "overdue", false)
		if err != nil {
			return f, "", err
		}
		f.Overdue = &b
	}
	return f, c.QueryParam("team_id"), nil
}

// queryError turns field errors found in the query string into the 400
// the API gives for bad query syntax.
func queryError(err error) error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return apperr.BadRequest("bad_query", "bad_query", ae.Fields...)
	}
	return err
}

// list pages through the caller's opportunities.
//
//	@Summary		List opportunities
//	@Description	Opportunities in the caller's data scope, as for customers: a rep sees their own, a manager their team's and sub-teams', an admin or API key all. Filters combine with AND. sort=-score lists the best first.
//	@ID				listOpportunities
//	@Tags			opportunities
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			q					query		string	false	"Search the name (case-insensitive substring)"
//	@Param			customer_id			query		string	false	"Customer id"
//	@Param			owner_id			query		string	false	"Owner user id"
//	@Param			team_id				query		string	false	"Owned by members of this team or its sub-teams"
//	@Param			pipeline_id			query		string	false	"Pipeline id"
//	@Param			stage_id			query		string	false	"Stage id"
//	@Param			status				query		string	false	"Status: open, won, lost (comma-separated)"
//	@Param			currency			query		string	false	"Currency, e.g. CNY"
//	@Param			expected_close_from	query		string	false	"Expected close on or after (date)"
//	@Param			expected_close_to	query		string	false	"Expected close on or before (date)"
//	@Param			amount_min			query		string	false	"Amount at least (decimal)"
//	@Param			amount_max			query		string	false	"Amount at most (decimal)"
//	@Param			overdue				query		bool	false	"Past the stage's time limit, or not"
//	@Param			limit				query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor				query		string	false	"Cursor from next_cursor"
//	@Param			sort				query		string	false	"Sort: created_at, updated_at, amount, expected_close_date, score; comma-separated, prefix - for descending"	default(-created_at)
//	@Param			include_total		query		bool	false	"Add total"
//	@Success		200					{object}	OpportunityList
//	@Failure		400					{object}	httpx.Problem
//	@Failure		401					{object}	httpx.Problem
//	@Failure		403					{object}	httpx.Problem
//	@Failure		422					{object}	httpx.Problem
//	@Router			/opportunities [get]
func (h *Handler) list(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	f, team, err := filter(c)
	if err != nil {
		return err
	}
	page, err := h.svc.List(c.Request().Context(), f, team, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paging.Map(page, View))
}

// board shows a pipeline's stages with counts and sums.
//
//	@Summary		Opportunity board
//	@Description	Per stage of the pipeline (the default one without pipeline_id), over the opportunities in the caller's data scope matching the filters: count, amount, weighted_amount (the sum of amount × probability / 100, each opportunity rounded half-up to the cent) and the first limit items by score, highest first (continue with GET /opportunities?stage_id=…&sort=-score&cursor=next_cursor and the same filters). Amounts of different currencies are added as they are; filter by currency for a single-currency total.
//	@ID				getOpportunityBoard
//	@Tags			opportunities
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			pipeline_id			query		string	false	"Pipeline id (default pipeline when absent)"
//	@Param			q					query		string	false	"Search the name"
//	@Param			customer_id			query		string	false	"Customer id"
//	@Param			owner_id			query		string	false	"Owner user id"
//	@Param			team_id				query		string	false	"Owned by members of this team or its sub-teams"
//	@Param			status				query		string	false	"Status: open, won, lost (comma-separated)"
//	@Param			currency			query		string	false	"Currency, e.g. CNY"
//	@Param			expected_close_from	query		string	false	"Expected close on or after (date)"
//	@Param			expected_close_to	query		string	false	"Expected close on or before (date)"
//	@Param			amount_min			query		string	false	"Amount at least (decimal)"
//	@Param			amount_max			query		string	false	"Amount at most (decimal)"
//	@Param			overdue				query		bool	false	"Past the stage's time limit, or not"
//	@Param			limit				query		int		false	"Items per stage (1–200)"	default(20)
//	@Success		200					{object}	Board
//	@Failure		400					{object}	httpx.Problem
//	@Failure		401					{object}	httpx.Problem
//	@Failure		403					{object}	httpx.Problem
//	@Failure		422					{object}	httpx.Problem
//	@Router			/opportunities/board [get]
func (h *Handler) board(c echo.Context) error {
	f, team, err := filter(c)
	if err != nil {
		return err
	}
	limit := 0
	if s := c.QueryParam("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil {
			return apperr.BadRequest("bad_query", "bad_query", apperr.FieldError{Field: "limit", Message: "must_be_integer"})
		}
	}
	b, err := h.svc.Board(c.Request().Context(), c.QueryParam("pipeline_id"), f, team, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

// create adds an opportunity.
//
//	@Summary		Create an opportunity
//	@Description	customer_id must be a customer in the caller's data scope; contact_id a contact of that customer; competitor_ids existing competitors; products existing, active products (each line total = quantity × unit_price × (1 − discount_percent/100), rounded half-up to the cent; without amount, the amount is their sum). pipeline_id defaults to the default pipeline, stage_id to its first open stage (won and lost stages are reached with win and lose: 422). owner_id defaults to the caller and must be someone the caller may give records to (an API key must name one). currency defaults to CNY. The score is computed from the scoring model. Audited; the stage entry starts the stage history.
//	@ID				createOpportunity
//	@Tags			opportunities
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		OpportunityCreateRequest	true	"Opportunity"
//	@Success		201		{object}	OpportunityResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/opportunities [post]
func (h *Handler) create(c echo.Context) error {
	var req OpportunityCreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	o, err := h.svc.Create(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return render(c, http.StatusCreated, o)
}

// get shows one opportunity.
//
//	@Summary		Get an opportunity
//	@Description	An opportunity in the caller's data scope; anything else is 404.
//	@ID				getOpportunity
//	@Tags			opportunities
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Opportunity id"
//	@Success		200	{object}	OpportunityResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/opportunities/{id} [get]
func (h *Handler) get(c echo.Context) error {
	o, err := h.svc.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, o)
}

// update changes an opportunity.
//
//	@Summary		Update an opportunity
//	@Description	Absent fields stay; competitor_ids and products replace the whole list (products without amount recompute the amount). The stage moves through the stage, win, lose and reopen actions. A won or lost opportunity refuses changes to amount, currency, expected_close_date, contact_id, competitor_ids and products (409 invalid_transition) until reopened. A strategy change is kept in the strategy history. owner_id must be someone the caller may give records to. If-Match is honoured (412).
//	@ID				updateOpportunity
//	@Tags			opportunities
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string						true	"Opportunity id"
//	@Param			If-Match	header		string						false	"ETag of the version you read"
//	@Param			body		body		OpportunityUpdateRequest	true	"Changes"
//	@Success		200			{object}	OpportunityResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		413			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/opportunities/{id} [patch]
func (h *Handler) update(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req OpportunityUpdateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	o, err := h.svc.Update(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, o)
}

// delete soft-deletes an opportunity.
//
//	@Summary		Delete an opportunity
//	@Description	Admins and managers (opportunities:delete), in their data scope. Soft delete: 404 afterwards; its pending reminders are cancelled. If-Match is honoured (412).
//	@ID				deleteOpportunity
//	@Tags			opportunities
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path	string	true	"Opportunity id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		204
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/opportunities/{id} [delete]
func (h *Handler) delete(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), c.Param("id"), ifMatch); err != nil {
		return err
	}
	return httpx.NoContent(c)
}
