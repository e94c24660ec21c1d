package contract

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

// Handler serves /contracts with their actions, payment plans and
// attachments.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *Handler) Routes(g *echo.Group) {
	g.GET("/contracts", h.list)
	g.POST("/contracts", h.create)
	g.GET("/contracts/:id", h.get)
	g.PATCH("/contracts/:id", h.update)
	g.GET("/contracts/:id/approvals", h.trail)
	g.POST("/contracts/:id/submit", h.submit)
	g.POST("/contracts/:id/sign", h.sign)
	g.POST("/contracts/:id/start", h.start)
	g.POST("/contracts/:id/complete", h.complete)
	g.POST("/contracts/:id/terminate", h.terminate)
	g.GET("/contracts/:id/payment-plans", h.listPlans)
	g.POST("/contracts/:id/payment-plans", h.createPlan)
	g.PATCH("/contracts/:id/payment-plans/:pid", h.updatePlan)
	g.DELETE("/contracts/:id/payment-plans/:pid", h.deletePlan)
	g.GET("/contracts/:id/attachments", h.listAttachments)
	g.POST("/contracts/:id/attachments", h.upload)
	g.GET("/contracts/:id/attachments/:aid", h.download)
	g.DELETE("/contracts/:id/attachments/:aid", h.deleteAttachment)
}

func render(c echo.Context, status int, ct *Contract) error {
	httpx.SetETag(c, ct.Version)
	return c.JSON(status, View(ct))
}

// list pages through the caller's contracts.
//
//	@Summary		List contracts
//	@Description	Contracts in the caller's data scope (by owner: a rep their own, a manager their team's and sub-teams', an admin or API key all). Filters combine with AND.
//	@ID				listContracts
//	@Tags			contracts
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			status			query		string	false	"Status (comma-separated): draft, pending_approval, approved, signed, executing, completed, terminated"
//	@Param			customer_id		query		string	false	"Customer id"
//	@Param			owner_id		query		string	false	"Owner user id"
//	@Param			opportunity_id	query		string	false	"Linked opportunity id"
//	@Param			order_id		query		string	false	"Linked order id"
//	@Param			q				query		string	false	"Search title and number (case-insensitive substring)"
//	@Param			end_date_from	query		string	false	"End date on or after (date)"
//	@Param			end_date_to		query		string	false	"End date on or before (date)"
//	@Param			created_from	query		string	false	"Created at or after (RFC 3339 or date)"
//	@Param			created_to		query		string	false	"Created before (RFC 3339, exclusive; a date includes that whole day)"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: created_at, updated_at, end_date, number, amount; comma-separated, prefix - for descending"	default(-created_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	ContractList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Failure		422				{object}	httpx.Problem
//	@Router			/contracts [get]
func (h *Handler) list(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	f := Filter{Status: httpx.QueryList(c, "status"), CustomerID: c.QueryParam("customer_id"),
		OwnerID: c.QueryParam("owner_id"), OpportunityID: c.QueryParam("opportunity_id"),
		OrderID: c.QueryParam("order_id"), Q: c.QueryParam("q"), EndDateFrom: c.QueryParam("end_date_from"),
		EndDateTo: c.QueryParam("end_date_to")}
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

// create adds a draft contract.
//
//	@Summary		Create a contract
//	@Description	A draft contract for a customer in the caller's data scope, numbered HT-YYYYMMDD-NNNN (the organisation's business day; unique and gap-free). opportunity_id and order_id must be of the same customer and in the caller's scope (422 otherwise). Owner: owner_id (someone the caller may give records to), else the customer's owner, else the caller. amount is a decimal string with at most two places; end_date not before start_date. Writes event contract.created.
//	@ID				createContract
//	@Tags			contracts
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		CreateRequest	true	"Contract"
//	@Success		201		{object}	ContractResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/contracts [post]
func (h *Handler) create(c echo.Context) error {
	var req CreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	ct, err := h.svc.Create(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return render(c, http.StatusCreated, ct)
}

// get shows one contract.
//
//	@Summary		Get a contract
//	@Description	A contract in the caller's data scope, with received_amount and outstanding_amount; anything else is 404.
//	@ID				getContract
//	@Tags			contracts
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Contract id"
//	@Success		200	{object}	ContractResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/contracts/{id} [get]
func (h *Handler) get(c echo.Context) error {
	ct, err := h.svc.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, ct)
}

// update changes a contract before signing.
//
//	@Summary		Update a contract
//	@Description	Only before signing (draft, pending_approval, approved; 409 contract_not_editable after). Editing a contract pending approval withdraws its approval request (event contract.withdrawn); editing an approved one drops the approval (event contract.reopened): either way it is a draft again and must be resubmitted. The amount may not fall below the payment plans' total (422). Absent fields stay. If-Match is honoured (412).
//	@ID				updateContract
//	@Tags			contracts
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string			true	"Contract id"
//	@Param			If-Match	header		string			false	"ETag of the version you read"
//	@Param			body		body		UpdateRequest	true	"Changes"
//	@Success		200			{object}	ContractResponse
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
//	@Router			/contracts/{id} [patch]
func (h *Handler) update(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req UpdateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	ct, err := h.svc.Update(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, ct)
}

// trail shows the approval history.
//
//	@Summary		A contract's approval trail
//	@Description	Every approval request of a contract in the caller's data scope, oldest first, with its steps, approvers and decisions (who, when, comment): the pending one, and the approved, rejected and withdrawn ones before it.
//	@ID				listContractApprovals
//	@Tags			contracts
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Contract id"
//	@Success		200	{object}	TrailResponse
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/contracts/{id}/approvals [get]
func (h *Handler) trail(c echo.Context) error {
	rs, err := h.svc.Trail(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, TrailResponse{Data: rs})
}

// submit sends a draft for approval.
//
//	@Summary		Submit a contract for approval
//	@Description	draft → pending_approval: the approval engine picks the chain by amount (see /approval-rules); when its last step approves the contract becomes approved, a rejection sends it back to draft with rejected_at and rejection_comment. Any other status is 409 invalid_transition. Event contract.submitted (then contract.approved or contract.rejected). If-Match is honoured (412).
//	@ID				submitContract
//	@Tags			contracts
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string	true	"Contract id"
//	@Param			If-Match	header		string	false	"ETag of the version you read"
//	@Success		200			{object}	ContractResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Router			/contracts/{id}/submit [post]
func (h *Handler) submit(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	ct, err := h.svc.Submit(c.Request().Context(), c.Param("id"), ifMatch)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, ct)
}

