package opportunity

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
)

// action binds a body of type R and runs one versioned action.
func action[R any](c echo.Context, run func(ctx context.Context, id string, ifMatch *int, req R) (*Opportunity, error)) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req R
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	o, err := run(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, o)
}

// moveStage moves an opportunity to another open stage.
//
//	@Summary		Move to a stage
//	@Description	Moves an open opportunity to another open stage of its pipeline (unknown stage, or a won or lost one, is 422 on stage_id: close with win or lose). The current stage entry is closed and a new one opened (stage history); stage_overdue is cleared and a pending stage-overdue reminder cancelled; the score is recomputed. A won or lost opportunity, or a move to the stage it is in, is 409 invalid_transition. Audited (action stage); If-Match is honoured (412).
//	@ID				moveOpportunityStage
//	@Tags			opportunities
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string				true	"Opportunity id"
//	@Param			If-Match	header		string				false	"ETag of the version you read"
//	@Param			body		body		StageMoveRequest	true	"Target stage"
//	@Success		200			{object}	OpportunityResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/opportunities/{id}/stage [post]
func (h *Handler) moveStage(c echo.Context) error { return action(c, h.svc.MoveStage) }

// win closes an opportunity as won.
//
//	@Summary		Win an opportunity
//	@Description	Moves an open opportunity into its pipeline's won stage: status won, closed_at set, amount replaced when given, the note kept in the stage history; the customer's other opportunities are rescored (purchase history). A closed opportunity is 409 invalid_transition. Audited (action win); If-Match is honoured (412).
//	@ID				winOpportunity
//	@Tags			opportunities
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string		true	"Opportunity id"
//	@Param			If-Match	header		string		false	"ETag of the version you read"
//	@Param			body		body		WinRequest	true	"Outcome"
//	@Success		200			{object}	OpportunityResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/opportunities/{id}/win [post]
func (h *Handler) win(c echo.Context) error { return action(c, h.svc.Win) }

// lose closes an opportunity as lost.
//
//	@Summary		Lose an opportunity
//	@Description	Moves an open opportunity into its pipeline's lost stage with the reason (required) and, when it went to a competitor, competitor_id (an existing competitor, added to competitor_ids; it counts as lost_to on the competitor). A closed opportunity is 409 invalid_transition. Audited (action lose); If-Match is honoured (412).
//	@ID				loseOpportunity
//	@Tags			opportunities
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string		true	"Opportunity id"
//	@Param			If-Match	header		string		false	"ETag of the version you read"
//	@Param			body		body		LoseRequest	true	"Outcome"
//	@Success		200			{object}	OpportunityResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/opportunities/{id}/lose [post]
func (h *Handler) lose(c echo.Context) error { return action(c, h.svc.Lose) }

// reopen puts a closed opportunity back into an open stage.
//
//	@Summary		Reopen an opportunity
//	@Description	Moves a won or lost opportunity back into an open stage: stage_id (an open stage of its pipeline) or the last open stage it was in. closed_at, lost_reason and lost_competitor_id are cleared. An open opportunity is 409 invalid_transition. Audited (action reopen); If-Match is honoured (412).
//	@ID				reopenOpportunity
//	@Tags			opportunities
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string			true	"Opportunity id"
//	@Param			If-Match	header		string			false	"ETag of the version you read"
//	@Param			body		body		ReopenRequest	true	"Where to"
//	@Success		200			{object}	OpportunityResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/opportunities/{id}/reopen [post]
func (h *Handler) reopen(c echo.Context) error { return action(c, h.svc.Reopen) }

// stageHistory lists the stages an opportunity went through.
//
//	@Summary		Stage history
//	@Description	Every stage the opportunity entered, oldest first: when, by whom, with what note, when it left and the time spent there (up to now for the current stage).
//	@ID				getOpportunityStageHistory
//	@Tags			opportunities
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Opportunity id"
//	@Success		200	{object}	StageHistory
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/opportunities/{id}/stage-history [get]
func (h *Handler) stageHistory(c echo.Context) error {
	out, err := h.svc.StageHistory(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// strategyHistory lists the versions of the strategy notes.
//
//	@Summary		Strategy history
//	@Description	Every version of the opportunity's strategy notes (销售策略), oldest first, with who wrote it and when.
//	@ID				getOpportunityStrategyHistory
//	@Tags			opportunities
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Opportunity id"
//	@Success		200	{object}	StrategyHistory
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/opportunities/{id}/strategy-history [get]
func (h *Handler) strategyHistory(c echo.Context) error {
	out, err := h.svc.StrategyHistory(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
