package customer

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/paging"
	"gorm.io/gorm"
)

// TimelineItem is one thing that happened with a customer.
type TimelineItem struct {
	Type    string    `json:"type" example:"follow_up"`
	At      time.Time `json:"at"`
	ActorID string    `json:"actor_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	Summary string    `json:"summary" example:"visit: 上门拜访，演示新一代控制系统。"`
	RefType string    `json:"ref_type" example:"customer_follow_up"`
	RefID   string    `json:"ref_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a71"`
	// ID is the source row's id (a UUID), the tie-breaker of the order.
	ID string `json:"-"`
} // @name TimelineItem

// TimelineList is a page of the timeline, newest first.
type TimelineList struct {
	Data       []TimelineItem `json:"data"`
	NextCursor string         `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool           `json:"has_more"`
} // @name TimelineList

// TimelineCursor is a position in the timeline: items strictly older than
// (At, ID) come next.
type TimelineCursor struct {
	At time.Time `json:"at"`
	ID string    `json:"id"`
}

// Before narrows q to rows after the cursor in newest-first order, given
// the source's time and id columns; a nil cursor leaves q alone.
func (c *TimelineCursor) Before(q *gorm.DB, atCol, idCol string) *gorm.DB {
	if c == nil {
		return q
	}
	return q.Where("("+atCol+" < ? OR ("+atCol+" = ? AND "+idCol+" < ?))", c.At, c.At, c.ID)
}

// TimelineSource lists one kind of a customer's events newest first (by
// at, then id): at most limit of them, older than the cursor when given.
// Modules that add events to the timeline (activities, opportunities,
// quotes, converted leads…) register one with AddTimelineSource; the
// service merges them.
type TimelineSource func(ctx context.Context, customerID string, before *TimelineCursor, limit int) ([]TimelineItem, error)

// AddTimelineSource adds a source; call while wiring, before serving.
func (s *Service) AddTimelineSource(src TimelineSource) { s.timeline = append(s.timeline, src) }

// Timeline pages through everything about a customer in the caller's
// scope, newest first.
func (s *Service) Timeline(ctx context.Context, customerID string, r paging.Request) (TimelineList, error) {
	out := TimelineList{Data: []TimelineItem{}}
	if err := authz.Require(ctx, "customers:read"); err != nil {
		return out, err
	}
	limit := r.Limit
	if limit == 0 {
		limit = paging.DefaultLimit
	}
	cur, err := decodeTimelineCursor(r.Cursor)
	if err != nil {
		return out, err
	}
	c, err := s.store.Get(ctx, authz.ActorFrom(ctx), customerID)
	if err != nil {
		return out, err
	}
	var all []TimelineItem
	for _, src := range s.timeline {
		items, err := src(ctx, c.ID, cur, limit+1)
		if err != nil {
			return out, fmt.Errorf("customer.timeline: %w", err)
		}
		all = append(all, items...)
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].At.Equal(all[j].At) {
			return all[i].At.After(all[j].At)
		}
		return all[i].ID > all[j].ID
	})
	if len(all) > limit {
		all = all[:limit]
		last := all[limit-1]
		b, _ := json.Marshal(TimelineCursor{At: last.At.UTC(), ID: last.ID})
		out.NextCursor, out.HasMore = base64.RawURLEncoding.EncodeToString(b), true
	}
	out.Data = append(out.Data, all...)
	return out, nil
}

// decodeTimelineCursor reads a cursor made by Timeline; anything else is
// a 400 (the id must be a UUID, which also keeps NUL out of SQL).
func decodeTimelineCursor(s string) (*TimelineCursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := apperr.BadRequest("invalid_cursor", "invalid_cursor",
		apperr.FieldError{Field: "cursor", Message: "invalid_value"})
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var c TimelineCursor
	if json.Unmarshal(b, &c) != nil || c.At.IsZero() {
		return nil, bad
	}
	if _, err := uuid.Parse(c.ID); err != nil {
		return nil, bad
	}
	c.At = c.At.UTC()
	return &c, nil
}
