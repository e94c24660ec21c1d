package quote

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/order"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

// Handler serves /quotes.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *Handler) Routes(g *echo.Group) {
	g.GET("/quotes", h.list)
	g.POST("/quotes", h.create)
	g.GET("/quotes/:id", h.get)
	g.PATCH("/quotes/:id", h.update)
	g.GET("/quotes/:id/revisions", h.revisions)
	g.POST("/quotes/:id/submit", h.submit)
	g.POST("/quotes/:id/send", h.send)
	g.POST("/quotes/:id/accept", h.accept)
	g.POST("/quotes/:id/reject", h.reject)
	g.POST("/quotes/:id/convert", h.convert)
	g.POST("/quotes/:id/revise", h.revise)
}

func render(c echo.Context, status int, q *Quote) error {
	httpx.SetETag(c, q.Version)
	return c.JSON(status, View(q))
}

// list pages through quotes.
//
//	@Summary		List quotes
//	@Description	Quotes in your data scope (rep: own; manager: their team subtree; admin: all), with their lines; superseded revisions only with all_revisions=true or status=superseded. Filters combine with AND.
//	@ID				listQuotes
//	@Tags			quotes
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			status			query		string	false	"Status (comma-separated for several): draft, pending_approval, approved, sent, accepted, rejected, expired, superseded"
//	@Param			customer_id		query		string	false	"Customer id"
//	@Param			opportunity_id	query		string	false	"Opportunity id"
//	@Param			number			query		string	false	"Number, exact"
//	@Param			q				query		string	false	"Search the number (case-insensitive substring)"
//	@Param			all_revisions	query		bool	false	"Include superseded revisions"
//	@Param			created_from	query		string	false	"Created at or after (RFC 3339 or date)"
//	@Param			created_to		query		string	false	"Created before (RFC 3339, exclusive; a date includes that whole day)"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: created_at, number, total; comma-separated, prefix - for descending"	default(-created_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	QuoteList
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		422	{object}	httpx.Problem
//	@Router			/quotes [get]
func (h *Handler) list(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	f := Filter{Status: httpx.QueryList(c, "status"), CustomerID: c.QueryParam("customer_id"),
		OpportunityID: c.QueryParam("opportunity_id"), Number: c.QueryParam("number"), Q: c.QueryParam("q")}
	if f.AllRevisions, err = httpx.QueryBool(c, "all_revisions", false); err != nil {
		return err
	}
	if f.CreatedFrom, err = httpx.QueryTime(c, "created_from", false); err != nil {
		return err
	}
	if f.CreatedTo, err = httpx.QueryTime(c, "created_to", true); err != nil {
		return err
	}
	page, err := h.svc.List(c.Request().Context(), f, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paging.Map(page, View))
}

// create adds a quote.
//
//	@Summary		Create a quote
//	@Description	A draft quote, revision 1, numbered QT-YYYYMMDD-NNNN (the business day in the organisation's time zone; unique and gap-free per day), owned by you. customer_id: a customer in your data scope; contact_id and opportunity_id (optional) must be of that customer and visible to you (422 unknown_ref otherwise). valid_until: a date, the last day it is valid (the expiry sweep expires approved and sent quotes after it). items: 1–200 lines, each a product_id (name, unit and unit_price default from the catalogue; unknown or retired products are 422; a product priced in another currency needs unit_price) or a free name, with quantity (> 0, ≤ 4 places), unit_price (≥ 0, 2 places), discount_percent (0–100, 2 places, default 0) and tax_rate (0–1, 4 places, default 0).
//	@Description	Pricing, exact decimal arithmetic: gross = round(quantity × unit_price); net = round(quantity × unit_price × (1 − discount_percent / 100)), the line total; discount = gross − net; tax = round(net × tax_rate), tax on the discounted line; total = net + tax. round is half away from zero (四舍五入) to the cent, applied once per figure from the exact product, never to a rounded intermediate. Document totals are sums of the rounded line figures: subtotal = Σ gross, discount_total = Σ discount, tax_total = Σ tax, total = Σ total.
//	@ID				createQuote
//	@Tags			quotes
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		QuoteCreateRequest	true	"Quote"
//	@Success		201		{object}	QuoteResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		413	{object}	httpx.Problem
//	@Failure		415	{object}	httpx.Problem
//	@Failure		422	{object}	httpx.Problem
//	@Router			/quotes [post]
func (h *Handler) create(c echo.Context) error {
	var req QuoteCreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	q, err := h.svc.Create(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return render(c, http.StatusCreated, q)
}

// get shows one quote revision.
//
//	@Summary		Get a quote
//	@Description	A quote revision in your data scope, with its lines (404 outside it).
//	@ID				getQuote
//	@Tags			quotes
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Quote id"
//	@Success		200	{object}	QuoteResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/quotes/{id} [get]
func (h *Handler) get(c echo.Context) error {
	q, err := h.svc.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, q)
}

