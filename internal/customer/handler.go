package customer

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

// Handler serves /customers and /contacts.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *Handler) Routes(g *echo.Group) {
	g.GET("/customers", h.list)
	g.POST("/customers", h.create)
	g.GET("/customers/pool", h.pool)
	g.GET("/customers/:id", h.get)
	g.PATCH("/customers/:id", h.update)
	g.DELETE("/customers/:id", h.delete)
	g.POST("/customers/:id/claim", h.claim)
	g.POST("/customers/:id/release", h.release)
	g.POST("/customers/:id/transfer", h.transfer)
	g.POST("/customers/:id/merge", h.merge)
	g.GET("/customers/:id/contacts", h.customerContacts)
	g.GET("/customers/:id/follow-ups", h.listFollowUps)
	g.POST("/customers/:id/follow-ups", h.addFollowUp)
	g.GET("/customers/:id/timeline", h.timeline)
	g.GET("/contacts", h.listContacts)
	g.POST("/contacts", h.createContact)
	g.GET("/contacts/:id", h.getContact)
	g.PATCH("/contacts/:id", h.updateContact)
	g.DELETE("/contacts/:id", h.deleteContact)
}

// render writes one customer as the caller may see it, with its ETag.
func render(c echo.Context, status int, cust *Customer) error {
	httpx.SetETag(c, cust.Version)
	return c.JSON(status, Present(authz.ActorFrom(c.Request().Context()), cust))
}

func renderPage(c echo.Context, page paging.Page[Customer]) error {
	a := authz.ActorFrom(c.Request().Context())
	return c.JSON(http.StatusOK, paging.Map(page, func(cust *Customer) CustomerResponse { return Present(a, cust) }))
}

// filter reads the list filters from the query.
func filter(c echo.Context) (Filter, error) {
	f := Filter{Industry: c.QueryParam("industry"), Region: c.QueryParam("region"),
		OwnerID: c.QueryParam("owner_id"), Q: c.QueryParam("q"), Phone: c.QueryParam("phone"),
		Email: c.QueryParam("email"), Size: httpx.QueryList(c, "size"), Potential: httpx.QueryList(c, "potential"),
		Level: httpx.QueryList(c, "level"), Lifecycle: httpx.QueryList(c, "lifecycle_stage"),
		Source: httpx.QueryList(c, "source"), Tags: httpx.QueryList(c, "tag")}
	var err error
	if c.QueryParam("locked") != "" {
		b, err := httpx.QueryBool(c, "locked", false)
		if err != nil {
			return f, err
		}
		f.Locked = &b
	}
	if f.CreatedFrom, err = httpx.QueryTime(c, "created_from", false); err != nil {
		return f, err
	}
	if f.CreatedTo, err = httpx.QueryTime(c, "created_to", true); err != nil {
		return f, err
	}
	if f.FollowedFrom, err = httpx.QueryTime(c, "last_followed_from", false); err != nil {
		return f, err
	}
	if f.FollowedTo, err = httpx.QueryTime(c, "last_followed_to", true); err != nil {
		return f, err
	}
	return f, nil
}

// list pages through the caller's customers.
//
//	@Summary		List customers
//	@Description	Customers in the caller's data scope: a rep sees their own, a manager their team's and sub-teams', an admin or API key all (public-pool customers included). Unowned customers are listed for everyone under GET /customers/pool. Filters combine with AND; list filters take several values separated by commas (any of them).
//	@ID				listCustomers
//	@Tags			customers
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			industry			query		string	false	"Industry, exact"
//	@Param			size				query		string	false	"Size: large, medium, small (comma-separated for several)"
//	@Param			potential			query		string	false	"Potential: high, medium, low (comma-separated)"
//	@Param			level				query		string	false	"Level: A, B, C (comma-separated)"
//	@Param			lifecycle_stage		query		string	false	"Lifecycle stage: prospect, active, at_risk, churned (comma-separated)"
//	@Param			source				query		string	false	"Source (comma-separated): web_form, phone, import, exhibition, referral, api, manual, other"
//	@Param			region				query		string	false	"Region, exact"
//	@Param			tag					query		string	false	"Has this tag (comma-separated: has all of them)"
//	@Param			owner_id			query		string	false	"Owner user id"
//	@Param			locked				query		bool	false	"Locked (exempt from recycling) or not"
//	@Param			phone				query		string	false	"Phone, exact"
//	@Param			email				query		string	false	"Email, exact"
//	@Param			q					query		string	false	"Search name, phone, email, website, address (case-insensitive substring)"
//	@Param			created_from		query		string	false	"Created at or after (RFC 3339 or date)"
//	@Param			created_to			query		string	false	"Created before (RFC 3339, exclusive; a date includes that whole day)"
//	@Param			last_followed_from	query		string	false	"Last followed up at or after (RFC 3339 or date)"
//	@Param			last_followed_to	query		string	false	"Last followed up before (RFC 3339, exclusive; a date includes that whole day)"
//	@Param			limit				query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor				query		string	false	"Cursor from next_cursor"
//	@Param			sort				query		string	false	"Sort: created_at, updated_at, name; comma-separated, prefix - for descending"	default(-created_at)
//	@Param			include_total		query		bool	false	"Add total"
//	@Success		200					{object}	CustomerList
//	@Failure		400					{object}	httpx.Problem
//	@Failure		401					{object}	httpx.Problem
//	@Failure		403					{object}	httpx.Problem
//	@Failure		422					{object}	httpx.Problem
//	@Router			/customers [get]
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
	return renderPage(c, page)
}