// sign records the signature.
//
//	@Summary		Sign a contract
//	@Description	approved → signed, at signed_at (default now; not in the future). The customer's first signed contract makes the customer active (lifecycle_stage, audited). win_opportunity: true also closes the linked opportunity as won at the contract amount, in the same transaction (422 when there is none; 409 when it is already closed). The owner is reminded contract_expiry_reminder_days (setting) before end_date at 09:00 organisation time. Any other status is 409 invalid_transition. Event contract.signed. The body may be empty.
//	@ID				signContract
//	@Tags			contracts
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string		true	"Contract id"
//	@Param			If-Match	header		string		false	"ETag of the version you read"
//	@Param			body		body		SignRequest	false	"Signature"
//	@Success		200			{object}	ContractResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/contracts/{id}/sign [post]
func (h *Handler) sign(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req SignRequest
	if c.Request().ContentLength != 0 {
		if err := httpx.Bind(c, &req); err != nil {
			return err
		}
	}
	ct, err := h.svc.Sign(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, ct)
}

// start puts a signed contract into execution.
//
//	@Summary		Start executing a contract
//	@Description	signed → executing. Any other status is 409 invalid_transition. Event contract.started.
//	@ID				startContract
//	@Tags			contracts
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string	true	"Contract id"
//	@Param			If-Match	header		string	false	"ETag of the version you read"
//	@Success		200			{object}	ContractResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Router			/contracts/{id}/start [post]
func (h *Handler) start(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	ct, err := h.svc.Start(c.Request().Context(), c.Param("id"), ifMatch)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, ct)
}

// complete closes an executing contract.
//
//	@Summary		Complete a contract
//	@Description	executing → completed; cancels the expiry and instalment reminders. Any other status is 409 invalid_transition. Event contract.completed.
//	@ID				completeContract
//	@Tags			contracts
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string	true	"Contract id"
//	@Param			If-Match	header		string	false	"ETag of the version you read"
//	@Success		200			{object}	ContractResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Router			/contracts/{id}/complete [post]
func (h *Handler) complete(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	ct, err := h.svc.Complete(c.Request().Context(), c.Param("id"), ifMatch)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, ct)
}

// terminate ends a contract early.
//
//	@Summary		Terminate a contract
//	@Description	signed or executing → terminated, with a reason; cancels the expiry and instalment reminders. Any other status is 409 invalid_transition. Event contract.terminated.
//	@ID				terminateContract
//	@Tags			contracts
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string				true	"Contract id"
//	@Param			If-Match	header		string				false	"ETag of the version you read"
//	@Param			body		body		TerminateRequest	true	"Reason"
//	@Success		200			{object}	ContractResponse
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
//	@Router			/contracts/{id}/terminate [post]
func (h *Handler) terminate(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req TerminateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	ct, err := h.svc.Terminate(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, ct)
}
