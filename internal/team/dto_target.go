package team

import "time"

// TargetResponse is a target as clients see it.
type TargetResponse struct {
	ID string `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a90"`
	// user or team.
	SubjectType string `json:"subject_type" example:"user"`
	SubjectID   string `json:"subject_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	// Canonical period: 2026-11, 2026-Q4 or 2026.
	Period string `json:"period" example:"2026-Q4"`
	// month, quarter or year.
	PeriodKind string `json:"period_kind" example:"quarter"`
	// First instant of the period (local midnight in the organisation's time zone, in UTC).
	PeriodStart time.Time `json:"period_start" example:"2026-09-30T16:00:00Z"`
	// First instant after the period (exclusive).
	PeriodEnd time.Time `json:"period_end" example:"2026-12-31T16:00:00Z"`
	Metric    string    `json:"metric" example:"won_amount"`
	// A money string for won_amount and received_amount, an integer string for the counts.
	Value     string    `json:"value" example:"1200000.00"`
	CreatedBy string    `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version" example:"1"`
} // @name Target

// TargetView maps a target to its response (and audit view).
func TargetView(t *Target) TargetResponse {
	return TargetResponse{ID: t.ID, SubjectType: t.SubjectType, SubjectID: t.SubjectID, Period: t.Period,
		PeriodKind: t.PeriodKind, PeriodStart: t.StartsAt, PeriodEnd: t.EndsAt, Metric: t.Metric,
		Value: FormatValue(t.Metric, t.Value), CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt,
		UpdatedAt: t.UpdatedAt, Version: t.Version}
}

// TargetList is a page of targets.
type TargetList struct {
	Data       []TargetResponse `json:"data"`
	NextCursor string           `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool             `json:"has_more"`
	Total      *int64           `json:"total,omitempty" extensions:"x-optional"`
} // @name TargetList

// TargetCreateRequest is the body of POST /targets.
type TargetCreateRequest struct {
	// user or team.
	SubjectType string `json:"subject_type" validate:"required" example:"user"`
	SubjectID   string `json:"subject_id" validate:"required" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	// 2026-11 (month), 2026-Q4 (quarter) or 2026 (year).
	Period string `json:"period" validate:"required" example:"2026-Q4"`
	// won_amount, received_amount, new_customers, orders_count or activities_count.
	Metric string `json:"metric" validate:"required" example:"won_amount"`
	// A money string (at most two places) for the amount metrics, a non-negative integer string for the counts.
	Value *string `json:"value" validate:"required" example:"1200000.00"`
} // @name TargetCreateRequest

// TargetUpdateRequest is the body of PATCH /targets/{id}: only the value
// changes; a different subject, period or metric is another target.
type TargetUpdateRequest struct {
	Value *string `json:"value" validate:"required" example:"1500000.00"`
} // @name TargetUpdateRequest
