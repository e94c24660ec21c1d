package activity

import (
	"time"

	"github.com/opencrm/crm/internal/settings"
)

// ActivityCreateRequest is the body of POST /activities. A new activity
// is planned; POST /activities/{id}/complete marks it done (a contact
// already made is logged as a follow-up of its lead or customer).
type ActivityCreateRequest struct {
	Type           string   `json:"type" validate:"required" enums:"call,visit,meeting,demo,email,task" example:"visit"`
	Subject        string   `json:"subject" validate:"required" example:"上门拜访：演示新一代控制系统"`
	RelatedType    string   `json:"related_type" validate:"required" enums:"lead,customer,contact,opportunity" example:"customer"`
	RelatedID      string   `json:"related_id" validate:"required" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	OwnerID        *string  `json:"owner_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	ParticipantIDs []string `json:"participant_ids" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	StartAt        string   `json:"start_at" validate:"required" format:"date-time" example:"2026-11-25T02:00:00Z"`
	EndAt          *string  `json:"end_at" format:"date-time" example:"2026-11-25T03:30:00Z"`
	RemindBefore   *string  `json:"remind_before" example:"30m"`
	RemindAt       *string  `json:"remind_at" format:"date-time" example:"2026-11-25T01:00:00Z"`
	Location       string   `json:"location" example:"苏州工业园区星湖街 328 号"`
	Notes          string   `json:"notes" example:"带样机，约技术负责人一起。"`
} // @name ActivityCreateRequest

// ActivityUpdateRequest is the body of PATCH /activities/{id}; absent
// fields stay. remind_before and remind_at replace each other; an empty
// string clears one. Status changes through cancel and complete.
type ActivityUpdateRequest struct {
	Type           *string   `json:"type" enums:"call,visit,meeting,demo,email,task" example:"meeting"`
	Subject        *string   `json:"subject" example:"技术交流会"`
	OwnerID        *string   `json:"owner_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	ParticipantIDs *[]string `json:"participant_ids" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	StartAt        *string   `json:"start_at" format:"date-time" example:"2026-11-26T02:00:00Z"`
	EndAt          *string   `json:"end_at" format:"date-time" example:"2026-11-26T03:00:00Z"`
	RemindBefore   *string   `json:"remind_before" example:"1h"`
	RemindAt       *string   `json:"remind_at" format:"date-time" example:"2026-11-26T01:00:00Z"`
	Location       *string   `json:"location" example:"客户会议室"`
	Notes          *string   `json:"notes" example:"改为线上会议。"`
	Outcome        *string   `json:"outcome" example:"客户确认需求。"`
} // @name ActivityUpdateRequest

// CompleteRequest is the body of POST /activities/{id}/complete.
type CompleteRequest struct {
	Outcome        string  `json:"outcome" example:"客户认可方案，下周给出预算。"`
	Notes          *string `json:"notes" example:"参观了车间，现有设备老化。"`
	NextFollowUpAt *string `json:"next_follow_up_at" format:"date-time" example:"2026-12-01T02:00:00Z"`
} // @name ActivityCompleteRequest

// LocationRequest is the body of POST /activities/{id}/check-in and
// /check-out.
type LocationRequest struct {
	Latitude  *float64 `json:"latitude" validate:"required" example:"31.3240"`
	Longitude *float64 `json:"longitude" validate:"required" example:"120.7230"`
	// Accuracy of the position, in metres.
	Accuracy *float64 `json:"accuracy" example:"15"`
	// At defaults to now and may not be in the future.
	At *string `json:"at" format:"date-time" example:"2026-11-25T02:05:00Z"`
} // @name ActivityLocationRequest

// LocationResponse is a check-in or check-out.
type LocationResponse struct {
	At        time.Time `json:"at"`
	Latitude  float64   `json:"latitude" example:"31.3240"`
	Longitude float64   `json:"longitude" example:"120.7230"`
	Accuracy  *float64  `json:"accuracy" extensions:"x-nullable" example:"15"`
	// DistanceMeters to the customer's position, when it is known.
	DistanceMeters *float64 `json:"distance_meters" extensions:"x-nullable" example:"52.3"`
} // @name ActivityLocation

