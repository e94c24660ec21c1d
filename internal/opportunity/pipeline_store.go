package opportunity

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/db"
	"gorm.io/gorm"
)

// pipelines reads and writes pipelines and their stages. Pipelines are
// company configuration: no data scope.
type pipelines struct{ db *db.DB }

// withStages loads the stages of ps, in position order.
func (s pipelines) withStages(ctx context.Context, ps []Pipeline) error {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]string, len(ps))
	at := map[string]int{}
	for i := range ps {
		ids[i], at[ps[i].ID] = ps[i].ID, i
		ps[i].Stages = []Stage{}
	}
	var stages []Stage
	if err := s.db.Conn(ctx).Where("pipeline_id IN ?", ids).Order("position, id").Find(&stages).Error; err != nil {
		return fmt.Errorf("pipeline.stages: %w", err)
	}
	for _, st := range stages {
		p := &ps[at[st.PipelineID]]
		p.Stages = append(p.Stages, st)
	}
	return nil
}

// List is every pipeline, the default first, then by name.
func (s pipelines) List(ctx context.Context) ([]Pipeline, error) {
	var ps []Pipeline
	if err := s.db.Conn(ctx).Order("is_default DESC, name, id").Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("pipeline.list: %w", err)
	}
	return ps, s.withStages(ctx, ps)
}

// Get loads a pipeline with its stages.
func (s pipelines) Get(ctx context.Context, id string) (*Pipeline, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("pipeline")
	}
	var p Pipeline
	err := s.db.Conn(ctx).Where("id = ?", id).Take(&p).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("pipeline")
	}
	if err != nil {
		return nil, fmt.Errorf("pipeline.get: %w", err)
	}
	ps := []Pipeline{p}
	if err := s.withStages(ctx, ps); err != nil {
		return nil, err
	}
	return &ps[0], nil
}

// Default loads the default pipeline.
func (s pipelines) Default(ctx context.Context) (*Pipeline, error) {
	var p Pipeline
	if err := s.db.Conn(ctx).Where("is_default = ?", true).Take(&p).Error; err != nil {
		return nil, fmt.Errorf("pipeline.default: %w", err)
	}
	return s.Get(ctx, p.ID)
}

// Create inserts a pipeline and its stages.
func (s pipelines) Create(ctx context.Context, p *Pipeline) error {
	if err := s.db.Conn(ctx).Create(p).Error; err != nil {
		return fmt.Errorf("pipeline.create: %w", err)
	}
	if len(p.Stages) == 0 {
		return nil
	}
	if err := s.db.Conn(ctx).Create(&p.Stages).Error; err != nil {
		return fmt.Errorf("pipeline.create_stages: %w", err)
	}
	return nil
}

// Save writes the pipeline if still at version read (else 412) and makes
// its stored stages exactly p.Stages: updated, inserted, removed.
func (s pipelines) Save(ctx context.Context, p *Pipeline, read int) error {
	res := s.db.Conn(ctx).Model(&Pipeline{}).Where("id = ? AND version = ?", p.ID, read).
		Select("name", "is_default", "updated_at", "version").UpdateColumns(p)
	if res.Error != nil {
		return fmt.Errorf("pipeline.save: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	keep := make([]string, 0, len(p.Stages))
	for _, st := range p.Stages {
		keep = append(keep, st.ID)
	}
	if err := s.db.Conn(ctx).Where("pipeline_id = ? AND id NOT IN ?", p.ID, keep).Delete(&Stage{}).Error; err != nil {
		return fmt.Errorf("pipeline.delete_stages: %w", err)
	}
	for i := range p.Stages {
		if err := s.db.Conn(ctx).Save(&p.Stages[i]).Error; err != nil {
			return fmt.Errorf("pipeline.save_stage: %w", err)
		}
	}
	return nil
}

// ClearDefault makes every pipeline but keep non-default.
func (s pipelines) ClearDefault(ctx context.Context, keep string) error {
	err := s.db.Conn(ctx).Model(&Pipeline{}).Where("id <> ? AND is_default = ?", keep, true).
		UpdateColumns(map[string]any{"is_default": false, "updated_at": db.Now(), "version": gorm.Expr("version + 1")}).Error
	if err != nil {
		return fmt.Errorf("pipeline.clear_default: %w", err)
	}
	return nil
}

// Delete removes a pipeline and its stages.
func (s pipelines) Delete(ctx context.Context, p *Pipeline) error {
	if err := s.db.Conn(ctx).Where("pipeline_id = ?", p.ID).Delete(&Stage{}).Error; err != nil {
		return fmt.Errorf("pipeline.delete_stages: %w", err)
	}
	res := s.db.Conn(ctx).Where("id = ? AND version = ?", p.ID, p.Version).Delete(&Pipeline{})
	if res.Error != nil {
		return fmt.Errorf("pipeline.delete: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// StagesInUse counts the live opportunities in any of the stages.
func (s pipelines) StagesInUse(ctx context.Context, stageIDs []string) (int64, error) {
	if len(stageIDs) == 0 {
		return 0, nil
	}
	var n int64
	if err := s.db.Conn(ctx).Model(&Opportunity{}).Where("stage_id IN ?", stageIDs).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("pipeline.stages_in_use: %w", err)
	}
	return n, nil
}
