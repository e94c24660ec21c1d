package approval

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
)

// ApprovalList is a page of approval requests.
type ApprovalList struct {
	Data       []RequestView `json:"data"`
	NextCursor string        `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool          `json:"has_more"`
	Total      *int64        `json:"total,omitempty" extensions:"x-optional"`
} // @name ApprovalList

// DecisionRequest is the body of approve and reject.
type DecisionRequest struct {
	// Up to 2000 characters; required to reject.
	Comment string `json:"comment" example:"价格已确认，同意。"`
} // @name ApprovalDecisionRequest

// Handler serves /approvals.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *Handler) Routes(g *echo.Group) {
	g.GET("/approvals", h.list)
	g.GET("/approvals/:id", h.get)
	g.POST("/approvals/:id/approve", h.approve)
	g.POST("/approvals/:id/reject", h.reject)
}

func render(c echo.Context, v *RequestView) error {
	httpx.SetETag(c, v.Version)
	return c.JSON(http.StatusOK, v)
}

// list pages through approval requests.
//
//	@Summary		List approval requests; the approver's inbox
//	@Description	With assignee=me, the caller's inbox: pending requests whose current step includes the caller, who has not decided yet. Otherwise every request the caller may see: those they submitted (managers: also their team subtree's submissions), those they sit on as an approver, and all of them for admins. Each request carries its chain (steps with approvers and decisions) and its trail (actions, oldest first).
//	@ID				listApprovals
//	@Tags			approvals
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			status			query		string	false	"Status, comma-separated for several: pending, approved, rejected, cancelled"
//	@Param			assignee		query		string	false	"me: only requests waiting for the caller's decision"	Enums(me)
//	@Param			entity			query		string	false	"Document type"	Enums(contract, order, quote)
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: created_at, updated_at, amount; comma-separated, prefix - for descending"	default(-created_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	ApprovalList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Failure		422				{object}	httpx.Problem
//	@Router			/approvals [get]
func (h *Handler) list(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	f := Filter{Status: httpx.QueryList(c, "status"), Entity: c.QueryParam("entity"), Assignee: c.QueryParam("assignee")}
	page, err := h.svc.List(c.Request().Context(), f, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ApprovalList{Data: page.Data, NextCursor: page.NextCursor, HasMore: page.HasMore,
		Total: page.Total})
}

// get shows one request.
//
//	@Summary		Get an approval request
//	@Description	A request the caller may see (see the list); any other is 404.
//	@ID				getApproval
//	@Tags			approvals
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Approval request id"
//	@Success		200	{object}	RequestView
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/approvals/{id} [get]
func (h *Handler) get(c echo.Context) error {
	v, err := h.svc.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return render(c, v)
}

// approve records the caller's approval.
//
//	@Summary		Approve the current step
//	@Description	Only an approver of the request's current step (403 not_approver otherwise: the submitter, other users and admins who are not on the step). mode any: this approval completes the step; mode all: the step completes once every approver of it has approved. Completing a step notifies the next step's approvers; completing the last approves the request, moves the document on, notifies the submitter and writes the event approval.approved, all at once. Deciding twice, or after another approver already completed your any step, is 409 already_decided; a request no longer pending is 409 invalid_transition. The body is optional. If-Match is honoured (412).
//	@ID				approveApproval
//	@Tags			approvals
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string			true	"Approval request id"
//	@Param			If-Match	header		string			false	"ETag of the version you read"
//	@Param			body		body		DecisionRequest	false	"Comment"
//	@Success		200			{object}	RequestView
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
//	@Router			/approvals/{id}/approve [post]
func (h *Handler) approve(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req DecisionRequest
	// The comment is optional, and so is a body carrying none.
	if c.Request().ContentLength != 0 {
		if err := httpx.Bind(c, &req); err != nil {
			return err
		}
	}
	v, err := h.svc.Approve(c.Request().Context(), c.Param("id"), ifMatch, req.Comment)
	if err != nil {
		return err
	}
	return render(c, v)
}

// reject records the caller's rejection.
//
//	@Summary		Reject the request
//	@Description	Only an approver of the request's current step (403 not_approver otherwise). comment is required (422). The request is rejected at once, whatever the step's mode; the document goes back to draft, the submitter is notified and the event approval.rejected is written, all at once. Deciding twice is 409 already_decided; a request no longer pending is 409 invalid_transition. If-Match is honoured (412).
//	@ID				rejectApproval
//	@Tags			approvals
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string			true	"Approval request id"
//	@Param			If-Match	header		string			false	"ETag of the version you read"
//	@Param			body		body		DecisionRequest	true	"Why"
//	@Success		200			{object}	RequestView
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
//	@Router			/approvals/{id}/reject [post]
func (h *Handler) reject(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req DecisionRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	v, err := h.svc.Reject(c.Request().Context(), c.Param("id"), ifMatch, req.Comment)
	if err != nil {
		return err
	}
	return render(c, v)
}
