package report

import (
	"context"
	"fmt"
	"strconv"

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
// and lost ones closed in the period by theirs, with the outcomes: won and
// lost counts and the won ones' whole seconds from creation to closing.
// Weighting is per opportunity, amount × probability / 100 rounded half-up
// (amounts are never negative). The open deals come from
// rollup_funnel_open, the closed ones from rollup_funnel_closed's months
// and the table's slices at the ends of the period (monthSpan), read side
// by side (migration v0021 keeps both with the deals).
func (s funnelStore) totals(ctx context.Context, a *authz.Actor, w window, pipelineID string) (out []stageTotals,
	won, lost, wonSeconds int64, err error) {
	type closedRow struct {
		StageID, Status           string
		N, Amount, Weighted, Secs int64
	}
	sp := monthSpanOf(Range{Start: w.Start, End: w.End})
	closed := make([][]closedRow, len(sp.Slices)+1)
	signs := []int64{1}
	reads := []func() error{func() error {
		if err := s.db.Conn(ctx).Table("rollup_funnel_open AS r").Where("r.pipeline_id = ?", pipelineID).
			Scopes(w.owners(a, "r.owner_id")).
			Select("r.stage_id AS stage_id, SUM(r.n) AS n, SUM(r.amount) AS amount, SUM(r.weighted) AS weighted").
			Group("r.stage_id").Scan(&out).Error; err != nil {
			return fmt.Errorf("report.funnel open: %w", err)
		}
		return nil
	}}
	if sp.First != "" {
		reads = append(reads, func() error {
			if err := s.db.Conn(ctx).Table("rollup_funnel_closed AS r").
				Where("r.pipeline_id = ? AND r.month >= ? AND r.month < ?", pipelineID, sp.First, sp.Last).
				Scopes(w.owners(a, "r.owner_id")).
				Select("r.stage_id AS stage_id, r.status AS status, SUM(r.n) AS n, SUM(r.amount) AS amount, " +
					"SUM(r.weighted) AS weighted, SUM(r.secs) AS secs").
				Group("r.stage_id, r.status").Scan(&closed[0]).Error; err != nil {
				return fmt.Errorf("report.funnel closed: %w", err)
			}
			return nil
		})
	}
	// Whole seconds from creation to closing, each end floored to its
	// second, summed in SQL (as the rollup sums them).
	span := "CAST(floor(date_part('epoch', o.closed_at)) AS BIGINT) - CAST(floor(date_part('epoch', o.created_at)) AS BIGINT)"
	if s.db.Dialect() != db.Postgres {
		span = db.SQLiteUnixSeconds("o.closed_at") + " - " + db.SQLiteUnixSeconds("o.created_at")
	}
	for i, sl := range sp.Slices {
		signs = append(signs, sl.Sign)
		reads = append(reads, func() error {
			if err := s.opps(ctx, a, w, pipelineID).Joins("JOIN pipeline_stages s ON s.id = o.stage_id").
				// Statuses follow stage kinds (open, won, lost): IN keeps both
				// index ranges tight where <> 'open' would scan the whole index.
				Where("o.status IN ? AND o.closed_at >= ? AND o.closed_at < ?", []string{"won", "lost"}, sl.Start, sl.End).
				Select("o.stage_id AS stage_id, o.status AS status, COUNT(*) AS n, COALESCE(SUM(o.amount), 0) AS amount, " +
					"COALESCE(SUM((o.amount * s.probability + 50) / 100), 0) AS weighted, " +
					"CAST(COALESCE(SUM(" + span + "), 0) AS BIGINT) AS secs").
				Group("o.stage_id, o.status").Scan(&closed[i+1]).Error; err != nil {
				return fmt.Errorf("report.funnel closed: %w", err)
			}
			return nil
		})
	}
	if err = sideBySide(ctx, reads...); err != nil {
		return nil, 0, 0, 0, err
	}
	at := map[string]int{}
	for i, t := range out {
		at[t.StageID] = i
	}
	for part, rows := range closed {
		sign := signs[part]
		for _, c := range rows {
			i, ok := at[c.StageID]
			if !ok {
				i = len(out)
				at[c.StageID] = i
				out = append(out, stageTotals{StageID: c.StageID})
			}
			out[i].N += sign * c.N
			out[i].Amount += sign * c.Amount
			out[i].Weighted += sign * c.Weighted
			switch c.Status {
			case "won":
				won += sign * c.N
				wonSeconds += sign * c.Secs
			case "lost":
				lost += sign * c.N
			}
		}
	}
	return out, won, lost, wonSeconds, nil
}

// stageReach is, per stage, how many opportunities of the cohort (created
// in the period) ever entered it, and of those how many also entered the
// stage next to it.
type stageReach struct{ N, Both int64 }

// reached computes stageReach for every stage in one grouped query: each
// cohort opportunity's entered stages become a bit mask (bit i for
// stages[i]) summed in SQL, and the few distinct masks are counted here,
// instead of two EXISTS counts per stage over the whole cohort.
func (s funnelStore) reached(ctx context.Context, a *authz.Actor, w window, pipelineID string, stages []funnelStage,
	next map[string]string) (map[string]stageReach, error) {
	out := map[string]stageReach{}
	if len(stages) == 0 {
		return out, nil
	}
	if len(stages) > 62 {
		return nil, fmt.Errorf("report.funnel reached: %d stages do not fit a mask", len(stages))
	}
	if out, ok, err := s.reachedFromMasks(ctx, a, w, pipelineID, stages, next); err != nil || ok {
		return out, err
	}
	bit := map[string]int64{}
	expr := "CASE e.stage_id"
	args := []any{}
	for i, sg := range stages {
		bit[sg.ID] = 1 << i
		expr += " WHEN ? THEN " + strconv.FormatInt(1<<i, 10)
		args = append(args, sg.ID)
	}
	expr += " ELSE 0 END"
	inner := s.opps(ctx, a, w, pipelineID).Joins("JOIN opportunity_stage_entries e ON e.opportunity_id = o.id").
		Where("o.created_at >= ? AND o.created_at < ?", w.Start, w.End).
		Select("o.id AS id, SUM(DISTINCT "+expr+") AS mask", args...).Group("o.id")
	var rows []struct{ Mask, N int64 }
	if err := s.db.Conn(ctx).Table("(?) AS m", inner).Select("m.mask AS mask, COUNT(*) AS n").Group("m.mask").
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("report.funnel reached: %w", err)
	}
	for _, sg := range stages {
		var r stageReach
		for _, m := range rows {
			if m.Mask&bit[sg.ID] == 0 {
				continue
			}
			r.N += m.N
			if nx := next[sg.ID]; nx != "" && m.Mask&bit[nx] != 0 {
				r.Both += m.N
			}
		}
		out[sg.ID] = r
	}
	return out, nil
}

