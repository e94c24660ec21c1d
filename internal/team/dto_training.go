package team

import "time"

// TrainingRecordResponse is a training record as clients see it.
type TrainingRecordResponse struct {
	ID          string    `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a90"`
	UserID      string    `json:"user_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	Course      string    `json:"course" example:"顾问式销售进阶"`
	CompletedAt time.Time `json:"completed_at" example:"2026-11-20T08:00:00Z"`
	// 0–100; null when the course is not scored.
	Score     *int      `json:"score" extensions:"x-nullable" example:"92"`
	Skills    []string  `json:"skills" example:"谈判,需求挖掘"`
	Notes     string    `json:"notes" example:"结业答辩优秀"`
	CreatedBy string    `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version" example:"1"`
} // @name TrainingRecord

// TrainingView maps a record to its response (and audit view).
func TrainingView(r *TrainingRecord) TrainingRecordResponse {
	return TrainingRecordResponse{ID: r.ID, UserID: r.UserID, Course: r.Course, CompletedAt: r.CompletedAt,
		Score: r.Score, Skills: nonNil(r.Skills), Notes: r.Notes, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, Version: r.Version}
}

// TrainingRecordList is a page of training records.
type TrainingRecordList struct {
	Data       []TrainingRecordResponse `json:"data"`
	NextCursor string                   `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool                     `json:"has_more"`
	Total      *int64                   `json:"total,omitempty" extensions:"x-optional"`
} // @name TrainingRecordList

// TrainingCreateRequest is the body of POST /training-records.
type TrainingCreateRequest struct {
	UserID string `json:"user_id" validate:"required" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	Course string `json:"course" validate:"required" example:"顾问式销售进阶"`
	// RFC 3339, or a date (taken as 00:00 UTC).
	CompletedAt *string `json:"completed_at" validate:"required" example:"2026-11-20T08:00:00Z"`
	// 0–100, optional.
	Score *int `json:"score" example:"92"`
	// At most 20 tags of up to 50 characters.
	Skills []string `json:"skills" example:"谈判,需求挖掘"`
	Notes  string   `json:"notes" example:"结业答辩优秀"`
} // @name TrainingRecordCreateRequest

// TrainingUpdateRequest is the body of PATCH /training-records/{id};
// absent fields stay; the user does not change.
type TrainingUpdateRequest struct {
	Course      *string   `json:"course" example:"顾问式销售进阶"`
	CompletedAt *string   `json:"completed_at" example:"2026-11-21T08:00:00Z"`
	Score       *int      `json:"score" example:"95"`
	Skills      *[]string `json:"skills"`
	Notes       *string   `json:"notes" example:"补考通过"`
} // @name TrainingRecordUpdateRequest
