package team

import "time"

// PlaybookResponse is a playbook as clients see it.
type PlaybookResponse struct {
	ID         string `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a90"`
	PipelineID string `json:"pipeline_id" example:"0193a2b4-0000-7000-8000-000000000001"`
	StageID    string `json:"stage_id" example:"0193a2b4-0000-7000-8000-000000000102"`
	Title      string `json:"title" example:"方案阶段：三步讲清投资回报"`
	// Markdown.
	Content   string    `json:"content" example:"1. 先复述客户的痛点\n2. 用同行案例量化收益"`
	Position  int       `json:"position" example:"0"`
	CreatedBy string    `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version" example:"1"`
} // @name Playbook

// PlaybookView maps a playbook to its response (and audit view).
func PlaybookView(p *Playbook) PlaybookResponse {
	return PlaybookResponse{ID: p.ID, PipelineID: p.PipelineID, StageID: p.StageID, Title: p.Title,
		Content: p.Content, Position: p.Position, CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt,
		UpdatedAt: p.UpdatedAt, Version: p.Version}
}

// PlaybookList is a page of playbooks.
type PlaybookList struct {
	Data       []PlaybookResponse `json:"data"`
	NextCursor string             `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool               `json:"has_more"`
	Total      *int64             `json:"total,omitempty" extensions:"x-optional"`
} // @name PlaybookList

// OpportunityPlaybooks are the playbooks of an opportunity's current stage.
type OpportunityPlaybooks struct {
	StageID string             `json:"stage_id" example:"0193a2b4-0000-7000-8000-000000000102"`
	Data    []PlaybookResponse `json:"data"`
} // @name OpportunityPlaybooks

// PlaybookRequest is the body of POST /playbooks (pipeline_id, stage_id
// and title required) and PATCH /playbooks/{id} (absent fields stay).
type PlaybookRequest struct {
	PipelineID *string `json:"pipeline_id" example:"0193a2b4-0000-7000-8000-000000000001"`
	// A stage of pipeline_id.
	StageID *string `json:"stage_id" example:"0193a2b4-0000-7000-8000-000000000102"`
	Title   *string `json:"title" example:"方案阶段：三步讲清投资回报"`
	// Markdown, at most 20 000 characters.
	Content *string `json:"content" example:"1. 先复述客户的痛点\n2. 用同行案例量化收益"`
	// Order within the stage, 0–10000; default 0.
	Position *int `json:"position" example:"0"`
} // @name PlaybookRequest
