package opportunity

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/paging"
	"gorm.io/gorm"
)

// Store reads and writes opportunities. Every read of them starts from
// scoped (the actor's data scope, judged by the owner as for customers).
type Store struct{ db *db.DB }

// ownerCol is the column the data scope judges opportunities by.
const ownerCol = "opportunities.owner_id"

// scoped is the live opportunities in the actor's scope.
func (s *Store) scoped(ctx context.Context, a *authz.Actor) *gorm.DB {
	return authz.Scope(a, ownerCol)(s.db.Conn(ctx).Model(&Opportunity{}))
}

// VisibleIDs is a subquery of the ids of the live opportunities in the
// actor's scope.
func (s *Store) VisibleIDs(ctx context.Context, a *authz.Actor) *gorm.DB {
	return s.scoped(ctx, a).Select("opportunities.id")
}

// Get loads an opportunity in the actor's scope with its competitors and
// product lines; anything else is 404.
func (s *Store) Get(ctx context.Context, a *authz.Actor, id string) (*Opportunity, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("opportunity")
	}
	var o Opportunity
	err := s.scoped(ctx, a).Where("opportunities.id = ?", id).Take(&o).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("opportunity")
	}
	if err != nil {
		return nil, fmt.Errorf("opportunity.get: %w", err)
	}
	os := []Opportunity{o}
	if err := s.withDetails(ctx, os); err != nil {
		return nil, err
	}
	return &os[0], nil
}

// withDetails loads the competitor ids and product lines of os.
func (s *Store) withDetails(ctx context.Context, os []Opportunity) error {
	if len(os) == 0 {
		return nil
	}
	ids := make([]string, len(os))
	at := map[string]int{}
	for i := range os {
		ids[i], at[os[i].ID] = os[i].ID, i
		os[i].CompetitorIDs, os[i].Lines = []string{}, []Line{}
	}
	var links []competitorLink
	if err := s.db.Conn(ctx).Where("opportunity_id IN ?", ids).Order("competitor_id").Find(&links).Error; err != nil {
		return fmt.Errorf("opportunity.competitors: %w", err)
	}
	for _, l := range links {
		o := &os[at[l.OpportunityID]]
		o.CompetitorIDs = append(o.CompetitorIDs, l.CompetitorID)
	}
	var lines []Line
	if err := s.db.Conn(ctx).Where("opportunity_id IN ?", ids).Order("position").Find(&lines).Error; err != nil {
		return fmt.Errorf("opportunity.lines: %w", err)
	}
	for _, l := range lines {
		o := &os[at[l.OpportunityID]]
		o.Lines = append(o.Lines, l)
	}
	return nil
}

// Create inserts an opportunity with its competitors and lines.
func (s *Store) Create(ctx context.Context, o *Opportunity) error {
	if err := s.db.Conn(ctx).Create(o).Error; err != nil {
		return fmt.Errorf("opportunity.create: %w", err)
	}
	return s.saveDetails(ctx, o)
}

// mutable lists the columns a write may change.
var mutable = []string{"name", "contact_id", "pipeline_id", "stage_id", "amount", "currency", "expected_close_date",
	"source", "strategy", "owner_id", "score", "status", "stage_entered_at", "stage_entry_id", "stage_overdue",
	"closed_at", "lost_reason", "lost_competitor_id", "updated_at", "version"}

