package opportunity

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/opencrm/crm/internal/jobs"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
)

// modelRow stores the scoring model as JSON in one row.
type modelRow struct {
	ID        string
	Model     string
	UpdatedAt time.Time
	Version   int
}

// TableName pins the table.
func (modelRow) TableName() string { return "scoring_models" }

const modelRowID = "default"

// defaultModelVersion is the version of the built-in default model, so an
// If-Match taken from it is a valid ETag; the first saved model is 2.
const defaultModelVersion = 1

// ScoringModelResponse is the scoring model in force.
type ScoringModelResponse struct {
	Model
	// Null while the built-in default applies.
	UpdatedAt *time.Time `json:"updated_at" extensions:"x-nullable"`
	// 1 while the built-in default applies.
	Version int `json:"version" example:"2"`
} // @name ScoringModelResponse

// loadModel reads the saved model, or the default (nil row).
func (s *Service) loadModel(ctx context.Context) (Model, *modelRow, error) {
	var row modelRow
	err := s.db.Conn(ctx).Where("id = ?", modelRowID).Take(&row).Error
	if db.IsNotFound(err) {
		return DefaultModel(), nil, nil
	}
	if err != nil {
		return Model{}, nil, fmt.Errorf("scoring.load: %w", err)
	}
	var m Model
	if err := json.Unmarshal([]byte(row.Model), &m); err != nil {
		return Model{}, nil, fmt.Errorf("scoring.load: %w", err)
	}
	return m, &row, nil
}

// ScoringModel is the model in force.
func (s *Service) ScoringModel(ctx context.Context) (ScoringModelResponse, error) {
	if err := authz.Require(ctx, "scoring:read"); err != nil {
		return ScoringModelResponse{}, err
	}
	m, row, err := s.loadModel(ctx)
	if err != nil {
		return ScoringModelResponse{}, err
	}
	out := ScoringModelResponse{Model: m, Version: defaultModelVersion}
	if row != nil {
		out.UpdatedAt, out.Version = &row.UpdatedAt, row.Version
	}
	return out, nil
}

// SetScoringModel replaces the model and rescores every live opportunity
// in the same transaction, so no score ever reflects a model that is not
// the one saved.
func (s *Service) SetScoringModel(ctx context.Context, ifMatch *int, m Model) (ScoringModelResponse, error) {
	if err := authz.Require(ctx, "scoring:write"); err != nil {
		return ScoringModelResponse{}, err
	}
	if err := m.Validate(); err != nil {
		return ScoringModelResponse{}, err
	}
	m = m.normalized()
	var out ScoringModelResponse
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		old, row, err := s.loadModel(ctx)
		if err != nil {
			return err
		}
		version := defaultModelVersion
		if row != nil {
			version = row.Version
		}
		if ifMatch != nil && *ifMatch != version {
			return apperr.VersionMismatch()
		}
		b, _ := json.Marshal(m)
		now := db.Now()
		next := modelRow{ID: modelRowID, Model: string(b), UpdatedAt: now, Version: version + 1}
		if row == nil {
			err = s.db.Conn(ctx).Create(&next).Error
		} else {
			res := s.db.Conn(ctx).Model(&modelRow{}).Where("id = ? AND version = ?", modelRowID, version).
				Updates(map[string]any{"model": next.Model, "updated_at": now, "version": next.Version})
			if err = res.Error; err == nil && res.RowsAffected == 0 {
				return apperr.VersionMismatch()
			}
		}
		if err != nil {
			return fmt.Errorf("scoring.save: %w", err)
		}
		if err := s.audit.Record(ctx, "update", "scoring_model", modelRowID, old, m); err != nil {
			return err
		}
		if _, err := s.rescoreWith(ctx, m, "opportunities.deleted_at IS NULL"); err != nil {
			return err
		}
		out = ScoringModelResponse{Model: m, UpdatedAt: &now, Version: next.Version}
		return nil
	})
	return out, err
}

// scoreOf computes o's score from its in-memory fields (about to be saved)
// and its customer's size, potential and other won opportunities.
func (s *Service) scoreOf(ctx context.Context, o *Opportunity, probability int, now time.Time) (int, error) {
	m, _, err := s.loadModel(ctx)
	if err != nil {
		return 0, err
	}
	var c struct{ Size, Potential string }
	if err := s.db.Conn(ctx).Table("customers").Select("size, potential").Where("id = ?", o.CustomerID).
		Take(&c).Error; err != nil && !db.IsNotFound(err) {
		return 0, fmt.Errorf("scoring.customer: %w", err)
	}
	var won int64
	if err := s.db.Conn(ctx).Model(&Opportunity{}).Where("customer_id = ? AND status = ? AND id <> ?",
		o.CustomerID, KindWon, o.ID).Count(&won).Error; err != nil {
		return 0, fmt.Errorf("scoring.won: %w", err)
	}
	return m.Score(Inputs{Size: c.Size, Potential: c.Potential, WonCount: won, Amount: o.Amount,
		ExpectedClose: o.ExpectedCloseDate, LastActivity: o.LastActivityAt, CreatedAt: o.CreatedAt,
		Probability: probability}, now), nil
}

