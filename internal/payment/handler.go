package payment

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

// Handler serves /payments and /invoices.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *Handler) Routes(g *echo.Group) {
	g.GET("/payments", h.list)
	g.POST("/payments", h.create)
	g.GET("/payments/:id", h.get)
	g.POST("/payments/:id/void", h.void)
	g.GET("/invoices", h.listInvoices)
	g.POST("/invoices", h.createInvoice)
	g.GET("/invoices/:id", h.getInvoice)
	g.POST("/invoices/:id/issue", h.issueInvoice)
	g.POST("/invoices/:id/void", h.voidInvoice)
}

func renderPayment(c echo.Context, status int, p *Payment) error {
	httpx.SetETag(c, p.Version)
	return c.JSON(status, View(p))
}

func renderInvoice(c echo.Context, status int, i *Invoice) error {
	httpx.SetETag(c, i.Version)
	return c.JSON(status, InvoiceView(i))
}

// filter reads the list filters shared by payments and invoices.
func filter(c echo.Context) (Filter, error) {
	f := Filter{ContractID: c.QueryParam("contract_id"), OrderID: c.QueryParam("order_id"),
		CustomerID: c.QueryParam("customer_id"), OwnerID: c.QueryParam("owner_id"),
		Status: httpx.QueryList(c, "status"), Method: httpx.QueryList(c, "method")}
	var err error
	if f.From, err = httpx.QueryTime(c, "from", false); err != nil {
		return f, err
	}
	f.To, err = httpx.QueryTime(c, "to", true)
	return f, err
}

// list pages through payments.
//
//	@Summary		List payments
//	@Description	Payments in the caller's data scope (judged by the contract's owner), newest received first by default.
//	@ID				listPayments
//	@Tags			payments
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			contract_id		query		string	false	"Contract id"
//	@Param			customer_id		query		string	false	"Customer id"
//	@Param			owner_id		query		string	false	"Owner (the contract's) user id"
//	@Param			status			query		string	false	"Status (comma-separated): received, voided"
//	@Param			method			query		string	false	"Method (comma-separated): bank_transfer, cash, cheque, online, other"
//	@Param			from			query		string	false	"Received at or after (RFC 3339 or date)"
//	@Param			to				query		string	false	"Received before (RFC 3339, exclusive; a date includes that whole day)"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: received_at, created_at, amount; prefix - for descending"	default(-received_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	PaymentList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Failure		422				{object}	httpx.Problem
//	@Router			/payments [get]
func (h *Handler) list(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	f, err := filter(c)
	if err != nil {
		return err
	}
	page, err := h.svc.List(c.Request().Context(), f, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paging.Map(page, View))
}