// Save writes o back if it is still at version read (else 412), with its
// competitors and lines.
func (s *Store) Save(ctx context.Context, o *Opportunity, read int) error {
	res := s.db.Conn(ctx).Model(&Opportunity{}).Where("id = ? AND version = ?", o.ID, read).Select(mutable).
		UpdateColumns(o)
	if res.Error != nil {
		return fmt.Errorf("opportunity.save: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return s.saveDetails(ctx, o)
}

// saveDetails makes the stored competitors and lines exactly o's.
func (s *Store) saveDetails(ctx context.Context, o *Opportunity) error {
	conn := s.db.Conn(ctx)
	if err := conn.Where("opportunity_id = ?", o.ID).Delete(&competitorLink{}).Error; err != nil {
		return fmt.Errorf("opportunity.save_competitors: %w", err)
	}
	if err := conn.Where("opportunity_id = ?", o.ID).Delete(&Line{}).Error; err != nil {
		return fmt.Errorf("opportunity.save_lines: %w", err)
	}
	if len(o.CompetitorIDs) > 0 {
		links := make([]competitorLink, len(o.CompetitorIDs))
		for i, id := range o.CompetitorIDs {
			links[i] = competitorLink{OpportunityID: o.ID, CompetitorID: id}
		}
		if err := conn.Create(&links).Error; err != nil {
			return fmt.Errorf("opportunity.save_competitors: %w", err)
		}
	}
	if len(o.Lines) > 0 {
		for i := range o.Lines {
			o.Lines[i].OpportunityID, o.Lines[i].Position = o.ID, i+1
			if o.Lines[i].ID == "" {
				o.Lines[i].ID = uuid.Must(uuid.NewV7()).String()
			}
		}
		if err := conn.Create(&o.Lines).Error; err != nil {
			return fmt.Errorf("opportunity.save_lines: %w", err)
		}
	}
	return nil
}

// SoftDelete marks o deleted if it is still at version read.
func (s *Store) SoftDelete(ctx context.Context, o *Opportunity, read int) error {
	now := db.Now()
	res := s.db.Conn(ctx).Model(&Opportunity{}).Where("id = ? AND version = ?", o.ID, read).
		UpdateColumns(map[string]any{"deleted_at": now, "updated_at": now, "version": read + 1})
	if res.Error != nil {
		return fmt.Errorf("opportunity.delete: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// AddEntry appends a stage history entry.
func (s *Store) AddEntry(ctx context.Context, e *StageEntry) error {
	if err := s.db.Conn(ctx).Create(e).Error; err != nil {
		return fmt.Errorf("opportunity.add_stage_entry: %w", err)
	}
	return nil
}

// CloseEntry records when the opportunity left a stage entry.
func (s *Store) CloseEntry(ctx context.Context, id string, at time.Time) error {
	if err := s.db.Conn(ctx).Model(&StageEntry{}).Where("id = ?", id).UpdateColumn("left_at", at).Error; err != nil {
		return fmt.Errorf("opportunity.close_stage_entry: %w", err)
	}
	return nil
}

// Entries lists an opportunity's stage history, oldest first.
func (s *Store) Entries(ctx context.Context, oppID string) ([]StageEntry, error) {
	var out []StageEntry
	if err := s.db.Conn(ctx).Where("opportunity_id = ?", oppID).Order("entered_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("opportunity.stage_history: %w", err)
	}
	return out, nil
}

// AddStrategy appends a strategy version.
func (s *Store) AddStrategy(ctx context.Context, c *StrategyChange) error {
	if err := s.db.Conn(ctx).Create(c).Error; err != nil {
		return fmt.Errorf("opportunity.add_strategy: %w", err)
	}
	return nil
}

// Strategies lists an opportunity's strategy versions, oldest first.
func (s *Store) Strategies(ctx context.Context, oppID string) ([]StrategyChange, error) {
	var out []StrategyChange
	if err := s.db.Conn(ctx).Where("opportunity_id = ?", oppID).Order("changed_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("opportunity.strategy_history: %w", err)
	}
	return out, nil
}

// Filter narrows an opportunity list (and the board).
type Filter struct {
	Q, CustomerID, OwnerID, PipelineID, StageID, Currency string
	// TeamIDs: owned by members of these teams (a team and its subtree).
	TeamIDs              []string
	Status               []string
	CloseFrom, CloseTo   *string // expected_close_date, both inclusive
	AmountMin, AmountMax *money.Amount
	Overdue              *bool
}

// apply adds the filter to q.
func (f Filter) apply(q *gorm.DB) *gorm.DB {
	eq := map[string]string{"opportunities.customer_id": f.CustomerID, "opportunities.owner_id": f.OwnerID,
		"opportunities.pipeline_id": f.PipelineID, "opportunities.stage_id": f.StageID,
		"opportunities.currency": f.Currency}
	for col, v := range eq {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if f.TeamIDs != nil {
		q = q.Where(ownerCol+" IN (SELECT id FROM users WHERE team_id IN ?)", f.TeamIDs)
	}
	if len(f.Status) > 0 {
		q = q.Where("opportunities.status IN ?", f.Status)
	}
	if f.CloseFrom != nil {
		q = q.Where("opportunities.expected_close_date >= ?", *f.CloseFrom)
	}
	if f.CloseTo != nil {
		q = q.Where("opportunities.expected_close_date <= ?", *f.CloseTo)
	}
	if f.AmountMin != nil {
		q = q.Where("opportunities.amount >= ?", *f.AmountMin)
	}
	if f.AmountMax != nil {
		q = q.Where("opportunities.amount <= ?", *f.AmountMax)
	}
	if f.Overdue != nil {
		q = q.Where("opportunities.stage_overdue = ?", *f.Overdue)
	}
	if f.Q != "" {
		q = db.Contains(q, f.Q, "opportunities.name")
	}
	return q
}

// Query is the scoped, filtered base of GET /opportunities.
func (s *Store) Query(ctx context.Context, a *authz.Actor, f Filter) *gorm.DB {
	return f.apply(s.scoped(ctx, a))
}

// noCloseDate sorts opportunities without an expected close date last
// (ascending): the keyset needs a non-NULL expression.
const noCloseDate = "9999-12-31"

// oppSpec is what opportunity lists sort by.
var oppSpec = paging.Spec[Opportunity]{
	Columns: map[string]paging.Column[Opportunity]{
		"created_at": {Expr: "opportunities.created_at", Time: true, Get: func(o *Opportunity) any { return o.CreatedAt }},
		"updated_at": {Expr: "opportunities.updated_at", Time: true, Get: func(o *Opportunity) any { return o.UpdatedAt }},
		"amount":     {Expr: "opportunities.amount", Number: true, Get: func(o *Opportunity) any { return int64(o.Amount) }},
		"score":      {Expr: "opportunities.score", Number: true, Get: func(o *Opportunity) any { return o.Score }},
		"expected_close_date": {Expr: "COALESCE(opportunities.expected_close_date, '" + noCloseDate + "')",
			Get: func(o *Opportunity) any {
				if o.ExpectedCloseDate == nil {
					return noCloseDate
				}
				return *o.ExpectedCloseDate
			}},
	},
	Default: "-created_at",
	IDExpr:  "opportunities.id",
	ID:      func(o *Opportunity) string { return o.ID },
}