// revisions lists every revision of a quote.
//
//	@Summary		List a quote's revisions
//	@Description	Every revision sharing the quote's number, oldest first, each with its own id, revision, status and lines.
//	@ID				listQuoteRevisions
//	@Tags			quotes
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Quote id (any revision)"
//	@Success		200	{object}	RevisionList
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/quotes/{id}/revisions [get]
func (h *Handler) revisions(c echo.Context) error {
	qs, err := h.svc.Revisions(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	out := RevisionList{Data: make([]QuoteResponse, len(qs))}
	for i := range qs {
		out.Data[i] = View(&qs[i])
	}
	return c.JSON(http.StatusOK, out)
}

// update changes a draft quote.
//
//	@Summary		Update a quote
//	@Description	Absent fields stay; items, when given, replace every line and are priced as on create (a new currency needs its items). Only a draft can be edited: editing a quote pending approval withdraws the request and puts it back to draft, to be submitted again; other statuses are 409 not_editable (revise them). If-Match honoured (412). Audited.
//	@ID				updateQuote
//	@Tags			quotes
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string				true	"Quote id"
//	@Param			If-Match	header		string				false	"ETag of the version you read"
//	@Param			body		body		QuoteUpdateRequest	true	"Changes"
//	@Success		200			{object}	QuoteResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		409	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Failure		413	{object}	httpx.Problem
//	@Failure		415	{object}	httpx.Problem
//	@Failure		422	{object}	httpx.Problem
//	@Router			/quotes/{id} [patch]
func (h *Handler) update(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req QuoteUpdateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	q, err := h.svc.Update(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, q)
}

// submit submit a quote.
//
//	@Summary		Submit a quote
//	@Description	draft → approved, or pending_approval when any line's discount_percent is above the quote_discount_approval_threshold setting: the approval engine then decides (approval rules for entity quote; by default the submitter's manager), approving it (event quote.approved) or rejecting it back to draft. Writes event quote.submitted (and quote.approved when no approval is needed). Any other status is 409 invalid_transition. If-Match honoured (412).
//	@ID				submitQuote
//	@Tags			quotes
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path	string	true	"Quote id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		200	{object}	QuoteResponse
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		409	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/quotes/{id}/submit [post]
func (h *Handler) submit(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	q, err := h.svc.Submit(c.Request().Context(), c.Param("id"), ifMatch)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, q)
}

// send send a quote.
//
//	@Summary		Send a quote
//	@Description	approved → sent (to the customer). Writes event quote.sent. Any other status is 409 invalid_transition. If-Match honoured (412).
//	@ID				sendQuote
//	@Tags			quotes
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path	string	true	"Quote id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		200	{object}	QuoteResponse
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		409	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/quotes/{id}/send [post]
func (h *Handler) send(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	q, err := h.svc.Send(c.Request().Context(), c.Param("id"), ifMatch)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, q)
}

// accept accept a quote.
//
//	@Summary		Accept a quote
//	@Description	sent → accepted: the customer accepted it. Writes event quote.accepted. Any other status is 409 invalid_transition. If-Match honoured (412).
//	@ID				acceptQuote
//	@Tags			quotes
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path	string	true	"Quote id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		200	{object}	QuoteResponse
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		409	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/quotes/{id}/accept [post]
func (h *Handler) accept(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	q, err := h.svc.Accept(c.Request().Context(), c.Param("id"), ifMatch)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, q)
}

// reject reject a quote.
//
//	@Summary		Reject a quote
//	@Description	sent → rejected: the customer declined, with a reason (required, ≤ 1000 characters). Writes event quote.rejected. Any other status is 409 invalid_transition. If-Match honoured (412).
//	@ID				rejectQuote
//	@Tags			quotes
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path	string	true	"Quote id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Param			body	body	RejectRequest	true	"Body"
//	@Success		200	{object}	QuoteResponse
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		409	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Failure		422	{object}	httpx.Problem
//	@Router			/quotes/{id}/reject [post]
func (h *Handler) reject(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req RejectRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	q, err := h.svc.Reject(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, q)
}

// convert convert a quote into an order.
//
//	@Summary		Convert a quote into an order
//	@Description	An accepted quote becomes a draft order (201, the order) with the same lines and figures, customer, opportunity, currency and notes, owned by the quote's owner; the quote gets converted_order_id. Once only: a second conversion is 409 already_converted. Writes event quote.converted. Any other status is 409 invalid_transition. If-Match honoured (412).
//	@ID				convertQuote
//	@Tags			quotes
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path	string	true	"Quote id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		201	{object}	order.OrderResponse
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		409	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/quotes/{id}/convert [post]
func (h *Handler) convert(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	q, err := h.svc.Convert(c.Request().Context(), c.Param("id"), ifMatch)
	if err != nil {
		return err
	}
	return renderOrder(c, q)
}

// revise revise a quote.
//
//	@Summary		Revise a quote
//	@Description	An approved, sent, rejected or expired quote gets a new revision (201, the new revision): a draft copy with the same number, revision + 1, the same lines and references. The quote itself becomes superseded and stays readable (GET /quotes/{id}/revisions). Any other status is 409 invalid_transition. If-Match honoured (412).
//	@ID				reviseQuote
//	@Tags			quotes
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path	string	true	"Quote id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		201	{object}	QuoteResponse
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		409	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/quotes/{id}/revise [post]
func (h *Handler) revise(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	q, err := h.svc.Revise(c.Request().Context(), c.Param("id"), ifMatch)
	if err != nil {
		return err
	}
	return render(c, http.StatusCreated, q)
}

func renderOrder(c echo.Context, o *order.Order) error {
	httpx.SetETag(c, o.Version)
	return c.JSON(http.StatusCreated, order.View(o))
}
