package team

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/record"
	"github.com/opencrm/crm/internal/platform/validate"
	"gorm.io/gorm"
)

const (
	maxCourse = 200
	maxNotes  = 5000
	maxSkills = 20
)

// TrainingRecord is a course a rep completed (培训记录).
type TrainingRecord struct {
	ID          string
	UserID      string
	Course      string
	CompletedAt time.Time
	Score       *int
	Skills      db.StringList
	Notes       string
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

// TableName pins the table.
func (TrainingRecord) TableName() string { return "training_records" }

// CurrentVersion is the version as read (record.Versioned).
func (r *TrainingRecord) CurrentVersion() int { return r.Version }

// Touch moves the record to its next version, changed at now.
func (r *TrainingRecord) Touch(now time.Time) { r.Version++; r.UpdatedAt = now }

// GetTraining loads a training record in the caller's scope: a record is
// scoped like anything its user owns.
func (s *Service) GetTraining(ctx context.Context, id string) (*TrainingRecord, error) {
	if err := authz.Require(ctx, "training_records:read"); err != nil {
		return nil, err
	}
	return s.store.GetTraining(ctx, authz.ActorFrom(ctx), id)
}

// ListTraining pages through the training records in scope, optionally
// of one user.
func (s *Service) ListTraining(ctx context.Context, userID string, r paging.Request) (paging.Page[TrainingRecord], error) {
	if err := authz.Require(ctx, "training_records:read"); err != nil {
		return paging.Page[TrainingRecord]{}, err
	}
	q, err := trainingSpec.Parse(r)
	if err != nil {
		return paging.Page[TrainingRecord]{}, err
	}
	if _, err := uuid.Parse(userID); userID != "" && err != nil {
		return paging.Page[TrainingRecord]{}, apperr.BadRequest("bad_query", "bad_query",
			apperr.FieldError{Field: "user_id", Message: "invalid_value"})
	}
	return q.Fetch(s.store.Trainings(ctx, authz.ActorFrom(ctx), userID))
}

// CreateTraining records a completed course for a user in the caller's
// reach; anyone else, like an unknown id, is a 422 on user_id.
func (s *Service) CreateTraining(ctx context.Context, req TrainingCreateRequest) (*TrainingRecord, error) {
	if err := authz.Require(ctx, "training_records:write"); err != nil {
		return nil, err
	}
	now := db.Now()
	rec := &TrainingRecord{ID: uuid.Must(uuid.NewV7()).String(), UserID: strings.TrimSpace(req.UserID),
		Course: req.Course, Score: req.Score, Skills: req.Skills, Notes: req.Notes,
		CreatedBy: authz.ActorFrom(ctx).ID(), CreatedAt: now, UpdatedAt: now, Version: 1}
	var v validate.V
	if req.CompletedAt == nil {
		v.Add("completed_at", "required")
	} else if t, ok := v.Time("completed_at", req.CompletedAt); ok && t != nil {
		rec.CompletedAt = *t
	} else if ok {
		v.Add("completed_at", "required")
	}
	if v.Required("user_id", rec.UserID) {
		if err := s.checkTrainee(ctx, &v, rec.UserID); err != nil {
			return nil, err
		}
	}
	if err := checkTraining(&v, rec); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.db.Conn(ctx).Create(rec).Error; err != nil {
			return fmt.Errorf("team.create_training: %w", err)
		}
		return s.audit.Record(ctx, "create", "training_record", rec.ID, nil, TrainingView(rec))
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// checkTrainee adds a 422 on user_id unless it names a user the actor may
// manage (authz.Actor.CanOwn), revealing nothing about who exists.
func (s *Service) checkTrainee(ctx context.Context, v *validate.V, id string) error {
	if _, err := uuid.Parse(id); err != nil {
		v.Add("user_id", "unknown_ref", "user")
		return nil
	}
	u, err := s.dir.UserByID(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && !authz.ActorFrom(ctx).CanOwn(u.ID, u.TeamIDValue())) {
		v.Add("user_id", "unknown_ref", "user")
		return nil
	}
	return err
}

// UpdateTraining changes the given fields of a record in scope.
func (s *Service) UpdateTraining(ctx context.Context, id string, ifMatch *int, req TrainingUpdateRequest) (*TrainingRecord, error) {
	if err := authz.Require(ctx, "training_records:write"); err != nil {
		return nil, err
	}
	load := func(ctx context.Context) (*TrainingRecord, error) {
		return s.store.GetTraining(ctx, authz.ActorFrom(ctx), id)
	}
	w := record.Mutation[*TrainingRecord]{DB: s.db, Audit: s.audit, Entity: "training_record", Save: s.store.SaveTraining,
		ID: func(r *TrainingRecord) string { return r.ID }, View: func(r *TrainingRecord) any { return TrainingView(r) }}
	return w.Apply(ctx, load, ifMatch, "update", func(ctx context.Context, rec *TrainingRecord) error {
		var v validate.V
		if req.Course != nil {
			rec.Course = *req.Course
		}
		if req.Notes != nil {
			rec.Notes = *req.Notes
		}
		if req.Skills != nil {
			rec.Skills = *req.Skills
		}
		if req.Score != nil {
			rec.Score = req.Score
		}
		if req.CompletedAt != nil {
			if t, ok := v.Time("completed_at", req.CompletedAt); ok && t != nil {
				rec.CompletedAt = *t
			} else if ok {
				v.Add("completed_at", "required")
			}
		}
		return checkTraining(&v, rec)
	})
}

// DeleteTraining removes a record in scope.
func (s *Service) DeleteTraining(ctx context.Context, id string, ifMatch *int) error {
	if err := authz.Require(ctx, "training_records:write"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		rec, err := s.store.GetTraining(ctx, authz.ActorFrom(ctx), id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != rec.Version {
			return apperr.VersionMismatch()
		}
		res := s.db.Conn(ctx).Where("id = ? AND version = ?", rec.ID, rec.Version).Delete(&TrainingRecord{})
		if err := versioned(res, "team.delete_training"); err != nil {
			return err
		}
		return s.audit.Record(ctx, "delete", "training_record", rec.ID, TrainingView(rec), nil)
	})
}

// checkTraining normalises a record's fields in place and validates them.
func checkTraining(v *validate.V, r *TrainingRecord) error {
	r.Course, r.Notes = strings.TrimSpace(r.Course), strings.TrimSpace(r.Notes)
	if v.Required("course", r.Course) {
		v.MaxLen("course", r.Course, maxCourse)
	}
	if r.Score != nil && (*r.Score < 0 || *r.Score > 100) {
		v.Add("score", "out_of_range", 0, 100)
	}
	r.Skills = db.StringList(dedupIDs(r.Skills))
	v.Tags("skills", r.Skills, maxSkills)
	v.MaxLen("notes", r.Notes, maxNotes)
	return v.Err()
}

// GetTraining loads a record in a's scope (404 outside it).
func (s *Store) GetTraining(ctx context.Context, a *authz.Actor, id string) (*TrainingRecord, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("training_record")
	}
	var r TrainingRecord
	err := s.Trainings(ctx, a, "").Where("training_records.id = ?", id).Take(&r).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("training_record")
	}
	if err != nil {
		return nil, fmt.Errorf("team.get_training: %w", err)
	}
	return &r, nil
}

