package customer

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
)

// pool pages through the public pool.
//
//	@Summary		List the public pool
//	@Description	Every live customer without an owner, for every role that may read customers. Callers without admin scope see phone and email masked (138****8000, l***@example.com; masked: true) until they claim the customer. Same filters as GET /customers (owner_id does not apply).
//	@ID				listCustomerPool
//	@Tags			customers
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			industry			query		string	false	"Industry, exact"
//	@Param			size				query		string	false	"Size: large, medium, small (comma-separated for several)"
//	@Param			potential			query		string	false	"Potential: high, medium, low (comma-separated)"
//	@Param			level				query		string	false	"Level: A, B, C (comma-separated)"
//	@Param			lifecycle_stage		query		string	false	"Lifecycle stage: prospect, active, at_risk, churned (comma-separated)"
//	@Param			source				query		string	false	"Source (comma-separated)"
//	@Param			region				query		string	false	"Region, exact"
//	@Param			tag					query		string	false	"Has this tag (comma-separated: has all of them)"
//	@Param			locked				query		bool	false	"Locked or not"
//	@Param			phone				query		string	false	"Phone, exact"
//	@Param			email				query		string	false	"Email, exact"
//	@Param			q					query		string	false	"Search name, website, address (case-insensitive substring); phone and email too for callers with admin scope (others see them masked)"
//	@Param			created_from		query		string	false	"Created at or after (RFC 3339 or date)"
//	@Param			created_to			query		string	false	"Created before (RFC 3339, exclusive; a date includes that whole day)"
//	@Param			last_followed_from	query		string	false	"Last followed up at or after (RFC 3339 or date)"
//	@Param			last_followed_to	query		string	false	"Last followed up before (exclusive)"
//	@Param			limit				query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor				query		string	false	"Cursor from next_cursor"
//	@Param			sort				query		string	false	"Sort: created_at, updated_at, name; prefix - for descending"	default(-created_at)
//	@Param			include_total		query		bool	false	"Add total"
//	@Success		200					{object}	CustomerList
//	@Failure		400					{object}	httpx.Problem
//	@Failure		401					{object}	httpx.Problem
//	@Failure		403					{object}	httpx.Problem
//	@Failure		422					{object}	httpx.Problem
//	@Router			/customers/pool [get]
func (h *Handler) pool(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	f, err := filter(c)
	if err != nil {
		return err
	}
	page, err := h.svc.Pool(c.Request().Context(), f, r)
	if err != nil {
		return err
	}
	return renderPage(c, page)
}

// claim takes a customer from the pool.
//
//	@Summary		Claim a pool customer
//	@Description	The caller becomes the owner of a customer in the public pool; of several claims at the same instant exactly one wins. 409 with code already_owned (it has an owner, or another claim won), cooldown (the caller released it, or had it recycled, within pool_reclaim_cooldown), limit_reached (the caller already owns max_customers_per_rep customers). API keys cannot own customers (403). An unknown or deleted customer is 404; an owned one is 409 already_owned whoever owns it, with no detail.
//	@ID				claimCustomer
//	@Tags			customers
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Customer id"
//	@Success		200	{object}	CustomerResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		409	{object}	httpx.Problem
//	@Router			/customers/{id}/claim [post]
func (h *Handler) claim(c echo.Context) error {
	cust, err := h.svc.Claim(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, cust)
}

// release gives a customer back to the pool.
//
//	@Summary		Release a customer to the pool
//	@Description	The owner, or a manager or admin whose data scope holds the customer, returns it to the public pool. reason (required, up to 500 characters) is kept in the ownership history; the owner is notified when someone else released it. A customer already in the pool is 409 in_pool. If-Match is honoured (412).
//	@ID				releaseCustomer
//	@Tags			customers
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string			true	"Customer id"
//	@Param			If-Match	header		string			false	"ETag of the version you read"
//	@Param			body		body		ReleaseRequest	true	"Why"
//	@Success		200			{object}	CustomerResponse
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
//	@Router			/customers/{id}/release [post]
func (h *Handler) release(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req ReleaseRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	cust, err := h.svc.Release(c.Request().Context(), c.Param("id"), ifMatch, req.Reason)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, cust)
}

// transfer gives a customer to another owner.
//
//	@Summary		Transfer a customer
//	@Description	Admins and managers (customers:transfer). The customer must be in the caller's data scope or in the public pool; the new owner must be an active user the caller may give records to (a manager's team and sub-teams, anyone for an admin), else 422 on owner_id, as is the current owner. Not capped by max_customers_per_rep. The new and the previous owner are notified. If-Match is honoured (412).
//	@ID				transferCustomer
//	@Tags			customers
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string			true	"Customer id"
//	@Param			If-Match	header		string			false	"ETag of the version you read"
//	@Param			body		body		TransferRequest	true	"New owner"
//	@Success		200			{object}	CustomerResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		413			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/customers/{id}/transfer [post]
func (h *Handler) transfer(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req TransferRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	cust, err := h.svc.Transfer(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, cust)
}
