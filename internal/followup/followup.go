// Package followup holds what every follow-up record (跟进记录) shares,
// whether it is about a lead or a customer: the channels and the rules for
// a valid entry.
package followup

import (
	"context"
	"strings"
	"time"

	"github.com/opencrm/crm/internal/platform/i18n"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/opencrm/crm/internal/reminder"
)

func init() {
	i18n.Register(map[string]map[i18n.Lang]string{
		"in_future":          {i18n.EN: "must not be in the future", i18n.ZhCN: "不能晚于当前时间"},
		"before_followed_at": {i18n.EN: "must be after followed_at", i18n.ZhCN: "必须晚于跟进时间"},
	})
}

// Channels are how a follow-up happened.
var Channels = []string{"call", "visit", "email", "wechat", "meeting", "other"}

const (
	maxContent  = 5000
	maxNextStep = 500
	// futureSkew tolerates client clocks slightly ahead of ours.
	futureSkew = time.Minute
)

// CreateRequest is the body of POST /leads/{id}/follow-ups and
// POST /customers/{id}/follow-ups. Times are RFC 3339 (or a date, taken as
// 00:00 UTC); followed_at defaults to now and may not be in the future.
type CreateRequest struct {
	Channel        string  `json:"channel" validate:"required" enums:"call,visit,email,wechat,meeting,other" example:"call"`
	Content        string  `json:"content" validate:"required" example:"电话沟通设备参数，客户关注交期。"`
	Feedback       string  `json:"feedback" example:"对价格敏感，希望看到同行案例。"`
	NextStep       string  `json:"next_step" example:"发送案例资料并约技术交流"`
	NextFollowUpAt *string `json:"next_follow_up_at" format:"date-time" example:"2026-11-25T02:00:00Z"`
	FollowedAt     *string `json:"followed_at" format:"date-time" example:"2026-11-22T06:30:00Z"`
} // @name FollowUpCreateRequest

// Entry is a checked follow-up.
type Entry struct {
	Channel, Content, Feedback, NextStep string
	FollowedAt                           time.Time
	NextFollowUpAt                       *time.Time
}

// Check trims and validates a follow-up recorded at now: channel and
// content required, lengths capped, followed_at (default now) not in the
// future, next_follow_up_at after it. Every bad field is in one 422.
func Check(in CreateRequest, now time.Time) (Entry, error) {
	e := Entry{Channel: strings.TrimSpace(in.Channel), Content: strings.TrimSpace(in.Content),
		Feedback: strings.TrimSpace(in.Feedback), NextStep: strings.TrimSpace(in.NextStep), FollowedAt: now}
	var v validate.V
	if v.Required("channel", e.Channel) {
		v.OneOf("channel", e.Channel, Channels...)
	}
	if v.Required("content", e.Content) {
		v.MaxLen("content", e.Content, maxContent)
	}
	v.MaxLen("feedback", e.Feedback, maxContent)
	v.MaxLen("next_step", e.NextStep, maxNextStep)
	if t, ok := v.Time("followed_at", in.FollowedAt); ok && t != nil {
		if t.After(now.Add(futureSkew)) {
			v.Add("followed_at", "in_future")
		} else {
			e.FollowedAt = *t
		}
	}
	if t, ok := v.Time("next_follow_up_at", in.NextFollowUpAt); ok && t != nil {
		if !t.After(e.FollowedAt) {
			v.Add("next_follow_up_at", "before_followed_at")
		}
		e.NextFollowUpAt = t
	}
	return e, v.Err()
}

// Record is a follow-up as kept. Since follow-ups and done activities are
// one concept, it is a done activity about a lead or customer, seen
// through the follow-up contract.
type Record struct {
	ID, RelatedID, UserID, Channel, Content, Feedback, NextStep string
	NextFollowUpAt                                              *time.Time
	FollowedAt, CreatedAt                                       time.Time
}

// Log keeps follow-ups (activity.Service: each is a done activity). The
// caller has checked the record is in scope, in the same transaction.
type Log interface {
	// Record stores e as a done activity about the record, by the caller.
	Record(ctx context.Context, relatedType, relatedID string, e Entry) (*Record, error)
	// List pages through the done activities about the record, newest
	// first by default (sort followed_at or created_at).
	List(ctx context.Context, relatedType, relatedID string, r paging.Request) (paging.Page[Record], error)
}

// Reminders schedules and cancels due reminders in the caller's
// transaction (reminder.Service).
type Reminders interface {
	Schedule(ctx context.Context, r reminder.Reminder) error
	Cancel(ctx context.Context, keys ...string) error
}

// KindDue is the notification kind of a follow-up that falls due.
const KindDue = "follow_up_due"

// DueKey names the follow-up due reminder of a lead or customer.
func DueKey(relatedType, id string) string { return "follow-up:" + relatedType + ":" + id }

// ScheduleDue keeps the follow-up due reminder of a record in step with its
// next_follow_up_at: due then, to the record's owner at this time; no date
// or no owner cancels it.
func ScheduleDue(ctx context.Context, r Reminders, relatedType, id, name string, owner *string, next *time.Time) error {
	key := DueKey(relatedType, id)
	if next == nil || owner == nil || *owner == "" {
		return r.Cancel(ctx, key)
	}
	return r.Schedule(ctx, reminder.Reminder{Key: key, UserID: *owner, Kind: KindDue,
		Title: "Follow-up due: " + name, Body: "A follow-up you planned is due now.",
		RefType: relatedType, RefID: id, DueAt: *next})
}