// reachedFromMasks is reached from opportunities.reached_stages (kept by
// the v0019 triggers): one pass over the cohort's covering index, grouped
// by mask. ok is false when a stage has no usable bit (a pipeline past 63
// stage creations); reached then joins the stage history instead.
func (s funnelStore) reachedFromMasks(ctx context.Context, a *authz.Actor, w window, pipelineID string,
	stages []funnelStage, next map[string]string) (map[string]stageReach, bool, error) {
	var bits []struct {
		StageID string
		Bit     int
	}
	if err := s.db.Conn(ctx).Table("pipeline_stage_bits").Select("stage_id, bit").
		Where("pipeline_id = ?", pipelineID).Scan(&bits).Error; err != nil {
		return nil, false, fmt.Errorf("report.funnel bits: %w", err)
	}
	bit := map[string]int64{}
	for _, b := range bits {
		if b.Bit >= 0 && b.Bit < 63 {
			bit[b.StageID] = 1 << b.Bit
		}
	}
	for _, sg := range stages {
		if bit[sg.ID] == 0 {
			return nil, false, nil
		}
	}
	rows, err := s.cohortMasks(ctx, a, w, pipelineID)
	if err != nil {
		return nil, false, err
	}
	out := map[string]stageReach{}
	for _, sg := range stages {
		var r stageReach
		for _, m := range rows {
			if m.Mask&bit[sg.ID] == 0 {
				continue
			}
			r.N += m.N
			if nx := next[sg.ID]; nx != "" && m.Mask&bit[nx] != 0 {
				r.Both += m.N
			}
		}
		out[sg.ID] = r
	}
	return out, true, nil
}

type maskCount struct{ Mask, N int64 }

// cohortMasks counts the deals created in the period by the mask of
// stages they entered: rollup_funnel_cohort's months and the table's
// slices at the ends (monthSpan), side by side, netted per mask.
func (s funnelStore) cohortMasks(ctx context.Context, a *authz.Actor, w window, pipelineID string) ([]maskCount, error) {
	sp := monthSpanOf(Range{Start: w.Start, End: w.End})
	parts := make([][]maskCount, len(sp.Slices)+1)
	signs := []int64{1}
	var reads []func() error
	if sp.First != "" {
		reads = append(reads, func() error {
			return s.db.Conn(ctx).Table("rollup_funnel_cohort AS r").
				Where("r.pipeline_id = ? AND r.month >= ? AND r.month < ?", pipelineID, sp.First, sp.Last).
				Scopes(w.owners(a, "r.owner_id")).Select("r.mask AS mask, SUM(r.n) AS n").Group("r.mask").Scan(&parts[0]).Error
		})
	}
	for i, sl := range sp.Slices {
		signs = append(signs, sl.Sign)
		reads = append(reads, func() error {
			return s.opps(ctx, a, w, pipelineID).Where("o.created_at >= ? AND o.created_at < ?", sl.Start, sl.End).
				Select("o.reached_stages AS mask, COUNT(*) AS n").Group("o.reached_stages").Scan(&parts[i+1]).Error
		})
	}
	if err := sideBySide(ctx, reads...); err != nil {
		return nil, fmt.Errorf("report.funnel reached: %w", err)
	}
	sum := map[int64]int64{}
	for i, rows := range parts {
		for _, r := range rows {
			sum[r.Mask] += signs[i] * r.N
		}
	}
	out := make([]maskCount, 0, len(sum))
	for m, n := range sum {
		out = append(out, maskCount{m, n})
	}
	return out, nil
}