// Trainings is the scoped base of a training list, optionally of one user.
func (s *Store) Trainings(ctx context.Context, a *authz.Actor, userID string) *gorm.DB {
	q := s.db.Conn(ctx).Model(&TrainingRecord{}).Scopes(authz.Scope(a, "training_records.user_id"))
	if userID != "" {
		q = q.Where("training_records.user_id = ?", userID)
	}
	return q
}

// SaveTraining writes a record if it is still at version read.
func (s *Store) SaveTraining(ctx context.Context, r *TrainingRecord, read int) error {
	res := s.db.Conn(ctx).Model(&TrainingRecord{}).Where("id = ? AND version = ?", r.ID, read).
		Select("course", "completed_at", "score", "skills", "notes", "updated_at", "version").UpdateColumns(r)
	return versioned(res, "team.save_training")
}

var trainingSpec = paging.Spec[TrainingRecord]{
	Columns: map[string]paging.Column[TrainingRecord]{
		"completed_at": {Expr: "training_records.completed_at", Time: true, Get: func(r *TrainingRecord) any { return r.CompletedAt }},
		"created_at":   {Expr: "training_records.created_at", Time: true, Get: func(r *TrainingRecord) any { return r.CreatedAt }},
	},
	Default: "-completed_at",
	IDExpr:  "training_records.id",
	ID:      func(r *TrainingRecord) string { return r.ID },
}
