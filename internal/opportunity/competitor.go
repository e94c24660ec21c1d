package opportunity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/shopspring/decimal"
)

// CompetitorRequest is the body of POST /competitors and PATCH
// /competitors/{id} (absent fields stay on PATCH).
type CompetitorRequest struct {
	Name       *string `json:"name" validate:"required" example:"西门子"`
	Website    *string `json:"website" example:"https://www.siemens.com.cn"`
	Strengths  *string `json:"strengths" example:"品牌认可度高"`
	Weaknesses *string `json:"weaknesses" example:"交付周期长，价格高"`
	Notes      *string `json:"notes" example:"华东区代理商为恒力自动化"`
} // @name CompetitorRequest

// CompetitorResponse is a competitor.
type CompetitorResponse struct {
	ID         string    `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5aa0"`
	Name       string    `json:"name" example:"西门子"`
	Website    string    `json:"website" example:"https://www.siemens.com.cn"`
	Strengths  string    `json:"strengths" example:"品牌认可度高"`
	Weaknesses string    `json:"weaknesses" example:"交付周期长，价格高"`
	Notes      string    `json:"notes" example:"华东区代理商为恒力自动化"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Version    int       `json:"version" example:"1"`
} // @name Competitor

// CompetitorView maps a competitor to its response.
func CompetitorView(c *Competitor) CompetitorResponse {
	return CompetitorResponse{ID: c.ID, Name: c.Name, Website: c.Website, Strengths: c.Strengths,
		Weaknesses: c.Weaknesses, Notes: c.Notes, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version}
}

// CompetitorStats is the win/loss record against a competitor, over the
// opportunities in the caller's data scope.
type CompetitorStats struct {
	// Closed opportunities the competitor was involved in.
	Won  int64 `json:"won" example:"3"`
	Lost int64 `json:"lost" example:"2"`
	// Lost opportunities that went to this competitor.
	LostTo int64 `json:"lost_to" example:"1"`
	// won / (won + lost), 4 places; null with no closed opportunity.
	WinRate *string `json:"win_rate" extensions:"x-nullable" example:"0.6000"`
} // @name CompetitorStats

// CompetitorDetail is a competitor with its record.
type CompetitorDetail struct {
	CompetitorResponse
	Stats CompetitorStats `json:"stats"`
} // @name CompetitorDetail

// CompetitorList is a page of competitors.
type CompetitorList struct {
	Data       []CompetitorResponse `json:"data"`
	NextCursor string               `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool                 `json:"has_more"`
	Total      *int64               `json:"total,omitempty" extensions:"x-optional"`
} // @name CompetitorList

var competitorSpec = paging.Spec[Competitor]{
	Columns: map[string]paging.Column[Competitor]{
		"name":       {Expr: "competitors.name", Get: func(c *Competitor) any { return c.Name }},
		"created_at": {Expr: "competitors.created_at", Time: true, Get: func(c *Competitor) any { return c.CreatedAt }},
	},
	Default: "name",
	IDExpr:  "competitors.id",
	ID:      func(c *Competitor) string { return c.ID },
}

// ListCompetitors pages through competitors, searched by name with q.
func (s *Service) ListCompetitors(ctx context.Context, q string, r paging.Request) (paging.Page[Competitor], error) {
	if err := authz.Require(ctx, "competitors:read"); err != nil {
		return paging.Page[Competitor]{}, err
	}
	pq, err := competitorSpec.Parse(r)
	if err != nil {
		return paging.Page[Competitor]{}, err
	}
	base := s.db.Conn(ctx).Model(&Competitor{})
	if q != "" {
		base = db.Contains(base, q, "competitors.name")
	}
	page, err := pq.Fetch(base)
	if err != nil {
		return page, fmt.Errorf("competitor.list: %w", err)
	}
	return page, nil
}

// Competitor loads a competitor with its record against the caller's
// opportunities.
func (s *Service) Competitor(ctx context.Context, id string) (*Competitor, CompetitorStats, error) {
	if err := authz.Require(ctx, "competitors:read"); err != nil {
		return nil, CompetitorStats{}, err
	}
	c, err := s.store.GetCompetitor(ctx, id)
	if err != nil {
		return nil, CompetitorStats{}, err
	}
	st, err := s.store.competitorStats(ctx, authz.ActorFrom(ctx), c.ID)
	return c, st, err
}

