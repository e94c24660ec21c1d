package opportunity

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/opencrm/crm/internal/settings"
)

// Pipelines lists every pipeline with its stages.
func (s *Service) Pipelines(ctx context.Context) ([]Pipeline, error) {
	if err := authz.Require(ctx, "pipelines:read"); err != nil {
		return nil, err
	}
	return s.pipes.List(ctx)
}

// Pipeline loads one pipeline.
func (s *Service) Pipeline(ctx context.Context, id string) (*Pipeline, error) {
	if err := authz.Require(ctx, "pipelines:read"); err != nil {
		return nil, err
	}
	return s.pipes.Get(ctx, id)
}

// CreatePipeline adds a pipeline; made the default, it takes that from the
// previous one.
func (s *Service) CreatePipeline(ctx context.Context, req PipelineRequest) (*Pipeline, error) {
	if err := authz.Require(ctx, "pipelines:write"); err != nil {
		return nil, err
	}
	now := db.Now()
	p := &Pipeline{ID: uuid.Must(uuid.NewV7()).String(), CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := applyPipeline(p, req, nil); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.pipes.Create(ctx, p); err != nil {
			return nameTaken(err)
		}
		if p.IsDefault {
			if err := s.pipes.ClearDefault(ctx, p.ID); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, "create", "pipeline", p.ID, nil, PipelineView(p))
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// UpdatePipeline replaces a pipeline's name, default flag and stages.
// Stages are matched by id; a stage left out is deleted, and a stage may
// change its kind, but neither while live opportunities sit in it (409
// in_use: their status follows the kind). The default flag moves only by
// making another pipeline the default. The pipeline's opportunities are
// rescored in the same transaction: stage probabilities feed the score.
func (s *Service) UpdatePipeline(ctx context.Context, id string, ifMatch *int, req PipelineRequest) (*Pipeline, error) {
	if err := authz.Require(ctx, "pipelines:write"); err != nil {
		return nil, err
	}
	var out *Pipeline
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.pipeWrites.Apply(ctx, func(ctx context.Context) (*Pipeline, error) { return s.pipes.Get(ctx, id) },
			ifMatch, "update", func(ctx context.Context, p *Pipeline) error { return s.replaceStages(ctx, p, req) })
		if err != nil {
			return err
		}
		out = p
		_, err = s.rescore(ctx, "opportunities.pipeline_id = ?", p.ID)
		return err
	})
	return out, err
}

// replaceStages writes req into p, refusing to unpin a stage in use or
// to drop the default flag.
func (s *Service) replaceStages(ctx context.Context, p *Pipeline, req PipelineRequest) error {
	wasDefault, old := p.IsDefault, p.Stages
	if err := applyPipeline(p, req, old); err != nil {
		return err
	}
	if wasDefault && !p.IsDefault {
		return apperr.Invalid(apperr.FieldError{Field: "is_default", Message: "default_required"})
	}
	var pinned []string
	for _, st := range old {
		if now := p.stageByID(st.ID); now == nil || now.Kind != st.Kind {
			pinned = append(pinned, st.ID)
		}
	}
	if n, err := s.pipes.StagesInUse(ctx, pinned); err != nil {
		return err
	} else if n > 0 {
		return apperr.Conflict("in_use", "in_use", "stage")
	}
	if p.IsDefault && !wasDefault {
		return s.pipes.ClearDefault(ctx, p.ID)
	}
	return nil
}

// DeletePipeline removes a pipeline no live opportunity uses; the default
// one stays (409).
func (s *Service) DeletePipeline(ctx context.Context, id string, ifMatch *int) error {
	if err := authz.Require(ctx, "pipelines:write"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.pipes.Get(ctx, id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != p.Version {
			return apperr.VersionMismatch()
		}
		if p.IsDefault {
			return apperr.Conflict("invalid_transition", "default_pipeline")
		}
		ids := make([]string, len(p.Stages))
		for i, st := range p.Stages {
			ids[i] = st.ID
		}
		if n, err := s.pipes.StagesInUse(ctx, ids); err != nil {
			return err
		} else if n > 0 {
			return apperr.Conflict("in_use", "in_use", "pipeline")
		}
		if err := s.pipes.Delete(ctx, p); err != nil {
			return err
		}
		return s.audit.Record(ctx, "delete", "pipeline", p.ID, PipelineView(p), nil)
	})
}

// applyPipeline validates req and writes it into p; old are the stages p
// had (nil for a new pipeline), which ids in req must name.
func applyPipeline(p *Pipeline, req PipelineRequest, old []Stage) error {
	var v validate.V
	p.Name, p.IsDefault = strings.TrimSpace(req.Name), req.IsDefault
	if v.Required("name", p.Name) {
		v.MaxLen("name", p.Name, maxStage)
	}
	if len(req.Stages) == 0 || len(req.Stages) > maxStages {
		v.Add("stages", "out_of_range", 1, maxStages)
		return v.Err()
	}
	known := map[string]bool{}
	for _, st := range old {
		known[st.ID] = true
	}
	seenID, seenName := map[string]bool{}, map[string]bool{}
	count := map[string]int{}
	stages := make([]Stage, len(req.Stages))
	for i, r := range req.Stages {
		f := func(name string) string { return fmt.Sprintf("stages[%d].%s", i, name) }
		st := Stage{PipelineID: p.ID, Name: strings.TrimSpace(r.Name), Position: i + 1, Probability: r.Probability,
			Kind: strings.TrimSpace(r.Kind), ExitCriteria: strings.TrimSpace(r.ExitCriteria)}
		if r.ID != nil {
			st.ID = strings.TrimSpace(*r.ID)
			if !known[st.ID] || seenID[st.ID] {
				v.Add(f("id"), "stage_unknown")
			}
			seenID[st.ID] = true
		} else {
			st.ID = uuid.Must(uuid.NewV7()).String()
		}
		if v.Required(f("name"), st.Name) {
			v.MaxLen(f("name"), st.Name, maxStage)
			if seenName[st.Name] {
				v.Add(f("name"), "taken")
			}
			seenName[st.Name] = true
		}
		if st.Probability < 0 || st.Probability > 100 {
			v.Add(f("probability"), "out_of_range", 0, 100)
		}
		if r.TimeLimit != nil && strings.TrimSpace(*r.TimeLimit) != "" {
			d, err := settings.ParseDuration(*r.TimeLimit)
			if err != nil {
				v.Add(f("time_limit"), "invalid_value")
			}
			st.TimeLimitSeconds = int64(d.Std().Seconds())
		}
		if v.Required(f("kind"), st.Kind) {
			v.OneOf(f("kind"), st.Kind, Kinds...)
		}
		v.MaxLen(f("exit_criteria"), st.ExitCriteria, maxText)
		count[st.Kind]++
		stages[i] = st
	}
	if count[KindOpen] < 1 || count[KindWon] != 1 || count[KindLost] != 1 {
		v.Add("stages", "stage_kinds")
	}
	p.Stages = stages
	return v.Err()
}

// nameTaken turns a unique violation on the name into a 422.
func nameTaken(err error) error {
	if db.IsDuplicate(err) {
		return apperr.Invalid(apperr.FieldError{Field: "name", Message: "taken"})
	}
	return err
}
