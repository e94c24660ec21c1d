package notification

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/i18n"
	"github.com/opencrm/crm/internal/platform/paging"
)

func init() {
	i18n.RegisterWords(map[string]string{"notification": "通知"})
}

// Response is an inbox item.
type Response struct {
	ID        string     `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	Kind      string     `json:"kind" example:"lead_reassigned"`
	Title     string     `json:"title" example:"线索已重新分配"`
	Body      string     `json:"body" example:"Lead 上海某某科技 was not followed up within 3d and moved to 李娜."`
	RefType   string     `json:"ref_type" example:"lead"`
	RefID     string     `json:"ref_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	Read      bool       `json:"read" example:"false"`
	ReadAt    *time.Time `json:"read_at" extensions:"x-nullable"`
	CreatedAt time.Time  `json:"created_at"`
} // @name Notification

// List is a page of notifications.
type List struct {
	Data       []Response `json:"data"`
	NextCursor string     `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool       `json:"has_more"`
	Total      *int64     `json:"total,omitempty" extensions:"x-optional"`
	// UnreadCount is the caller's unread total, whatever the filters.
	UnreadCount int64 `json:"unread_count" example:"2"`
} // @name NotificationList

// UnreadCountResponse is the badge number.
type UnreadCountResponse struct {
	UnreadCount int64 `json:"unread_count" example:"2"`
} // @name NotificationUnreadCount

// ReadAllResponse says how many were marked.
type ReadAllResponse struct {
	Updated int64 `json:"updated" example:"3"`
} // @name NotificationsReadAll

// View maps a notification to its response.
func View(n *Notification) Response {
	return Response{ID: n.ID, Kind: n.Kind, Title: n.Title, Body: n.Body, RefType: n.RefType, RefID: n.RefID,
		Read: n.ReadAt != nil, ReadAt: n.ReadAt, CreatedAt: n.CreatedAt}
}

// Handler serves /notifications.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the endpoints.
func (h *Handler) Routes(g *echo.Group) {
	g.GET("/notifications", h.list)
	g.GET("/notifications/unread-count", h.unreadCount)
	g.POST("/notifications/read-all", h.readAll)
	g.POST("/notifications/:id/read", h.read)
}

// list pages through the caller's inbox.
//
//	@Summary		List my notifications
//	@Description	The caller's own inbox, newest first, with the unread total. Reminders (activity, follow-up due, stage overdue, and later contract expiry and payment due) are delivered here by the queue worker, each exactly once; automatic rules (reassignment, recycling) write here directly.
//	@ID				listNotifications
//	@Tags			notifications
//	@Produce		json
//	@Security		BearerAuth
//	@Param			unread			query		bool	false	"Only unread (true) or only read (false)"
//	@Param			kind			query		string	false	"Kind, e.g. lead_reassigned"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: created_at; prefix - for descending"	default(-created_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	List
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Router			/notifications [get]
func (h *Handler) list(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	var unread *bool
	if c.QueryParam("unread") != "" {
		b, err := httpx.QueryBool(c, "unread", false)
		if err != nil {
			return err
		}
		unread = &b
	}
	ctx := c.Request().Context()
	page, err := h.svc.List(ctx, unread, c.QueryParam("kind"), r)
	if err != nil {
		return err
	}
	n, err := h.svc.UnreadCount(ctx)
	if err != nil {
		return err
	}
	out := paging.Map(page, View)
	return c.JSON(http.StatusOK, List{Data: out.Data, NextCursor: out.NextCursor, HasMore: out.HasMore, Total: out.Total, UnreadCount: n})
}

// unreadCount is the badge number for the inbox.
//
//	@Summary		Count my unread notifications
//	@Description	The number a client shows on the inbox badge; cheaper than listing.
//	@ID				countUnreadNotifications
//	@Tags			notifications
//	@Produce		json
//	@Security		BearerAuth
//	@Success		200	{object}	UnreadCountResponse
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Router			/notifications/unread-count [get]
func (h *Handler) unreadCount(c echo.Context) error {
	n, err := h.svc.UnreadCount(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, UnreadCountResponse{UnreadCount: n})
}

// read marks one notification read.
//
//	@Summary	Mark a notification read
//	@ID			readNotification
//	@Tags		notifications
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"Notification id"
//	@Success	200	{object}	Response
//	@Failure	401	{object}	httpx.Problem
//	@Failure	403	{object}	httpx.Problem
//	@Failure	404	{object}	httpx.Problem
//	@Router		/notifications/{id}/read [post]
func (h *Handler) read(c echo.Context) error {
	n, err := h.svc.MarkRead(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, View(n))
}

// readAll marks every notification read.
//
//	@Summary	Mark all my notifications read
//	@ID			readAllNotifications
//	@Tags		notifications
//	@Produce	json
//	@Security	BearerAuth
//	@Success	200	{object}	ReadAllResponse
//	@Failure	401	{object}	httpx.Problem
//	@Failure	403	{object}	httpx.Problem
//	@Router		/notifications/read-all [post]
func (h *Handler) readAll(c echo.Context) error {
	n, err := h.svc.MarkAllRead(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ReadAllResponse{Updated: n})
}