// rescoreInPlace recomputes o's score before it is saved.
func (s *Service) rescoreInPlace(ctx context.Context, o *Opportunity, now time.Time) error {
	var p int
	if err := s.db.Conn(ctx).Model(&Stage{}).Select("probability").Where("id = ?", o.StageID).
		Scan(&p).Error; err != nil {
		return fmt.Errorf("scoring.stage: %w", err)
	}
	score, err := s.scoreOf(ctx, o, p, now)
	o.Score = score
	return err
}

// rescore recomputes the stored scores of the live opportunities matching
// cond and reports how many changed.
func (s *Service) rescore(ctx context.Context, cond string, args ...any) (int, error) {
	m, _, err := s.loadModel(ctx)
	if err != nil {
		return 0, err
	}
	return s.rescoreWith(ctx, m, cond, args...)
}

// scoreRow is one opportunity's stored score and inputs.
type scoreRow struct {
	ID                string
	Score             int
	Amount            money.Amount
	ExpectedCloseDate *string
	LastActivityAt    *time.Time
	CreatedAt         time.Time
	Size, Potential   string
	Probability       int
	WonCount          int64
}

// rescoreWith recomputes under model m, in batches by id. The score is
// derived data: writing it does not bump the version, so a client's
// If-Match is not invalidated by a change nobody made to the record.
func (s *Service) rescoreWith(ctx context.Context, m Model, cond string, args ...any) (int, error) {
	const batch = 500
	now := db.Now()
	changed, after := 0, ""
	for {
		var rows []scoreRow
		err := s.db.Conn(ctx).Table("opportunities").
			Select(`opportunities.id, opportunities.score, opportunities.amount, opportunities.expected_close_date,
				opportunities.last_activity_at, opportunities.created_at,
				COALESCE(customers.size, '') AS size, COALESCE(customers.potential, '') AS potential,
				pipeline_stages.probability,
				(SELECT COUNT(*) FROM opportunities w WHERE w.customer_id = opportunities.customer_id
					AND w.status = 'won' AND w.deleted_at IS NULL AND w.id <> opportunities.id) AS won_count`).
			Joins("LEFT JOIN customers ON customers.id = opportunities.customer_id").
			Joins("JOIN pipeline_stages ON pipeline_stages.id = opportunities.stage_id").
			Where("opportunities.deleted_at IS NULL AND opportunities.id > ?", after).Where(cond, args...).
			Order("opportunities.id").Limit(batch).Scan(&rows).Error
		if err != nil {
			return changed, fmt.Errorf("scoring.rescore: %w", err)
		}
		for _, r := range rows {
			score := m.Score(Inputs{Size: r.Size, Potential: r.Potential, WonCount: r.WonCount, Amount: r.Amount,
				ExpectedClose: r.ExpectedCloseDate, LastActivity: r.LastActivityAt, CreatedAt: r.CreatedAt,
				Probability: r.Probability}, now)
			if score == r.Score {
				continue
			}
			if err := s.db.Conn(ctx).Model(&Opportunity{}).Where("id = ?", r.ID).
				UpdateColumn("score", score).Error; err != nil {
				return changed, fmt.Errorf("scoring.rescore: %w", err)
			}
			changed++
		}
		if len(rows) < batch {
			return changed, nil
		}
		after = rows[len(rows)-1].ID
	}
}

// RescoreCustomer recomputes the scores of a customer's opportunities,
// after its size or potential changed; it joins the caller's transaction.
func (s *Service) RescoreCustomer(ctx context.Context, customerID string) error {
	_, err := s.rescore(ctx, "opportunities.customer_id = ?", customerID)
	return err
}

// TouchActivity records an activity on an opportunity at the given time
// (last_activity_at only moves forward) and rescores it, inside the
// caller's transaction. The caller has checked the opportunity is visible.
func (s *Service) TouchActivity(ctx context.Context, opportunityID string, at time.Time) error {
	at = at.UTC().Truncate(time.Microsecond)
	err := s.db.Conn(ctx).Model(&Opportunity{}).
		Where("id = ? AND (last_activity_at IS NULL OR last_activity_at < ?)", opportunityID, at).
		UpdateColumn("last_activity_at", at).Error
	if err != nil {
		return fmt.Errorf("opportunity.touch_activity: %w", err)
	}
	_, err = s.rescore(ctx, "opportunities.id = ?", opportunityID)
	return err
}

// RescoreSweep recomputes open opportunities' scores daily: urgency and
// recency change with the date alone. Safe to run at any time.
func (s *Service) RescoreSweep(ctx context.Context) (jobs.Result, error) {
	var n int
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		var err error
		n, err = s.rescore(ctx, "opportunities.status = ?", KindOpen)
		return err
	})
	return jobs.Result{Processed: n, Details: map[string]int{"rescored": n}}, err
}
