package order

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

// Handler serves /orders.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *Handler) Routes(g *echo.Group) {
	g.GET("/orders", h.list)
	g.POST("/orders", h.create)
	g.GET("/orders/:id", h.get)
	g.PATCH("/orders/:id", h.update)
	g.POST("/orders/:id/submit", h.submit)
	g.POST("/orders/:id/ship", h.ship)
	g.POST("/orders/:id/deliver", h.deliver)
	g.POST("/orders/:id/complete", h.complete)
	g.POST("/orders/:id/cancel", h.cancel)
}

func render(c echo.Context, status int, o *Order) error {
	httpx.SetETag(c, o.Version)
	return c.JSON(status, View(o))
}

// list pages through orders.
//
//	@Summary		List orders
//	@Description	Orders in your data scope (rep: own; manager: their team subtree; admin: all), with their lines. Filters combine with AND.
//	@ID				listOrders
//	@Tags			orders
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			status			query		string	false	"Status (comma-separated for several): draft, submitted, approved, shipped, delivered, completed, cancelled"
//	@Param			payment_status	query		string	false	"Payment status (comma-separated): unpaid, partially_paid, paid"
//	@Param			customer_id		query		string	false	"Customer id"
//	@Param			quote_id		query		string	false	"Quote id"
//	@Param			opportunity_id	query		string	false	"Opportunity id"
//	@Param			contract_id		query		string	false	"Contract id"
//	@Param			q				query		string	false	"Search the number (case-insensitive substring)"
//	@Param			created_from	query		string	false	"Created at or after (RFC 3339 or date)"
//	@Param			created_to		query		string	false	"Created before (RFC 3339, exclusive; a date includes that whole day)"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: created_at, number, total; comma-separated, prefix - for descending"	default(-created_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	OrderList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Failure		422				{object}	httpx.Problem
//	@Router			/orders [get]
func (h *Handler) list(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	f := Filter{Status: httpx.QueryList(c, "status"), PaymentStatus: httpx.QueryList(c, "payment_status"),
		CustomerID: c.QueryParam("customer_id"), QuoteID: c.QueryParam("quote_id"),
		OpportunityID: c.QueryParam("opportunity_id"), ContractID: c.QueryParam("contract_id"), Q: c.QueryParam("q")}
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

// create adds an order.
//
//	@Summary		Create an order
//	@Description	A draft order numbered SO-YYYYMMDD-NNNN (the business day in the organisation's time zone; unique and gap-free per day), owned by you. customer_id: a customer in your data scope; opportunity_id and quote_id (optional) must be of that customer and in your scope (422 unknown_ref otherwise); contract_id is a plain reference. items: 1–200 lines, each a product_id (name, unit and unit_price default from the catalogue; unknown or retired products are 422; a product priced in another currency needs unit_price) or a free name, with quantity (> 0, ≤ 4 places), unit_price (≥ 0, 2 places), discount_percent (0–100, 2 places, default 0) and tax_rate (0–1, 4 places, default 0).
//	@Description	Pricing, exact decimal arithmetic: gross = round(quantity × unit_price); net = round(quantity × unit_price × (1 − discount_percent / 100)), the line total; discount = gross − net; tax = round(net × tax_rate), tax on the discounted line; total = net + tax. round is half away from zero (四舍五入) to the cent, applied once per figure from the exact product, never to a rounded intermediate. Document totals are sums of the rounded line figures: subtotal = Σ gross, discount_total = Σ discount, tax_total = Σ tax, total = Σ total.
//	@ID				createOrder
//	@Tags			orders
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		OrderCreateRequest	true	"Order"
//	@Success		201		{object}	OrderResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		409		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/orders [post]
func (h *Handler) create(c echo.Context) error {
	var req OrderCreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	o, err := h.svc.Create(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return render(c, http.StatusCreated, o)
}

// get shows one order.
//
//	@Summary		Get an order
//	@Description	An order in your data scope, with its lines (404 outside it).
//	@ID				getOrder
//	@Tags			orders
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Order id"
//	@Success		200	{object}	OrderResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/orders/{id} [get]
func (h *Handler) get(c echo.Context) error {
	o, err := h.svc.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, o)
}

// update changes a draft order.
//
//	@Summary		Update an order
//	@Description	Absent fields stay; items, when given, replace every line and are priced as on create (a new currency needs its items). Only a draft can be edited: editing a submitted order withdraws its approval request and puts it back to draft, to be submitted again; later statuses are 409 not_editable. If-Match honoured (412). Audited.
//	@ID				updateOrder
//	@Tags			orders
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string				true	"Order id"
//	@Param			If-Match	header		string				false	"ETag of the version you read"
//	@Param			body		body		OrderUpdateRequest	true	"Changes"
//	@Success		200			{object}	OrderResponse
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
//	@Router			/orders/{id} [patch]
func (h *Handler) update(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req OrderUpdateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	o, err := h.svc.Update(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, o)
}

// submit sends an order for approval.
//
//	@Summary		Submit an order for approval
//	@Description	draft → submitted: the approval engine picks the chain by the order's total (approval rules for entity order; by default the submitter's manager). When the last step approves, the order becomes approved (event order.approved); a rejection puts it back to draft. Any other status is 409 invalid_transition. Writes event order.submitted. If-Match honoured (412).
//	@ID				submitOrder
//	@Tags			orders
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string	true	"Order id"
//	@Param			If-Match	header		string	false	"ETag of the version you read"
//	@Success		200			{object}	OrderResponse
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Router			/orders/{id}/submit [post]
func (h *Handler) submit(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	o, err := h.svc.Submit(c.Request().Context(), c.Param("id"), ifMatch)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, o)
}

