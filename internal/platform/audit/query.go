package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

func init() {
	authz.Grant("audit_logs:read", authz.RoleAdmin)
}

// Filter narrows the audit log.
type Filter struct {
	EntityType, EntityID, ActorID, Action string
	From, To                              *time.Time
}

// Service reads the audit log (admins only).
type Service struct{ db *db.DB }

// NewService builds the reader.
func NewService(d *db.DB) *Service { return &Service{db: d} }

var spec = paging.Spec[Log]{
	Columns: map[string]paging.Column[Log]{
		"created_at": {Expr: "created_at", Time: true, Get: func(l *Log) any { return l.CreatedAt }},
	},
	Default: "-created_at",
	IDExpr:  "id",
	ID:      func(l *Log) string { return l.ID },
}

// List pages through the log, newest first by default.
func (s *Service) List(ctx context.Context, f Filter, r paging.Request) (paging.Page[Log], error) {
	if err := authz.Require(ctx, "audit_logs:read"); err != nil {
		return paging.Page[Log]{}, err
	}
	q, err := spec.Parse(r)
	if err != nil {
		return paging.Page[Log]{}, err
	}
	base := s.db.Conn(ctx).Model(&Log{})
	for col, v := range map[string]string{"entity_type": f.EntityType, "entity_id": f.EntityID,
		"actor_id": f.ActorID, "action": f.Action} {
		if v != "" {
			base = base.Where(col+" = ?", v)
		}
	}
	if f.From != nil {
		base = base.Where("created_at >= ?", *f.From)
	}
	if f.To != nil {
		base = base.Where("created_at < ?", *f.To)
	}
	page, err := q.Fetch(base)
	if err != nil {
		return page, fmt.Errorf("audit.list: %w", err)
	}
	return page, nil
}

// LogResponse is one audit entry.
type LogResponse struct {
	ID         string          `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt  time.Time       `json:"created_at"`
	ActorType  string          `json:"actor_type" enums:"user,api_key,system,web_form" example:"user"`
	ActorID    string          `json:"actor_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	ActorName  string          `json:"actor_name" example:"李雷"`
	Action     string          `json:"action" example:"update"`
	EntityType string          `json:"entity_type" example:"lead"`
	EntityID   string          `json:"entity_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6d"`
	Before     json.RawMessage `json:"before" swaggertype:"object" extensions:"x-nullable"`
	After      json.RawMessage `json:"after" swaggertype:"object" extensions:"x-nullable"`
	RequestID  string          `json:"request_id" example:"5f2c9a0e1b7d4c3a8e6f0b1d"`
	IP         string          `json:"ip" example:"203.0.113.7"`
} // @name AuditLog

// LogList is a page of audit entries.
type LogList struct {
	Data       []LogResponse `json:"data"`
	NextCursor string        `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool          `json:"has_more"`
	Total      *int64        `json:"total,omitempty" extensions:"x-optional"`
} // @name AuditLogList

func view(l *Log) LogResponse {
	raw := func(s *string) json.RawMessage {
		if s == nil {
			return json.RawMessage("null")
		}
		return json.RawMessage(*s)
	}
	return LogResponse{ID: l.ID, CreatedAt: l.CreatedAt, ActorType: l.ActorType, ActorID: l.ActorID, ActorName: l.ActorName,
		Action: l.Action, EntityType: l.EntityType, EntityID: l.EntityID, Before: raw(l.Before), After: raw(l.After),
		RequestID: l.RequestID, IP: l.IP}
}

// Handler serves /audit-logs.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the endpoint.
func (h *Handler) Routes(g *echo.Group) { g.GET("/audit-logs", h.list) }

// list pages through the audit log.
//
//	@Summary		List audit log entries
//	@Description	Admin only. Every write: who (user or API key), when, the action, and the record before and after.
//	@ID				listAuditLogs
//	@Tags			audit
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			entity_type		query		string	false	"Entity type, e.g. lead, user, team, api_key"
//	@Param			entity_id		query		string	false	"Entity id"
//	@Param			actor_id		query		string	false	"User or API key id"
//	@Param			action			query		string	false	"Action, e.g. create, update, delete, assign"
//	@Param			created_from	query		string	false	"From (RFC 3339 or date, inclusive)"
//	@Param			created_to		query		string	false	"To (RFC 3339 exclusive, or date inclusive)"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: created_at; prefix - for descending"	default(-created_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	LogList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Router			/audit-logs [get]
func (h *Handler) list(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	f := Filter{EntityType: c.QueryParam("entity_type"), EntityID: c.QueryParam("entity_id"),
		ActorID: c.QueryParam("actor_id"), Action: c.QueryParam("action")}
	if f.From, err = httpx.QueryTime(c, "created_from", false); err != nil {
		return err
	}
	if f.To, err = httpx.QueryTime(c, "created_to", true); err != nil {
		return err
	}
	page, err := h.svc.List(c.Request().Context(), f, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paging.Map(page, view))
}