// create adds a customer.
//
//	@Summary		Create a customer
//	@Description	Owner: a rep always owns the customers they create (owner_id may only name themselves). An admin or manager gives it to owner_id (an active user they may give records to: a manager's team and sub-teams, anyone for an admin) or, without owner_id, puts it in the public pool; an API key likewise. The new owner, when it is not the caller, is notified. locked needs customers:lock (admins, managers). source defaults to manual, lifecycle_stage to prospect. Duplicate check (查重): a name matching the company of a live lead or the name of a live customer, or a phone or email matching a lead, a customer or a customer's contact (compared normalised: spaces, dashes, +86/0086, full-width characters, case; company legal forms such as 有限公司 or Co., Ltd. ignored) is 409 code duplicate with matches [{type, in_scope, matched_on, id, name, owner_id}] (matches outside the caller's data scope carry only type, in_scope false and matched_on); allow_duplicate=true creates it anyway and audits the override (action duplicate_override).
//	@ID				createCustomer
//	@Tags			customers
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			allow_duplicate	query		bool					false	"Create even if it duplicates existing records (audited)"
//	@Param			body			body		CustomerCreateRequest	true	"Customer"
//	@Success		201				{object}	CustomerResponse
//	@Header			201				{string}	ETag	"Version, for If-Match"
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Failure		409				{object}	httpx.Problem
//	@Failure		413				{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/customers [post]
func (h *Handler) create(c echo.Context) error {
	allow, err := httpx.QueryBool(c, "allow_duplicate", false)
	if err != nil {
		return err
	}
	var req CustomerCreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	cust, err := h.svc.CreateWith(c.Request().Context(), req, CreateOptions{AllowDuplicate: allow})
	if err != nil {
		return err
	}
	return render(c, http.StatusCreated, cust)
}

// get shows one customer.
//
//	@Summary		Get a customer
//	@Description	A customer in the caller's data scope, or in the public pool (then phone and email are masked for callers without admin scope, masked: true). Anything else is 404, as is a deleted customer.
//	@ID				getCustomer
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
//	@Router			/customers/{id} [get]
func (h *Handler) get(c echo.Context) error {
	cust, err := h.svc.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, cust)
}

// update changes a customer.
//
//	@Summary		Update a customer
//	@Description	A customer in the caller's data scope (a pool customer must be claimed first; admins excepted). Absent fields stay; tags replace the whole list. The owner changes through claim, release and transfer; locked needs customers:lock (admins, managers; 403 otherwise). Send If-Match with the ETag to guard against lost updates (412).
//	@ID				updateCustomer
//	@Tags			customers
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string					true	"Customer id"
//	@Param			If-Match	header		string					false	"ETag of the version you read"
//	@Param			body		body		CustomerUpdateRequest	true	"Changes"
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
//	@Router			/customers/{id} [patch]
func (h *Handler) update(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req CustomerUpdateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	cust, err := h.svc.Update(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, cust)
}

// delete soft-deletes a customer.
//
//	@Summary		Delete a customer
//	@Description	Admins and managers (customers:delete), for customers in their data scope; reps release customers to the pool instead. Soft delete: the customer and its contacts disappear from every read (404 afterwards) and stay in the audit log. If-Match is honoured (412).
//	@ID				deleteCustomer
//	@Tags			customers
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path	string	true	"Customer id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		204
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/customers/{id} [delete]
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
