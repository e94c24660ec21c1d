package lead

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

// LeadDisqualifyRequest is the body of POST /leads/{id}/disqualify.
type LeadDisqualifyRequest struct {
	Reason string `json:"reason" validate:"required" example:"预算取消，项目终止"`
} // @name LeadDisqualifyRequest

// AssignmentResponse is one change of a lead's owner.
type AssignmentResponse struct {
	ID        string    `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a72"`
	LeadID    string    `json:"lead_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6d"`
	FromUser  *string   `json:"from_user" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	ToUser    *string   `json:"to_user" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	RuleID    *string   `json:"rule_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	Reason    string    `json:"reason" enums:"manual,rule,sla,claim" example:"sla"`
	ActorType string    `json:"actor_type" enums:"user,api_key,system,web_form" example:"system"`
	ActorID   string    `json:"actor_id" example:"system"`
	At        time.Time `json:"at"`
} // @name LeadAssignment

// AssignmentView maps a history row to its response.
func AssignmentView(a *Assignment) AssignmentResponse {
	return AssignmentResponse{ID: a.ID, LeadID: a.LeadID, FromUser: a.FromUser, ToUser: a.ToUser, RuleID: a.RuleID,
		Reason: a.Reason, ActorType: a.ActorType, ActorID: a.ActorID, At: a.At}
}

// AssignmentList is a page of assignment history.
type AssignmentList struct {
	Data       []AssignmentResponse `json:"data"`
	NextCursor string               `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool                 `json:"has_more"`
	Total      *int64               `json:"total,omitempty" extensions:"x-optional"`
} // @name LeadAssignmentList

// pool pages through the lead pool.
//
//	@Summary		List the lead pool
//	@Description	Open leads without an owner (not converted, not disqualified, not deleted), for every role with leads:read, reps included: the one lead list beyond the caller's data scope. It never shows an owned lead. Phone and email are masked (138****8000, l***@example.com; masked: true) for everyone but admins and API keys until the lead is claimed. Claim one with POST /leads/{id}/claim.
//	@ID				listLeadPool
//	@Tags			leads
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			status			query		string	false	"Status, or several separated by commas (new, assigned, contacted, qualified)"
//	@Param			source			query		string	false	"Source"	Enums(web_form,phone,import,exhibition,referral,api,manual,other)
//	@Param			region			query		string	false	"Region, exact"
//	@Param			tag				query		string	false	"Has this tag"
//	@Param			q				query		string	false	"Search name and company, plus phone and email for admins (case-insensitive substring)"
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
//	@Router			/leads/pool [get]
func (h *Handler) pool(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	f := Filter{Status: httpx.QueryList(c, "status"), Source: c.QueryParam("source"), Region: c.QueryParam("region"),
		Tag: c.QueryParam("tag"), Q: c.QueryParam("q")}
	if f.CreatedFrom, err = httpx.QueryTime(c, "created_from", false); err != nil {
		return err
	}
	if f.CreatedTo, err = httpx.QueryTime(c, "created_to", true); err != nil {
		return err
	}
	page, err := h.svc.Pool(c.Request().Context(), f, r)
	if err != nil {
		return err
	}
	a := authz.ActorFrom(c.Request().Context())
	return c.JSON(http.StatusOK, paging.Map(page, func(l *Lead) LeadResponse { return PoolView(a, l) }))
}

// claim takes a lead from the pool.
//
//	@Summary		Claim a pool lead
//	@Description	Reps, managers and admins (not API keys: they own nothing). The caller becomes the owner of an unowned open lead; a new lead becomes assigned and assigned_at starts the follow-up SLA. When several claim at once exactly one wins; the others get 409 already_owned, as does a lead that has an owner. A converted or disqualified lead is 409 invalid_transition.
//	@ID				claimLead
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
//	@Failure		409	{object}	httpx.Problem
//	@Router			/leads/{id}/claim [post]
func (h *Handler) claim(c echo.Context) error {
	l, err := h.svc.Claim(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, l)
}

// disqualify closes a lead with a reason.
//
//	@Summary		Disqualify a lead
//	@Description	The lead (in the caller's data scope) becomes disqualified with the reason (required, at most 500 characters); it leaves the pool. A lead already disqualified or converted is 409 invalid_transition. Audited. If-Match is honoured (412).
//	@ID				disqualifyLead
//	@Tags			leads
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string					true	"Lead id"
//	@Param			If-Match	header		string					false	"ETag of the version you read"
//	@Param			body		body		LeadDisqualifyRequest	true	"Reason"
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
//	@Router			/leads/{id}/disqualify [post]
func (h *Handler) disqualify(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req LeadDisqualifyRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	l, err := h.svc.Disqualify(c.Request().Context(), c.Param("id"), ifMatch, req.Reason)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, l)
}

// assignments pages through a lead's owner changes.
//
//	@Summary		List a lead's assignment history
//	@Description	Every owner change, oldest first: reason manual (POST /leads/{id}/assign or an owner_id on create), rule (routing), sla (the follow-up SLA sweep; to_user null means back to the pool) or claim. The lead must be in the caller's data scope (404 otherwise).
//	@ID				listLeadAssignments
//	@Tags			leads
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id				path		string	true	"Lead id"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: at; prefix - for descending"	default(at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	AssignmentList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Failure		404				{object}	httpx.Problem
//	@Router			/leads/{id}/assignments [get]
func (h *Handler) assignments(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	page, err := h.svc.Assignments(c.Request().Context(), c.Param("id"), r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paging.Map(page, AssignmentView))
}
