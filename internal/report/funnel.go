package report

import (
	"context"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/shopspring/decimal"
)

// Funnel reports a pipeline (the default one for pipelineID "") over the
// query's period, within the caller's data scope and owner filters.
func (s *FunnelService) Funnel(ctx context.Context, pipelineID string, q FunnelQuery) (*FunnelReport, error) {
	if err := authz.Require(ctx, "reports:read"); err != nil {
		return nil, err
	}
	if _, err := uuid.Parse(pipelineID); pipelineID != "" && err != nil {
		return nil, badQuery("pipeline_id", "invalid_value")
	}
	w, err := s.resolve(ctx, q)
	if err != nil {
		return nil, err
	}
	st := funnelStore{db: s.db}
	p, stages, err := st.pipeline(ctx, pipelineID)
	if db.IsNotFound(err) {
		return nil, apperr.Invalid(apperr.FieldError{Field: "pipeline_id", Message: "unknown_ref", Params: []any{"pipeline"}})
	}
	if err != nil {
		return nil, err
	}
	a := authz.ActorFrom(ctx)
	next := nextStages(stages)
	var totals []stageTotals
	var won, lost, secs int64
	var reach map[string]stageReach
	err = sideBySide(ctx, func() (err error) {
		totals, won, lost, secs, err = st.totals(ctx, a, w, p.ID)
		return err
	}, func() (err error) {
		reach, err = st.reached(ctx, a, w, p.ID, stages, next)
		return err
	})
	if err != nil {
		return nil, err
	}
	byStage := make(map[string]stageTotals, len(totals))
	for _, t := range totals {
		byStage[t.StageID] = t
	}
	out := &FunnelReport{PipelineID: p.ID, PipelineName: p.Name, From: w.Start, To: w.End, Stages: []FunnelStage{}}
	for _, sg := range stages {
		t := byStage[sg.ID]
		fs := FunnelStage{StageID: sg.ID, Name: sg.Name, Kind: sg.Kind, Position: sg.Position,
			Probability: sg.Probability, Count: t.N, Amount: money.Amount(t.Amount), WeightedAmount: money.Amount(t.Weighted)}
		fs.Reached = reach[sg.ID].N
		if next[sg.ID] != "" {
			fs.ConversionRate = ratio(reach[sg.ID].Both, reach[sg.ID].N)
		}
		out.Stages = append(out.Stages, fs)
	}
	out.Won, out.Lost, out.WinRate = won, lost, ratio(won, won+lost)
	if won > 0 {
		d := decimal.NewFromInt(secs).DivRound(decimal.NewFromInt(won*86400), 4).StringFixed(4)
		out.AvgCycleDays = &d
	}
	return out, nil
}

// nextStages maps each open stage to the one a deal moves on to: the next
// open stage by position, after the last open one the won stage.
func nextStages(stages []funnelStage) map[string]string {
	var path []string
	won := ""
	for _, sg := range stages {
		switch sg.Kind {
		case "open":
			path = append(path, sg.ID)
		case "won":
			if won == "" {
				won = sg.ID
			}
		}
	}
	path = append(path, won)
	next := map[string]string{}
	for i := 0; i+1 < len(path); i++ {
		next[path[i]] = path[i+1]
	}
	return next
}

// ratio is n/d as a 4-place decimal string rounded half-up, nil for d = 0.
func ratio(n, d int64) *string {
	if d == 0 {
		return nil
	}
	r := decimal.NewFromInt(n).DivRound(decimal.NewFromInt(d), 4).StringFixed(4)
	return &r
}
