// Package activity owns sales activities (销售活动): calls, visits,
// meetings, demos, emails and tasks, planned or done, about a lead,
// customer, contact or opportunity; their participants, reminders and
// field-visit check-ins; and the calendar with its iCalendar feed.
//
// A follow-up (跟进记录) is a done activity: POST /leads/{id}/follow-ups
// and POST /customers/{id}/follow-ups write here (through followup.Log),
// and completing a planned activity moves the related record on exactly
// as a follow-up does (Target.FollowedUp).
package activity

import (
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/i18n"
)

func init() {
	all := []string{authz.RoleAdmin, authz.RoleManager, authz.RoleRep}
	authz.Grant("activities:read", all...)
	authz.Grant("activities:write", all...)
	// Deleting is further limited to the activity's owner and admins.
	authz.Grant("activities:delete", all...)

	i18n.Register(map[string]map[i18n.Lang]string{
		"remind_before_or_at": {i18n.EN: "give remind_before or remind_at, not both",
			i18n.ZhCN: "remind_before 与 remind_at 只能二选一"},
		"invalid_duration":         {i18n.EN: `must be a duration such as "30m", "1h" or "1d"`, i18n.ZhCN: `必须是时长，如 "30m"、"1h"、"1d"`},
		"before_start":             {i18n.EN: "must not be before start_at", i18n.ZhCN: "不能早于开始时间"},
		"related_required":         {i18n.EN: "related_type and related_id go together", i18n.ZhCN: "related_type 与 related_id 必须同时给出"},
		"not_checked_in":           {i18n.EN: "Check in before checking out.", i18n.ZhCN: "请先签到再签退。"},
		"already_checked":          {i18n.EN: "Already done for this activity.", i18n.ZhCN: "该活动已完成此操作。"},
		"not_owner_or_participant": {i18n.EN: "Only the owner or a participant may do this.", i18n.ZhCN: "只有负责人或参与人可以执行此操作。"},
		"range_too_long":           {i18n.EN: "the range may span at most %d days", i18n.ZhCN: "时间范围最多 %d 天"},
		"before_check_in":          {i18n.EN: "must not be before the check-in", i18n.ZhCN: "不能早于签到时间"},
		"in_past":                  {i18n.EN: "must be in the future", i18n.ZhCN: "必须晚于当前时间"},
		"after_from":               {i18n.EN: "must be after from", i18n.ZhCN: "必须晚于 from"},
		"user_or_team":             {i18n.EN: "give user_id or team_id, not both", i18n.ZhCN: "user_id 与 team_id 只能二选一"},
	})
	i18n.RegisterWords(map[string]string{"activity": "活动", "calendar_feed": "日历订阅"})
}

// Enumerations.
var (
	Types    = []string{"call", "visit", "meeting", "demo", "email", "task"}
	Statuses = []string{StatusPlanned, StatusDone, StatusCancelled}
)

// Statuses of an activity.
const (
	StatusPlanned   = "planned"
	StatusDone      = "done"
	StatusCancelled = "cancelled"
)

// Field limits, in characters.
const (
	maxSubject      = 200
	maxLocation     = 500
	maxText         = 10000
	maxParticipants = 50
)

// Activity is one call, visit, meeting, demo, email or task.
type Activity struct {
	ID   string
	Type string
	// Channel is how a follow-up happened (call, visit, email, wechat,
	// meeting, other); empty for activities planned through /activities.
	Channel     string
	Subject     string
	RelatedType string
	RelatedID   string
	OwnerID     string
	Status      string
	StartAt     time.Time
	EndAt       *time.Time
	// RemindBefore is in seconds before StartAt; RemindAt is absolute.
	// At most one is set.
	RemindBefore   *int64
	RemindAt       *time.Time
	Location       string
	Notes          string
	Outcome        string
	NextStep       string
	NextFollowUpAt *time.Time
	DoneAt         *time.Time
	CancelledAt    *time.Time
	CheckInAt      *time.Time
	CheckInLat     *float64
	CheckInLng     *float64
	CheckInAcc     *float64
	CheckInDist    *float64
	CheckOutAt     *time.Time
	CheckOutLat    *float64
	CheckOutLng    *float64
	CheckOutAcc    *float64
	CheckOutDist   *float64
	CreatedBy      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
	// Participants is loaded separately (activity_participants).
	Participants []string `gorm:"-"`
}

// TableName pins the table.
func (Activity) TableName() string { return "activities" }

// CurrentVersion is the version as read (record.Versioned).
func (a *Activity) CurrentVersion() int { return a.Version }

// Touch moves the activity to its next version, changed at now.
func (a *Activity) Touch(now time.Time) { a.Version++; a.UpdatedAt = now }

// RemindDue is when the reminder fires, or nil without one.
func (a *Activity) RemindDue() *time.Time {
	switch {
	case a.RemindAt != nil:
		t := *a.RemindAt
		return &t
	case a.RemindBefore != nil:
		t := a.StartAt.Add(-time.Duration(*a.RemindBefore) * time.Second)
		return &t
	}
	return nil
}

// channelOf is the follow-up channel an activity reads as: the one it was
// recorded with, else the nearest to its type.
func (a *Activity) channelOf() string {
	if a.Channel != "" {
		return a.Channel
	}
	switch a.Type {
	case "call", "visit", "email", "meeting":
		return a.Type
	case "demo":
		return "meeting"
	}
	return "other"
}

// typeOfChannel maps a follow-up channel to an activity type: a WeChat
// conversation counts as a call, anything else as a task; the channel is
// kept beside it.
func typeOfChannel(ch string) string {
	switch ch {
	case "call", "visit", "email", "meeting":
		return ch
	case "wechat":
		return "call"
	}
	return "task"
}

// Participant is a user taking part in an activity.
type Participant struct {
	ActivityID string
	UserID     string
}

// TableName pins the table.
func (Participant) TableName() string { return "activity_participants" }

// FeedToken is a user's calendar feed secret, kept as its SHA-256 hash.
type FeedToken struct {
	UserID    string `gorm:"primaryKey"`
	TokenHash string
	CreatedAt time.Time
}

// TableName pins the table.
func (FeedToken) TableName() string { return "calendar_feed_tokens" }