// ActivityResponse is an activity as clients see it.
type ActivityResponse struct {
	ID   string `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a80"`
	Type string `json:"type" enums:"call,visit,meeting,demo,email,task" example:"visit"`
	// Channel is how a follow-up happened (call, visit, email, wechat,
	// meeting, other); empty for activities planned here.
	Channel        string            `json:"channel" example:""`
	Subject        string            `json:"subject" example:"上门拜访：演示新一代控制系统"`
	RelatedType    string            `json:"related_type" enums:"lead,customer,contact,opportunity" example:"customer"`
	RelatedID      string            `json:"related_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	OwnerID        string            `json:"owner_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	ParticipantIDs []string          `json:"participant_ids" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	Status         string            `json:"status" enums:"planned,done,cancelled" example:"planned"`
	StartAt        time.Time         `json:"start_at"`
	EndAt          *time.Time        `json:"end_at" extensions:"x-nullable"`
	RemindBefore   *string           `json:"remind_before" extensions:"x-nullable" example:"30m"`
	RemindAt       *time.Time        `json:"remind_at" extensions:"x-nullable"`
	Location       string            `json:"location" example:"苏州工业园区星湖街 328 号"`
	Notes          string            `json:"notes" example:"带样机，约技术负责人一起。"`
	Outcome        string            `json:"outcome" example:""`
	NextStep       string            `json:"next_step" example:""`
	NextFollowUpAt *time.Time        `json:"next_follow_up_at" extensions:"x-nullable"`
	DoneAt         *time.Time        `json:"done_at" extensions:"x-nullable"`
	CancelledAt    *time.Time        `json:"cancelled_at" extensions:"x-nullable"`
	CheckIn        *LocationResponse `json:"check_in" extensions:"x-nullable"`
	CheckOut       *LocationResponse `json:"check_out" extensions:"x-nullable"`
	CreatedBy      string            `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	Version        int               `json:"version" example:"1"`
} // @name Activity

// View maps an activity to its response.
func View(a *Activity) ActivityResponse {
	out := ActivityResponse{ID: a.ID, Type: a.Type, Channel: a.Channel, Subject: a.Subject,
		RelatedType: a.RelatedType, RelatedID: a.RelatedID, OwnerID: a.OwnerID, ParticipantIDs: a.Participants,
		Status: a.Status, StartAt: a.StartAt, EndAt: a.EndAt, RemindAt: a.RemindAt, Location: a.Location,
		Notes: a.Notes, Outcome: a.Outcome, NextStep: a.NextStep, NextFollowUpAt: a.NextFollowUpAt,
		DoneAt: a.DoneAt, CancelledAt: a.CancelledAt, CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt,
		UpdatedAt: a.UpdatedAt, Version: a.Version}
	if out.ParticipantIDs == nil {
		out.ParticipantIDs = []string{}
	}
	if a.RemindBefore != nil {
		s := settings.Duration(time.Duration(*a.RemindBefore) * time.Second).String()
		out.RemindBefore = &s
	}
	if a.CheckInAt != nil {
		out.CheckIn = &LocationResponse{At: *a.CheckInAt, Latitude: *a.CheckInLat, Longitude: *a.CheckInLng,
			Accuracy: a.CheckInAcc, DistanceMeters: a.CheckInDist}
	}
	if a.CheckOutAt != nil {
		out.CheckOut = &LocationResponse{At: *a.CheckOutAt, Latitude: *a.CheckOutLat, Longitude: *a.CheckOutLng,
			Accuracy: a.CheckOutAcc, DistanceMeters: a.CheckOutDist}
	}
	return out
}

// ActivityList is a page of activities.
type ActivityList struct {
	Data       []ActivityResponse `json:"data"`
	NextCursor string             `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool               `json:"has_more"`
	Total      *int64             `json:"total,omitempty" extensions:"x-optional"`
} // @name ActivityList

// CalendarResponse is the activities overlapping a time range, by start.
type CalendarResponse struct {
	Data []ActivityResponse `json:"data"`
	// Truncated is true when the range held more than the answer's limit
	// (2000): narrow it.
	Truncated bool `json:"truncated" example:"false"`
} // @name Calendar

// FeedTokenResponse is a new calendar feed secret, shown once.
type FeedTokenResponse struct {
	Token string `json:"token" example:"3q2-7wEXAMPLEexampleEXAMPLEexample8"`
	// URL is the feed to subscribe to in Outlook, Google Calendar or a
	// phone's calendar ("subscribe from URL"); it needs no login.
	URL string `json:"url" example:"https://crm.example.cn/api/v1/calendar/feed/3q2-7wEXAMPLEexampleEXAMPLEexample8.ics"`
} // @name CalendarFeedToken