// ship records a shipment.
//
//	@Summary		Ship an order
//	@Description	approved → shipped, with carrier and tracking_number (required, ≤ 100 characters). Any other status is 409 invalid_transition. Writes event order.shipped. If-Match honoured (412).
//	@ID				shipOrder
//	@Tags			orders
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string		true	"Order id"
//	@Param			If-Match	header		string		false	"ETag of the version you read"
//	@Param			body		body		ShipRequest	true	"Shipment"
//	@Success		200			{object}	OrderResponse
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/orders/{id}/ship [post]
func (h *Handler) ship(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req ShipRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	o, err := h.svc.Ship(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, o)
}

// deliver records the delivery.
//
//	@Summary		Mark an order delivered
//	@Description	shipped → delivered. Any other status is 409 invalid_transition. Writes event order.delivered. If-Match honoured (412).
//	@ID				deliverOrder
//	@Tags			orders
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string	true	"Order id"
//	@Param			If-Match	header		string	false	"ETag of the version you read"
//	@Success		200			{object}	OrderResponse
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Router			/orders/{id}/deliver [post]
func (h *Handler) deliver(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	o, err := h.svc.Deliver(c.Request().Context(), c.Param("id"), ifMatch)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, o)
}

// complete closes the order.
//
//	@Summary		Complete an order
//	@Description	delivered → completed. Any other status is 409 invalid_transition. Writes event order.completed. If-Match honoured (412).
//	@ID				completeOrder
//	@Tags			orders
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string	true	"Order id"
//	@Param			If-Match	header		string	false	"ETag of the version you read"
//	@Success		200			{object}	OrderResponse
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Router			/orders/{id}/complete [post]
func (h *Handler) complete(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	o, err := h.svc.Complete(c.Request().Context(), c.Param("id"), ifMatch)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, o)
}

// cancel calls the order off.
//
//	@Summary		Cancel an order
//	@Description	draft, submitted or approved → cancelled, with a reason (required, ≤ 1000 characters); a pending approval request is withdrawn. Any other status is 409 invalid_transition. Writes event order.cancelled. If-Match honoured (412).
//	@ID				cancelOrder
//	@Tags			orders
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string			true	"Order id"
//	@Param			If-Match	header		string			false	"ETag of the version you read"
//	@Param			body		body		CancelRequest	true	"Reason"
//	@Success		200			{object}	OrderResponse
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/orders/{id}/cancel [post]
func (h *Handler) cancel(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req CancelRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	o, err := h.svc.Cancel(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, o)
}
