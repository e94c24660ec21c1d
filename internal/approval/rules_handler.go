package approval

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
)

// RuleStep is one step of a chain. approver_type manager is the
// submitter's team manager (the nearest team up the tree that has one),
// role every active user with role (admin, manager or rep), user the
// user_ids named. mode any (或签): one approval completes the step; all
// (会签): every approver must approve. role is "" except on role steps,
// user_ids empty except on user steps.
type RuleStep struct {
	ApproverType string   `json:"approver_type" enums:"manager,role,user" example:"role"`
	Role         string   `json:"role" example:"admin"`
	UserIDs      []string `json:"user_ids" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	// Mode defaults to any.
	Mode string `json:"mode" enums:"any,all" example:"all"`
} // @name ApprovalRuleStep

// RuleResponse is an approval rule as clients see it.
type RuleResponse struct {
	ID     string `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a83"`
	Name   string `json:"name" example:"百万以上合同"`
	Entity string `json:"entity" enums:"contract,order,quote" example:"contract"`
	// MinAmount: the rule applies to documents of at least this amount.
	MinAmount string     `json:"min_amount" example:"1000000.00"`
	Steps     []RuleStep `json:"steps"`
	Active    bool       `json:"active" example:"true"`
	CreatedBy string     `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	Version   int        `json:"version" example:"1"`
} // @name ApprovalRule

// RuleView maps a rule to its response.
func RuleView(r *Rule) RuleResponse {
	out := RuleResponse{ID: r.ID, Name: r.Name, Entity: r.Entity, MinAmount: r.MinAmount.String(),
		Steps: make([]RuleStep, len(r.Steps)), Active: r.Active, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, Version: r.Version}
	for i, st := range r.Steps {
		ids := st.UserIDs
		if ids == nil {
			ids = []string{}
		}
		out.Steps[i] = RuleStep{ApproverType: st.ApproverType, Role: st.Role, UserIDs: ids, Mode: st.Mode}
	}
	return out
}

// RuleList is every rule, in the order they are tried.
type RuleList struct {
	Data []RuleResponse `json:"data"`
} // @name ApprovalRuleList

// RuleCreateRequest is the body of POST /approval-rules.
type RuleCreateRequest struct {
	Name   string `json:"name" validate:"required" example:"百万以上合同"`
	Entity string `json:"entity" validate:"required" enums:"contract,order,quote" example:"contract"`
	// Decimal string, at most two places, not negative; default 0.
	MinAmount *string    `json:"min_amount" example:"1000000.00"`
	Steps     []RuleStep `json:"steps" validate:"required"`
	// Default true.
	Active *bool `json:"active" example:"true"`
} // @name ApprovalRuleCreateRequest

// RuleUpdateRequest is the body of PATCH /approval-rules/{id}; absent
// fields stay, steps replaces the whole chain.
type RuleUpdateRequest struct {
	Name      *string     `json:"name" example:"百万以上合同"`
	Entity    *string     `json:"entity" enums:"contract,order,quote" example:"contract"`
	MinAmount *string     `json:"min_amount" example:"2000000.00"`
	Steps     *[]RuleStep `json:"steps"`
	Active    *bool       `json:"active" example:"false"`
} // @name ApprovalRuleUpdateRequest

// RuleHandler serves /approval-rules.
type RuleHandler struct{ svc *Service }

// NewRuleHandler builds the handler.
func NewRuleHandler(s *Service) *RuleHandler { return &RuleHandler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *RuleHandler) Routes(g *echo.Group) {
	g.GET("/approval-rules", h.list)
	g.POST("/approval-rules", h.create)
	g.GET("/approval-rules/:id", h.get)
	g.PATCH("/approval-rules/:id", h.update)
	g.DELETE("/approval-rules/:id", h.delete)
}

func renderRule(c echo.Context, status int, r *Rule) error {
	httpx.SetETag(c, r.Version)
	return c.JSON(status, RuleView(r))
}

// list shows the rules.
//
//	@Summary		List approval rules
//	@Description	Every rule (of one entity when given), in the order they are tried: by entity, then highest min_amount first, then newest first. A document submitted for approval gets the chain of the active rule for its entity with the highest min_amount not above its amount (the newest on a tie); with none, one step {approver_type: manager, mode: any}. Admins and managers.
//	@ID				listApprovalRules
//	@Tags			approval-rules
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			entity	query		string	false	"Only rules for this document type"	Enums(contract, order, quote)
//	@Success		200		{object}	RuleList
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/approval-rules [get]
func (h *RuleHandler) list(c echo.Context) error {
	rules, err := h.svc.ListRules(c.Request().Context(), c.QueryParam("entity"))
	if err != nil {
		return err
	}
	out := RuleList{Data: make([]RuleResponse, len(rules))}
	for i := range rules {
		out.Data[i] = RuleView(&rules[i])
	}
	return c.JSON(http.StatusOK, out)
}

// create adds a rule.
//
//	@Summary		Create an approval rule
//	@Description	Admins. name (up to 100), entity and 1–10 steps are required; min_amount defaults to 0, active to true. Each step: approver_type manager (the submitter's team's active managers, or those of the nearest team up the tree that has any), role (with role: every active user with it) or user (with user_ids: 1–50 existing, active users); mode any (或签, the default: one approval completes the step) or all (会签: every approver must approve). Approvers are resolved when a document is submitted and kept with the request; the submitter is never an approver of their own submission, and a step left with nobody falls to the admins (any one of them). Changing rules never alters open requests.
//	@ID				createApprovalRule
//	@Tags			approval-rules
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		RuleCreateRequest	true	"Rule"
//	@Success		201		{object}	RuleResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/approval-rules [post]
func (h *RuleHandler) create(c echo.Context) error {
	var req RuleCreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	r, err := h.svc.CreateRule(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return renderRule(c, http.StatusCreated, r)
}

// get shows one rule.
//
//	@Summary		Get an approval rule
//	@Description	Admins and managers.
//	@ID				getApprovalRule
//	@Tags			approval-rules
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Rule id"
//	@Success		200	{object}	RuleResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/approval-rules/{id} [get]
func (h *RuleHandler) get(c echo.Context) error {
	r, err := h.svc.GetRule(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return renderRule(c, http.StatusOK, r)
}

// update changes a rule.
//
//	@Summary		Update an approval rule
//	@Description	Admins. Absent fields stay; steps replaces the whole chain, under the rules of create. Open requests keep the chain they started with. If-Match guards against lost updates (412).
//	@ID				updateApprovalRule
//	@Tags			approval-rules
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string				true	"Rule id"
//	@Param			If-Match	header		string				false	"ETag of the version you read"
//	@Param			body		body		RuleUpdateRequest	true	"Changes"
//	@Success		200			{object}	RuleResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		413			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/approval-rules/{id} [patch]
func (h *RuleHandler) update(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req RuleUpdateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	r, err := h.svc.UpdateRule(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return renderRule(c, http.StatusOK, r)
}

// delete removes a rule.
//
//	@Summary		Delete an approval rule
//	@Description	Admins. Requests the rule chose keep its name and their chain. If-Match is honoured (412).
//	@ID				deleteApprovalRule
//	@Tags			approval-rules
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path	string	true	"Rule id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		204
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/approval-rules/{id} [delete]
func (h *RuleHandler) delete(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteRule(c.Request().Context(), c.Param("id"), ifMatch); err != nil {
		return err
	}
	return httpx.NoContent(c)
}