// create books a payment.
//
//	@Summary		Record a payment
//	@Description	Money received against a signed (signed, executing or completed) contract in the caller's data scope (409 contract_not_signed otherwise), in the contract's currency. amount > 0, at most the contract's outstanding amount: more is 422 with code overpayment. With payment_plan_id it goes to that instalment (at most its outstanding, 422); without, to the open instalments oldest due date first, partially where it runs out; what no instalment takes stays unallocated on the contract. Payments on one contract are serialised on its row, so concurrent ones cannot together overpay. Instalments paid in full lose their reminders. The payment shows on the customer timeline. Payments are never edited: void a wrong one and record it again. Event payment.received.
//	@ID				createPayment
//	@Tags			payments
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		PaymentRequest	true	"Payment"
//	@Success		201		{object}	PaymentResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		409		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/payments [post]
func (h *Handler) create(c echo.Context) error {
	var req PaymentRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	p, err := h.svc.Record(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return renderPayment(c, http.StatusCreated, p)
}

// get shows a payment.
//
//	@Summary		Get a payment
//	@Description	A payment in the caller's data scope with its allocations; anything else is 404.
//	@ID				getPayment
//	@Tags			payments
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Payment id"
//	@Success		200	{object}	PaymentResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/payments/{id} [get]
func (h *Handler) get(c echo.Context) error {
	p, err := h.svc.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return renderPayment(c, http.StatusOK, p)
}

// void cancels a payment.
//
//	@Summary		Void a payment
//	@Description	Admins and managers (payments:void). received → voided with a reason: the amount leaves the contract's received amount and the instalments it was applied to re-open (their due and overdue reminders come back); the allocations stay listed as history. A voided payment is 409 invalid_transition. Event payment.voided. If-Match is honoured (412).
//	@ID				voidPayment
//	@Tags			payments
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string		true	"Payment id"
//	@Param			If-Match	header		string		false	"ETag of the version you read"
//	@Param			body		body		VoidRequest	true	"Reason"
//	@Success		200			{object}	PaymentResponse
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
//	@Router			/payments/{id}/void [post]
func (h *Handler) void(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req VoidRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	p, err := h.svc.Void(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return renderPayment(c, http.StatusOK, p)
}

// listInvoices pages through invoices.
//
//	@Summary		List invoices
//	@Description	Invoices in the caller's data scope (judged by the contract's or order's owner), newest first by default.
//	@ID				listInvoices
//	@Tags			invoices
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			contract_id		query		string	false	"Contract id"
//	@Param			order_id		query		string	false	"Order id"
//	@Param			customer_id		query		string	false	"Customer id"
//	@Param			owner_id		query		string	false	"Owner user id"
//	@Param			status			query		string	false	"Status (comma-separated): requested, issued, voided"
//	@Param			from			query		string	false	"Requested at or after (RFC 3339 or date)"
//	@Param			to				query		string	false	"Requested before (RFC 3339, exclusive; a date includes that whole day)"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: created_at, amount; prefix - for descending"	default(-created_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	InvoiceList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Failure		422				{object}	httpx.Problem
//	@Router			/invoices [get]
func (h *Handler) listInvoices(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	f, err := filter(c)
	if err != nil {
		return err
	}
	f.Method = nil
	page, err := h.svc.Invoices(c.Request().Context(), f, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paging.Map(page, InvoiceView))
}

// createInvoice requests an invoice.
//
//	@Summary		Request an invoice
//	@Description	For exactly one of a signed contract and an order in the caller's data scope. amount includes tax; the live (requested or issued) invoices of the contract or order may not total more than its amount (422 invoice_ceiling on amount; concurrent requests are serialised). tax_rate between 0 and 1. vat_special (增值税专用发票) needs tax_number (the buyer's taxpayer id, 15–20 letters and digits). Event invoice.requested.
//	@ID				createInvoice
//	@Tags			invoices
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		InvoiceRequest	true	"Invoice"
//	@Success		201		{object}	InvoiceResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		409		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/invoices [post]
func (h *Handler) createInvoice(c echo.Context) error {
	var req InvoiceRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	inv, err := h.svc.RequestInvoice(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return renderInvoice(c, http.StatusCreated, inv)
}

// getInvoice shows an invoice.
//
//	@Summary		Get an invoice
//	@Description	An invoice in the caller's data scope; anything else is 404.
//	@ID				getInvoice
//	@Tags			invoices
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Invoice id"
//	@Success		200	{object}	InvoiceResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/invoices/{id} [get]
func (h *Handler) getInvoice(c echo.Context) error {
	inv, err := h.svc.GetInvoice(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return renderInvoice(c, http.StatusOK, inv)
}

// issueInvoice records an invoice as issued.
//
//	@Summary		Issue an invoice
//	@Description	Admins and managers (invoices:issue). requested → issued, with the invoice number from the tax system (unique: 409 duplicate) and issued_at (default now; not in the future). Any other status is 409 invalid_transition. Event invoice.issued. If-Match is honoured (412).
//	@ID				issueInvoice
//	@Tags			invoices
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string			true	"Invoice id"
//	@Param			If-Match	header		string			false	"ETag of the version you read"
//	@Param			body		body		IssueRequest	true	"Issue"
//	@Success		200			{object}	InvoiceResponse
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
//	@Router			/invoices/{id}/issue [post]
func (h *Handler) issueInvoice(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req IssueRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	inv, err := h.svc.IssueInvoice(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return renderInvoice(c, http.StatusOK, inv)
}

// voidInvoice cancels an invoice.
//
//	@Summary		Void an invoice
//	@Description	Admins and managers (invoices:issue). requested or issued → voided, with a reason; its amount no longer counts toward the ceiling. A voided invoice is 409 invalid_transition. Event invoice.voided. If-Match is honoured (412).
//	@ID				voidInvoice
//	@Tags			invoices
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string		true	"Invoice id"
//	@Param			If-Match	header		string		false	"ETag of the version you read"
//	@Param			body		body		VoidRequest	true	"Reason"
//	@Success		200			{object}	InvoiceResponse
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
//	@Router			/invoices/{id}/void [post]
func (h *Handler) voidInvoice(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req VoidRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	inv, err := h.svc.VoidInvoice(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return renderInvoice(c, http.StatusOK, inv)
}
