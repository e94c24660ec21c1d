package lead

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
)

// RuleConditions are what a lead must match; an empty value matches
// anything. Values compare trimmed and case-insensitively; source, when
// set, is a lead source (web_form, phone, import, exhibition, referral,
// api, manual, other).
type RuleConditions struct {
	Region          string `json:"region" example:"江苏"`
	Source          string `json:"source" example:"web_form"`
	ProductInterest string `json:"product_interest" example:"五轴加工中心"`
} // @name LeadAssignmentRuleConditions

// RuleResponse is an assignment rule as clients see it.
type RuleResponse struct {
	ID         string         `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	Name       string         `json:"name" example:"华东官网线索轮询"`
	Priority   int            `json:"priority" example:"10"`
	Conditions RuleConditions `json:"conditions"`
	Strategy   string         `json:"strategy" enums:"round_robin,least_loaded,user" example:"round_robin"`
	UserIDs    []string       `json:"user_ids" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	TeamID     *string        `json:"team_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a71"`
	Active     bool           `json:"active" example:"true"`
	CreatedBy  string         `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	CreatedAt  time.Time      `json:"created_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
	Version    int            `json:"version" example:"1"`
} // @name LeadAssignmentRule

// RuleView maps a rule to its response.
func RuleView(r *Rule) RuleResponse {
	ids := []string(r.UserIDs)
	if ids == nil {
		ids = []string{}
	}
	return RuleResponse{ID: r.ID, Name: r.Name, Priority: r.Priority,
		Conditions: RuleConditions{Region: r.Region, Source: r.Source, ProductInterest: r.ProductInterest},
		Strategy:   r.Strategy, UserIDs: ids, TeamID: r.TeamID, Active: r.Active, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
}

// RuleList is every rule, in the order routing tries them.
type RuleList struct {
	Data []RuleResponse `json:"data"`
} // @name LeadAssignmentRuleList

// RuleCreateRequest is the body of POST /lead-assignment-rules. Give
// user_ids or team_id, not both; strategy user takes exactly one user.
type RuleCreateRequest struct {
	Name       string         `json:"name" validate:"required" example:"华东官网线索轮询"`
	Priority   *int           `json:"priority" example:"10"`
	Conditions RuleConditions `json:"conditions"`
	Strategy   string         `json:"strategy" validate:"required" enums:"round_robin,least_loaded,user" example:"round_robin"`
	UserIDs    []string       `json:"user_ids" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	TeamID     *string        `json:"team_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a71"`
	Active     *bool          `json:"active" example:"true"`
} // @name LeadAssignmentRuleCreateRequest

// RuleUpdateRequest is the body of PATCH /lead-assignment-rules/{id};
// absent fields stay. conditions replaces all three conditions.
type RuleUpdateRequest struct {
	Name       *string         `json:"name" example:"华东官网线索轮询"`
	Priority   *int            `json:"priority" example:"20"`
	Conditions *RuleConditions `json:"conditions"`
	Strategy   *string         `json:"strategy" enums:"round_robin,least_loaded,user" example:"least_loaded"`
	UserIDs    *[]string       `json:"user_ids" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	TeamID     *string         `json:"team_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a71"`
	Active     *bool           `json:"active" example:"false"`
} // @name LeadAssignmentRuleUpdateRequest

// RuleHandler serves /lead-assignment-rules.
type RuleHandler struct{ svc *Service }

// NewRuleHandler builds the handler.
func NewRuleHandler(s *Service) *RuleHandler { return &RuleHandler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *RuleHandler) Routes(g *echo.Group) {
	g.GET("/lead-assignment-rules", h.list)
	g.POST("/lead-assignment-rules", h.create)
	g.GET("/lead-assignment-rules/:id", h.get)
	g.PATCH("/lead-assignment-rules/:id", h.update)
	g.DELETE("/lead-assignment-rules/:id", h.delete)
}

func renderRule(c echo.Context, status int, r *Rule) error {
	httpx.SetETag(c, r.Version)
	return c.JSON(status, RuleView(r))
}

// list shows every rule.
//
//	@Summary		List lead assignment rules
//	@Description	Every rule, in the order routing tries them: priority ascending, then oldest first. Admins and managers.
//	@ID				listLeadAssignmentRules
//	@Tags			lead-assignment-rules
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Success		200	{object}	RuleList
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Router			/lead-assignment-rules [get]
func (h *RuleHandler) list(c echo.Context) error {
	rules, err := h.svc.ListRules(c.Request().Context())
	if err != nil {
		return err
	}
	out := RuleList{Data: make([]RuleResponse, 0, len(rules))}
	for i := range rules {
		out.Data = append(out.Data, RuleView(&rules[i]))
	}
	return c.JSON(http.StatusOK, out)
}

// create adds a rule.
//
//	@Summary		Create a lead assignment rule
//	@Description	Admins. A lead created without an owner by an admin, a manager, an API key, a web form or an import is routed by the first active rule whose conditions all match (region, source, product_interest; empty = any; trimmed, case-insensitive) and that has an eligible user: user_ids (active users, in the order given) or the active reps and managers of team_id and its sub-teams. round_robin takes them in turn, fairly across servers; least_loaded the one with the fewest open leads (new, assigned, contacted, qualified), ties by user id; user the one user named. priority defaults to 100 (lower first), active to true.
//	@ID				createLeadAssignmentRule
//	@Tags			lead-assignment-rules
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
//	@Router			/lead-assignment-rules [post]
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
//	@Summary		Get a lead assignment rule
//	@Description	Admins and managers.
//	@ID				getLeadAssignmentRule
//	@Tags			lead-assignment-rules
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Rule id"
//	@Success		200	{object}	RuleResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/lead-assignment-rules/{id} [get]
func (h *RuleHandler) get(c echo.Context) error {
	r, err := h.svc.GetRule(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return renderRule(c, http.StatusOK, r)
}

// update changes a rule.
//
//	@Summary		Update a lead assignment rule
//	@Description	Admins. Absent fields stay. user_ids without team_id switches the rule to those users (and clears the team), team_id without user_ids the other way round. If-Match guards against lost updates (412).
//	@ID				updateLeadAssignmentRule
//	@Tags			lead-assignment-rules
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
//	@Router			/lead-assignment-rules/{id} [patch]
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
//	@Summary		Delete a lead assignment rule
//	@Description	Admins. Leads it routed keep their owners; their assignment history keeps the rule id.
//	@ID				deleteLeadAssignmentRule
//	@Tags			lead-assignment-rules
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
//	@Router			/lead-assignment-rules/{id} [delete]
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
