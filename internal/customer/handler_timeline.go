package customer

import (
	"github.com/opencrm/crm/internal/followup"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

// timeline pages through a customer's history.
//
//	@Summary		A customer's timeline
//	@Description	Everything about the customer in one list, newest first: follow-ups (type follow_up), ownership changes (assigned, claimed, released, transferred, recycled, with the reason), creation and edits (created, updated: the changed fields) and contacts added (contact_added). Later modules add their events. The customer must be in the caller's data scope (404 otherwise, pool customers included for non-admins).
//	@ID				getCustomerTimeline
//	@Tags			customers
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id		path		string	true	"Customer id"
//	@Param			limit	query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor	query		string	false	"Cursor from next_cursor"
//	@Success		200		{object}	TimelineList
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		404		{object}	httpx.Problem
//	@Router			/customers/{id}/timeline [get]
func (h *Handler) timeline(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	out, err := h.svc.Timeline(c.Request().Context(), c.Param("id"), r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// addFollowUp records a follow-up.
//
//	@Summary		Record a customer follow-up
//	@Description	Records a contact with a customer in the caller's data scope and, in the same transaction, moves its last_followed_at forward (never backwards), which restarts the idle time of the recycling rule; the customer's version grows. followed_at defaults to now and may not be in the future (a minute of clock skew is tolerated); next_follow_up_at must be after it. Times are RFC 3339 or a date (00:00 UTC).
//	@ID				createCustomerFollowUp
//	@Tags			customers
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id		path		string					true	"Customer id"
//	@Param			body	body		followup.CreateRequest	true	"Follow-up"
//	@Success		201		{object}	FollowUpResponse
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		404		{object}	httpx.Problem
//	@Failure		412		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/customers/{id}/follow-ups [post]
func (h *Handler) addFollowUp(c echo.Context) error {
	var req followup.CreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	f, err := h.svc.AddFollowUp(c.Request().Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, FollowUpView(f))
}

// listFollowUps pages through a customer's follow-ups.
//
//	@Summary		List a customer's follow-ups
//	@Description	Newest contact first by default. The customer must be in the caller's data scope (404 otherwise).
//	@ID				listCustomerFollowUps
//	@Tags			customers
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id				path		string	true	"Customer id"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: followed_at, created_at; prefix - for descending"	default(-followed_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	FollowUpList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Failure		404				{object}	httpx.Problem
//	@Router			/customers/{id}/follow-ups [get]
func (h *Handler) listFollowUps(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	page, err := h.svc.ListFollowUps(c.Request().Context(), c.Param("id"), r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paging.Map(page, FollowUpView))
}