// CreateCompetitor adds a competitor; the name is unique (422 taken),
// compared case-insensitively.
func (s *Service) CreateCompetitor(ctx context.Context, req CompetitorRequest) (*Competitor, error) {
	if err := authz.Require(ctx, "competitors:write"); err != nil {
		return nil, err
	}
	now := db.Now()
	c := &Competitor{ID: uuid.Must(uuid.NewV7()).String(), CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := applyCompetitor(c, req); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.db.Conn(ctx).Create(c).Error; err != nil {
			return nameTaken(fmt.Errorf("competitor.create: %w", err))
		}
		return s.audit.Record(ctx, "create", "competitor", c.ID, nil, CompetitorView(c))
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// UpdateCompetitor changes the given fields of a competitor.
func (s *Service) UpdateCompetitor(ctx context.Context, id string, ifMatch *int, req CompetitorRequest) (*Competitor, error) {
	if err := authz.Require(ctx, "competitors:write"); err != nil {
		return nil, err
	}
	return s.compWrites.Apply(ctx, func(ctx context.Context) (*Competitor, error) { return s.store.GetCompetitor(ctx, id) },
		ifMatch, "update", func(_ context.Context, c *Competitor) error { return applyCompetitor(c, req) })
}

// DeleteCompetitor removes a competitor no opportunity refers to (409
// in_use otherwise: its win/loss record would be lost).
func (s *Service) DeleteCompetitor(ctx context.Context, id string, ifMatch *int) error {
	if err := authz.Require(ctx, "competitors:delete"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.store.GetCompetitor(ctx, id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != c.Version {
			return apperr.VersionMismatch()
		}
		if used, err := s.store.competitorUsed(ctx, c.ID); err != nil {
			return err
		} else if used {
			return apperr.Conflict("in_use", "in_use", "competitor")
		}
		if err := s.db.Conn(ctx).Where("id = ?", c.ID).Delete(&Competitor{}).Error; err != nil {
			return fmt.Errorf("competitor.delete: %w", err)
		}
		return s.audit.Record(ctx, "delete", "competitor", c.ID, CompetitorView(c), nil)
	})
}

// applyCompetitor writes the given fields into c and validates it.
func applyCompetitor(c *Competitor, req CompetitorRequest) error {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&c.Name, req.Name)
	set(&c.Website, req.Website)
	set(&c.Strengths, req.Strengths)
	set(&c.Weaknesses, req.Weaknesses)
	set(&c.Notes, req.Notes)
	c.NameKey = strings.ToLower(c.Name)
	var v validate.V
	if v.Required("name", c.Name) {
		v.MaxLen("name", c.Name, maxName)
	}
	v.MaxLen("website", c.Website, maxLong)
	v.MaxLen("strengths", c.Strengths, maxText)
	v.MaxLen("weaknesses", c.Weaknesses, maxText)
	v.MaxLen("notes", c.Notes, maxText)
	return v.Err()
}

// GetCompetitor loads a competitor (reference data: no data scope).
func (s *Store) GetCompetitor(ctx context.Context, id string) (*Competitor, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("competitor")
	}
	var c Competitor
	err := s.db.Conn(ctx).Where("id = ?", id).Take(&c).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("competitor")
	}
	if err != nil {
		return nil, fmt.Errorf("competitor.get: %w", err)
	}
	return &c, nil
}

// SaveCompetitor writes c back if it is still at version read.
func (s *Store) SaveCompetitor(ctx context.Context, c *Competitor, read int) error {
	res := s.db.Conn(ctx).Model(&Competitor{}).Where("id = ? AND version = ?", c.ID, read).
		Select("name", "name_key", "website", "strengths", "weaknesses", "notes", "updated_at", "version").
		UpdateColumns(c)
	if res.Error != nil {
		return fmt.Errorf("competitor.save: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// countCompetitors counts how many of ids are competitors.
func (s *Store) countCompetitors(ctx context.Context, ids []string) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	var n int64
	if err := s.db.Conn(ctx).Model(&Competitor{}).Where("id IN ?", ids).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("competitor.count: %w", err)
	}
	return n, nil
}

// competitorUsed reports whether any opportunity, live or deleted, refers
// to the competitor.
func (s *Store) competitorUsed(ctx context.Context, id string) (bool, error) {
	var n int64
	if err := s.db.Conn(ctx).Model(&competitorLink{}).Where("competitor_id = ?", id).Count(&n).Error; err != nil {
		return false, fmt.Errorf("competitor.used: %w", err)
	}
	if n == 0 {
		err := s.db.Conn(ctx).Unscoped().Model(&Opportunity{}).Where("lost_competitor_id = ?", id).Count(&n).Error
		if err != nil {
			return false, fmt.Errorf("competitor.used: %w", err)
		}
	}
	return n > 0, nil
}

// competitorStats counts the won and lost opportunities in the actor's
// scope the competitor was involved in, and those lost to it.
func (s *Store) competitorStats(ctx context.Context, a *authz.Actor, id string) (CompetitorStats, error) {
	var rows []struct {
		Status string
		N      int64
	}
	err := s.scoped(ctx, a).Select("opportunities.status, COUNT(*) AS n").
		Where("opportunities.id IN (SELECT opportunity_id FROM opportunity_competitors WHERE competitor_id = ?)", id).
		Where("opportunities.status IN ?", []string{KindWon, KindLost}).Group("opportunities.status").Scan(&rows).Error
	if err != nil {
		return CompetitorStats{}, fmt.Errorf("competitor.stats: %w", err)
	}
	var st CompetitorStats
	for _, r := range rows {
		if r.Status == KindWon {
			st.Won = r.N
		} else {
			st.Lost = r.N
		}
	}
	if err := s.scoped(ctx, a).Where("opportunities.status = ? AND opportunities.lost_competitor_id = ?", KindLost, id).
		Count(&st.LostTo).Error; err != nil {
		return st, fmt.Errorf("competitor.stats: %w", err)
	}
	if st.Won+st.Lost > 0 {
		r := decimal.NewFromInt(st.Won).DivRound(decimal.NewFromInt(st.Won+st.Lost), 4).StringFixed(4)
		st.WinRate = &r
	}
	return st, nil
}
