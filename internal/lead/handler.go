package lead

import (
	"github.com/opencrm/crm/internal/followup"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

// Handler serves /leads.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *Handler) Routes(g *echo.Group) {
	g.GET("/leads", h.list)
	g.POST("/leads", h.create)
	g.GET("/leads/pool", h.pool)
	g.GET("/leads/duplicates", h.duplicates)
	g.POST("/leads/:id/convert", h.convert)
	g.POST("/leads/:id/claim", h.claim)
	g.POST("/leads/:id/disqualify", h.disqualify)
	g.GET("/leads/:id/assignments", h.assignments)
	g.GET("/leads/:id", h.get)
	g.PATCH("/leads/:id", h.update)
	g.DELETE("/leads/:id", h.delete)
	g.POST("/leads/:id/assign", h.assign)
	g.GET("/leads/:id/follow-ups", h.listFollowUps)
	g.POST("/leads/:id/follow-ups", h.addFollowUp)
}

func render(c echo.Context, status int, l *Lead) error {
	httpx.SetETag(c, l.Version)
	return c.JSON(status, View(l))
}

// list pages through the caller's leads.
//
//	@Summary		List leads
//	@Description	Leads in the caller's data scope: a rep sees their own, a manager their team's and sub-teams', an admin or API key all. Filters combine with AND.
//	@ID				listLeads
//	@Tags			leads
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			status			query		string	false	"Status, or several separated by commas (new, assigned, contacted, qualified, disqualified, converted)"
//	@Param			owner_id		query		string	false	"Owner user id"
//	@Param			source			query		string	false	"Source"	Enums(web_form,phone,import,exhibition,referral,api,manual,other)
//	@Param			region			query		string	false	"Region, exact"
//	@Param			tag				query		string	false	"Has this tag"
//	@Param			q				query		string	false	"Search name, company, phone, email (case-insensitive substring)"
//	@Param			created_from	query		string	false	"Created at or after (RFC 3339 or date)"
//	@Param			created_to		query		string	false	"Created before (RFC 3339, exclusive; a date includes that whole day)"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: created_at, updated_at, name, company, status; comma-separated, prefix - for descending"	default(-created_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	LeadList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Failure		422				{object}	httpx.Problem
//	@Router			/leads [get]
func (h *Handler) list(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	f := Filter{Status: httpx.QueryList(c, "status"), OwnerID: c.QueryParam("owner_id"),
		Source: c.QueryParam("source"), Region: c.QueryParam("region"), Tag: c.QueryParam("tag"),
		Q: c.QueryParam("q")}
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

// create adds a lead.
//
//	@Summary		Create a lead
//	@Description	owner_id may name an active user the caller may give records to (a manager: their team and sub-teams; an admin: anyone). Without owner_id a rep owns the lead; a lead an admin, a manager or an API key creates without owner_id goes through the assignment rules (/lead-assignment-rules): the first matching rule gives it an owner and status assigned (the owner is notified), and with no match it stays unowned in the lead pool (GET /leads/pool). source defaults to manual, status to new. Duplicate check (查重): a phone, email or company matching a live lead (any status) or customer (a customer's name, phone or email, or a phone or email of one of its contacts), compared normalised (spaces, dashes, +86/0086, full-width characters, case; company legal forms such as 有限公司 or Co., Ltd. ignored), is 409 code duplicate with matches [{type, in_scope, matched_on, id, name, owner_id}]; matches outside the caller's data scope carry only type, in_scope false and matched_on. allow_duplicate=true creates the lead anyway and audits the override (action duplicate_override, with the matches). GET /leads/duplicates checks ahead of time.
//	@ID				createLead
//	@Tags			leads
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			allow_duplicate	query		bool				false	"Create even if it duplicates existing records (audited)"
//	@Param			body			body		LeadCreateRequest	true	"Lead"
//	@Success		201				{object}	LeadResponse
//	@Header			201				{string}	ETag	"Version, for If-Match"
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Failure		409				{object}	httpx.Problem
//	@Failure		413				{object}	httpx.Problem
//	@Failure		415				{object}	httpx.Problem
//	@Failure		422				{object}	httpx.Problem
//	@Router			/leads [post]
func (h *Handler) create(c echo.Context) error {
	allow, err := httpx.QueryBool(c, "allow_duplicate", false)
	if err != nil {
		return err
	}
	var req LeadCreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	l, err := h.svc.CreateWith(c.Request().Context(), req, CreateOptions{AllowDuplicate: allow})
	if err != nil {
		return err
	}
	return render(c, http.StatusCreated, l)
}

// get shows one lead.
//
//	@Summary		Get a lead
//	@Description	A lead outside the caller's data scope is 404, as is a deleted one.
//	@ID				getLead
//	@Tags			leads
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Lead id"
//	@Success		200	{object}	LeadResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/leads/{id} [get]
func (h *Handler) get(c echo.Context) error {
	v, err := h.svc.View(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	httpx.SetETag(c, v.Version)
	return c.JSON(http.StatusOK, v)
}

// update changes a lead.
//
//	@Summary		Update a lead
//	@Description	Absent fields stay as they are; tags replace the whole list. status may be new, contacted or qualified here: converted and disqualified come from their actions (422 otherwise), and a converted or disqualified lead keeps its status (409 invalid_transition). The owner changes through assign. Send If-Match with the ETag to guard against lost updates (412).
//	@ID				updateLead
//	@Tags			leads
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string				true	"Lead id"
//	@Param			If-Match	header		string				false	"ETag of the version you read"
//	@Param			body		body		LeadUpdateRequest	true	"Changes"
//	@Success		200			{object}	LeadResponse
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
//	@Router			/leads/{id} [patch]
func (h *Handler) update(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req LeadUpdateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	l, err := h.svc.Update(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, l)
}

// delete soft-deletes a lead.
//
//	@Summary		Delete a lead
//	@Description	Soft delete: the lead disappears from every read (404 afterwards) and stays in the audit log. If-Match is honoured (412).
//	@ID				deleteLead
//	@Tags			leads
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path	string	true	"Lead id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		204
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/leads/{id} [delete]
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

// assign gives a lead to another owner.
//
//	@Summary		Assign a lead
//	@Description	Admins and managers (leads:assign), on leads in their scope or in the pool. The new owner must be an active user the caller may give records to: a manager's team and sub-teams, or anyone for an admin. Any other user id, known or not, is 422 on owner_id. assigned_at restarts (the follow-up SLA counts from it), a new lead becomes assigned, the change goes into the lead's assignment history and the new owner is notified.
//	@ID				assignLead
//	@Tags			leads
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string				true	"Lead id"
//	@Param			If-Match	header		string				false	"ETag of the version you read"
//	@Param			body		body		LeadAssignRequest	true	"New owner"
//	@Success		200			{object}	LeadResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		413			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/leads/{id}/assign [post]
func (h *Handler) assign(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req LeadAssignRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	l, err := h.svc.Assign(c.Request().Context(), c.Param("id"), ifMatch, req.OwnerID)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, l)
}

// addFollowUp records a follow-up.
//
//	@Summary		Record a follow-up
//	@Description	Records a contact with the lead and, in the same transaction, sets the lead's last_followed_at (never backwards), next_follow_up_at (when given; a plan this contact fulfilled is cleared) and moves a new lead to contacted. The lead's version grows. followed_at defaults to now and may not be in the future (a minute of clock skew is tolerated); next_follow_up_at must be after it. Times are RFC 3339 or a date (00:00 UTC).
//	@ID				createLeadFollowUp
//	@Tags			leads
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id		path		string					true	"Lead id"
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
//	@Router			/leads/{id}/follow-ups [post]
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

// listFollowUps pages through a lead's follow-ups.
//
//	@Summary		List a lead's follow-ups
//	@Description	Newest contact first by default. The lead must be in the caller's data scope (404 otherwise).
//	@ID				listLeadFollowUps
//	@Tags			leads
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id				path		string	true	"Lead id"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: followed_at, created_at; prefix - for descending"	default(-followed_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	FollowUpList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Failure		404				{object}	httpx.Problem
//	@Router			/leads/{id}/follow-ups [get]
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
