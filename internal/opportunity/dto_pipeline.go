package opportunity

import (
	"time"

	"github.com/opencrm/crm/internal/settings"
)

// StageResponse is one stage of a pipeline.
type StageResponse struct {
	ID          string `json:"id" example:"0193a2b4-0000-7000-8000-000000000101"`
	Name        string `json:"name" example:"需求调研"`
	Position    int    `json:"position" example:"1"`
	Probability int    `json:"probability" example:"10"`
	// Duration ("72h", "3d") after which an opportunity in the stage is
	// overdue; null for no limit.
	TimeLimit    *string `json:"time_limit" extensions:"x-nullable" example:"14d"`
	Kind         string  `json:"kind" enums:"open,won,lost" example:"open"`
	ExitCriteria string  `json:"exit_criteria" example:"确认预算与决策人"`
} // @name PipelineStage

// PipelineResponse is a pipeline with its stages in order.
type PipelineResponse struct {
	ID        string          `json:"id" example:"0193a2b4-0000-7000-8000-000000000001"`
	Name      string          `json:"name" example:"默认销售流程"`
	IsDefault bool            `json:"is_default" example:"true"`
	Stages    []StageResponse `json:"stages"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	Version   int             `json:"version" example:"1"`
} // @name Pipeline

// PipelineView maps a pipeline to its response.
func PipelineView(p *Pipeline) PipelineResponse {
	out := PipelineResponse{ID: p.ID, Name: p.Name, IsDefault: p.IsDefault, Stages: make([]StageResponse, len(p.Stages)),
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
	for i, s := range p.Stages {
		out.Stages[i] = StageResponse{ID: s.ID, Name: s.Name, Position: s.Position, Probability: s.Probability,
			Kind: s.Kind, ExitCriteria: s.ExitCriteria}
		if s.TimeLimitSeconds > 0 {
			tl := settings.Duration(s.TimeLimit()).String()
			out.Stages[i].TimeLimit = &tl
		}
	}
	return out
}

// PipelineList is every pipeline, the default first.
type PipelineList struct {
	Data []PipelineResponse `json:"data"`
} // @name PipelineList

// StageRequest is one stage in a pipeline write. With id it is an existing
// stage of the pipeline (kept, with its opportunities); without, a new one.
type StageRequest struct {
	ID           *string `json:"id" example:"0193a2b4-0000-7000-8000-000000000101"`
	Name         string  `json:"name" validate:"required" example:"需求调研"`
	Probability  int     `json:"probability" example:"10"`
	TimeLimit    *string `json:"time_limit" example:"14d"`
	Kind         string  `json:"kind" validate:"required" enums:"open,won,lost" example:"open"`
	ExitCriteria string  `json:"exit_criteria" example:"确认预算与决策人"`
} // @name PipelineStageRequest

// PipelineRequest is the body of POST /pipelines and PUT /pipelines/{id}:
// the whole pipeline, stages in order.
type PipelineRequest struct {
	Name      string         `json:"name" validate:"required" example:"大客户销售流程"`
	IsDefault bool           `json:"is_default" example:"false"`
	Stages    []StageRequest `json:"stages" validate:"required"`
} // @name PipelineRequest
