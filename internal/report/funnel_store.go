package report

import (
	"context"
	"fmt"
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"gorm.io/gorm"
)

// funnelPipeline and funnelStage are the columns the funnel reads.
type funnelPipeline struct {
	ID, Name string
}

type funnelStage struct {
	ID, Name, Kind        string
	Position, Probability int
}

// stageTotals is one stage's opportunities: how many, their amounts and
// their probability-weighted amounts (half-up per opportunity).
type stageTotals struct {
	StageID  string
	N        int64
	Amount   int64
	Weighted int64
}

type funnelStore struct{ db *db.DB }

// pipeline loads the pipeline by id, or the default one when id is "".
func (s funnelStore) pipeline(ctx context.Context, id string) (*funnelPipeline, []funnelStage, error) {
	var p funnelPipeline
	q := s.db.Conn(ctx).Table("pipelines").Select("id, name")
	if id == "" {
		q = q.Where("is_default = ?", true)
	} else {
		q = q.Where("id = ?", id)
	}
	if err := q.Take(&p).Error; err != nil {
		return nil, nil, err
	}
	var st []funnelStage
	if err := s.db.Conn(ctx).Table("pipeline_stages").Select("id, name, kind, position, probability").
		Where("pipeline_id = ?", p.ID).Order("position, id").Scan(&st).Error; err != nil {
		return nil, nil, fmt.Errorf("report.stages: %w", err)
	}
	return &p, st, nil
}

// opps is the pipeline's live opportunities in the caller's scope and the
// query's owner filters.
func (s funnelStore) opps(ctx context.Context, a *authz.Actor, w window, pipelineID string) *gorm.DB {
	return s.db.Conn(ctx).Table("opportunities AS o").Where("o.pipeline_id = ? AND o.deleted_at IS NULL", pipelineID).
		Scopes(w.owners(a, "o.owner_id"))
}

// totals sums the open opportunities by their current stage, and the won
// and lost ones closed in the period by theirs. Weighting is per
// opportunity, amount × probability / 100 rounded half-up (amounts are
// never negative), so the SQL integer division is exact on both databases.
func (s funnelStore) totals(ctx context.Context, a *authz.Actor, w window, pipelineID string) ([]stageTotals, error) {
	var out []stageTotals
	err := s.opps(ctx, a, w, pipelineID).Joins("JOIN pipeline_stages s ON s.id = o.stage_id").
		Where("o.status = ? OR (o.closed_at >= ? AND o.closed_at < ?)", "open", w.Start, w.End).
		Select("o.stage_id AS stage_id, COUNT(*) AS n, COALESCE(SUM(o.amount), 0) AS amount, " +
			"COALESCE(SUM((o.amount * s.probability + 50) / 100), 0) AS weighted").
		Group("o.stage_id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("report.funnel totals: %w", err)
	}
	return out, nil
}

// reached counts the opportunities created in the period that ever
// entered stage, and of those how many also entered next ("" for none).
func (s funnelStore) reached(ctx context.Context, a *authz.Actor, w window, pipelineID, stage, next string) (n, both int64, err error) {
	entered := func(stageID string) *gorm.DB {
		return s.db.Conn(ctx).Table("opportunity_stage_entries AS e").Select("1").
			Where("e.opportunity_id = o.id AND e.stage_id = ?", stageID)
	}
	cohort := func() *gorm.DB {
		return s.opps(ctx, a, w, pipelineID).Where("o.created_at >= ? AND o.created_at < ?", w.Start, w.End).
			Where("EXISTS (?)", entered(stage))
	}
	if err = cohort().Count(&n).Error; err != nil {
		return 0, 0, fmt.Errorf("report.funnel reached: %w", err)
	}
	if next == "" || n == 0 {
		return n, 0, nil
	}
	if err = cohort().Where("EXISTS (?)", entered(next)).Count(&both).Error; err != nil {
		return 0, 0, fmt.Errorf("report.funnel reached: %w", err)
	}
	return n, both, nil
}

// closedSpan is a won opportunity's creation and closing.
type closedSpan struct {
	CreatedAt time.Time
	ClosedAt  time.Time
}

// outcomes counts the opportunities won and lost in the period and sums
// the whole seconds from creation to closing of the won ones.
func (s funnelStore) outcomes(ctx context.Context, a *authz.Actor, w window, pipelineID string) (won, lost, wonSeconds int64, err error) {
	var rows []struct {
		Status string
		N      int64
	}
	closed := func() *gorm.DB {
		return s.opps(ctx, a, w, pipelineID).Where("o.closed_at >= ? AND o.closed_at < ?", w.Start, w.End)
	}
	if err = closed().Where("o.status IN ?", []string{"won", "lost"}).Select("o.status AS status, COUNT(*) AS n").
		Group("o.status").Scan(&rows).Error; err != nil {
		return 0, 0, 0, fmt.Errorf("report.funnel outcomes: %w", err)
	}
	for _, r := range rows {
		if r.Status == "won" {
			won = r.N
		} else {
			lost = r.N
		}
	}
	// Date arithmetic differs between the databases; the won spans are
	// streamed and summed here instead.
	q := closed().Where("o.status = ?", "won").Select("o.created_at AS created_at, o.closed_at AS closed_at")
	rs, err := q.Rows()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("report.funnel cycle: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var c closedSpan
		if err = q.ScanRows(rs, &c); err != nil {
			return 0, 0, 0, fmt.Errorf("report.funnel cycle: %w", err)
		}
		wonSeconds += c.ClosedAt.Unix() - c.CreatedAt.Unix()
	}
	if err = rs.Err(); err != nil {
		return 0, 0, 0, fmt.Errorf("report.funnel cycle: %w", err)
	}
	return won, lost, wonSeconds, nil
}
