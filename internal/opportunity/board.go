package opportunity

import (
	"context"
	"fmt"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/paging"
)

// BoardColumn is one stage of the board.
type BoardColumn struct {
	Stage StageResponse `json:"stage"`
	Count int64         `json:"count" example:"12"`
	// Sum of the amounts (currencies are not converted: filter by currency
	// for a single-currency total).
	Amount money.Amount `json:"amount" swaggertype:"string" example:"1450000.00"`
	// Sum over the opportunities of amount × probability / 100, each
	// rounded half-up to the cent.
	WeightedAmount money.Amount `json:"weighted_amount" swaggertype:"string" example:"435000.00"`
	// The first page by score, highest first; continue with GET
	// /opportunities?stage_id=…&sort=-score&cursor=next_cursor.
	Items      []OpportunityResponse `json:"items"`
	NextCursor string                `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool                  `json:"has_more"`
} // @name OpportunityBoardColumn

// Board is a pipeline's stages with their opportunities in the caller's
// scope.
type Board struct {
	PipelineID string        `json:"pipeline_id" example:"0193a2b4-0000-7000-8000-000000000001"`
	Columns    []BoardColumn `json:"columns"`
} // @name OpportunityBoard

// Board sums and lists the opportunities in the caller's scope per stage
// of a pipeline (the default one when pipelineID is empty).
func (s *Service) Board(ctx context.Context, pipelineID string, f Filter, teamID string, limit int) (Board, error) {
	if err := authz.Require(ctx, "opportunities:read"); err != nil {
		return Board{}, err
	}
	a := authz.ActorFrom(ctx)
	var err error
	if f, err = s.resolveFilter(ctx, f, teamID); err != nil {
		return Board{}, err
	}
	q, err := oppSpec.Parse(paging.Request{Limit: limit, Sort: "-score"})
	if err != nil {
		return Board{}, err
	}
	p, err := s.pipelineFor(ctx, pipelineID)
	if err != nil {
		return Board{}, err
	}
	f.PipelineID, f.StageID = p.ID, ""
	var sums []struct {
		StageID  string
		Count    int64
		Amount   int64
		Weighted int64
	}
	// amount × probability is whole minor units × percent; adding 50
	// before the integer division by 100 rounds half-up (amounts are never
	// negative).
	err = s.store.Query(ctx, a, f).
		Select(`opportunities.stage_id, COUNT(*) AS count, COALESCE(SUM(opportunities.amount), 0) AS amount,
			COALESCE(SUM((opportunities.amount * pipeline_stages.probability + 50) / 100), 0) AS weighted`).
		Joins("JOIN pipeline_stages ON pipeline_stages.id = opportunities.stage_id").
		Group("opportunities.stage_id").Scan(&sums).Error
	if err != nil {
		return Board{}, fmt.Errorf("opportunity.board: %w", err)
	}
	out := Board{PipelineID: p.ID, Columns: make([]BoardColumn, len(p.Stages))}
	view := PipelineView(p)
	for i, st := range p.Stages {
		col := BoardColumn{Stage: view.Stages[i], Items: []OpportunityResponse{}}
		for _, x := range sums {
			if x.StageID == st.ID {
				col.Count, col.Amount, col.WeightedAmount = x.Count, money.Amount(x.Amount), money.Amount(x.Weighted)
			}
		}
		if col.Count > 0 {
			sf := f
			sf.StageID = st.ID
			page, err := q.Fetch(s.store.Query(ctx, a, sf))
			if err != nil {
				return Board{}, fmt.Errorf("opportunity.board: %w", err)
			}
			if err := s.store.withDetails(ctx, page.Data); err != nil {
				return Board{}, err
			}
			for j := range page.Data {
				col.Items = append(col.Items, View(&page.Data[j]))
			}
			col.NextCursor, col.HasMore = page.NextCursor, page.HasMore
		}
		out.Columns[i] = col
	}
	return out, nil
}
