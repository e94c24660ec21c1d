package event

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
)

// Actor is who caused an event.
type Actor struct {
	Type string `json:"type" enums:"user,api_key,system" example:"user"`
	ID   string `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
} // @name EventActor

// Response is one event.
type Response struct {
	// Seq orders events; read on with after=<the last seq you saw>.
	Seq        int64  `json:"seq" example:"1042"`
	ID         string `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	Type       string `json:"type" example:"contract.signed"`
	EntityType string `json:"entity_type" example:"contract"`
	EntityID   string `json:"entity_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a71"`
	Actor      Actor  `json:"actor"`
	// Payload is the entity as it was after the change; its shape is fixed
	// per type and only ever gains fields.
	Payload    json.RawMessage `json:"payload" swaggertype:"object"`
	OccurredAt time.Time       `json:"occurred_at"`
} // @name Event

// List is a batch of events.
type List struct {
	Data []Response `json:"data"`
	// NextAfter is the after= for the next call (the last seq here, or the
	// one you sent when nothing is new).
	NextAfter int64 `json:"next_after" example:"1042"`
	HasMore   bool  `json:"has_more"`
} // @name EventList

// Handler serves /events.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the endpoint.
func (h *Handler) Routes(g *echo.Group) { g.GET("/events", h.list) }

// list reads the outbox in order.
//
//	@Summary		Read business events in order
//	@Description	The outbox of business events (quote accepted, order approved/shipped/delivered, contract signed, payment received, invoice issued…), each written in the same transaction as its change, so one exists exactly when the change committed. Events come oldest first by `seq`; poll with `after` set to the last `seq` you processed (`next_after`). `seq` only grows and a committed event never appears below one you have already read. Admins and API keys with `events:read`.
//	@ID				listEvents
//	@Tags			events
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			after	query		int		false	"Return events with seq greater than this"	default(0)	minimum(0)
//	@Param			limit	query		int		false	"Batch size (1–500)"							default(100)
//	@Param			type	query		string	false	"Comma-separated types; a value ending in '.' is a prefix (contract.)"
//	@Success		200		{object}	List
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Router			/events [get]
func (h *Handler) list(c echo.Context) error {
	after, err := httpx.QueryInt(c, "after", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	limit, err := httpx.QueryInt(c, "limit", 100, 1, 500)
	if err != nil {
		return err
	}
	events, more, err := h.svc.List(c.Request().Context(), after, int(limit), httpx.QueryList(c, "type"))
	if err != nil {
		return err
	}
	out := List{Data: make([]Response, len(events)), NextAfter: after, HasMore: more}
	for i, e := range events {
		out.Data[i] = Response{Seq: e.Seq, ID: e.ID, Type: e.Type, EntityType: e.EntityType, EntityID: e.EntityID,
			Actor: Actor{Type: e.ActorType, ID: e.ActorID}, Payload: json.RawMessage(e.Payload), OccurredAt: e.OccurredAt}
		out.NextAfter = e.Seq
	}
	return c.JSON(http.StatusOK, out)
}
