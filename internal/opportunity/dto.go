package opportunity

import (
	"time"

	"github.com/opencrm/crm/internal/platform/money"
)

// LineResponse is a product on an opportunity.
type LineResponse struct {
	ProductID       string       `json:"product_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a90"`
	Quantity        string       `json:"quantity" example:"10"`
	UnitPrice       money.Amount `json:"unit_price" swaggertype:"string" example:"1200.00"`
	DiscountPercent string       `json:"discount_percent" example:"5"`
	// quantity × unit_price × (1 − discount_percent/100), rounded half-up
	// to the cent.
	LineTotal money.Amount `json:"line_total" swaggertype:"string" example:"11400.00"`
} // @name OpportunityProduct

// OpportunityResponse is an opportunity as clients see it.
type OpportunityResponse struct {
	ID                string         `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a80"`
	Name              string         `json:"name" example:"恒达精密 2027 年产线改造"`
	CustomerID        string         `json:"customer_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	ContactID         *string        `json:"contact_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a72"`
	PipelineID        string         `json:"pipeline_id" example:"0193a2b4-0000-7000-8000-000000000001"`
	StageID           string         `json:"stage_id" example:"0193a2b4-0000-7000-8000-000000000101"`
	Amount            money.Amount   `json:"amount" swaggertype:"string" example:"120000.00"`
	Currency          string         `json:"currency" example:"CNY"`
	ExpectedCloseDate *string        `json:"expected_close_date" extensions:"x-nullable" example:"2026-12-31"`
	Source            string         `json:"source" example:"exhibition"`
	CompetitorIDs     []string       `json:"competitor_ids"`
	Products          []LineResponse `json:"products"`
	Strategy          string         `json:"strategy" example:"先拿下技术部认可，再约采购总监。"`
	OwnerID           string         `json:"owner_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	// 0–100, from the scoring model.
	Score            int        `json:"score" example:"72"`
	Status           string     `json:"status" enums:"open,won,lost" example:"open"`
	StageEnteredAt   time.Time  `json:"stage_entered_at"`
	StageOverdue     bool       `json:"stage_overdue" example:"false"`
	ClosedAt         *time.Time `json:"closed_at" extensions:"x-nullable"`
	LostReason       string     `json:"lost_reason" example:""`
	LostCompetitorID *string    `json:"lost_competitor_id" extensions:"x-nullable"`
	LastActivityAt   *time.Time `json:"last_activity_at" extensions:"x-nullable"`
	CreatedBy        string     `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	Version          int        `json:"version" example:"1"`
} // @name Opportunity

// View maps an opportunity to its response.
func View(o *Opportunity) OpportunityResponse {
	comps := o.CompetitorIDs
	if comps == nil {
		comps = []string{}
	}
	lines := make([]LineResponse, len(o.Lines))
	for i, l := range o.Lines {
		lines[i] = LineResponse{ProductID: l.ProductID, Quantity: l.Quantity, UnitPrice: l.UnitPrice,
			DiscountPercent: l.DiscountPercent, LineTotal: l.LineTotal}
	}
	return OpportunityResponse{ID: o.ID, Name: o.Name, CustomerID: o.CustomerID, ContactID: o.ContactID,
		PipelineID: o.PipelineID, StageID: o.StageID, Amount: o.Amount, Currency: o.Currency,
		ExpectedCloseDate: o.ExpectedCloseDate, Source: o.Source, CompetitorIDs: comps, Products: lines,
		Strategy: o.Strategy, OwnerID: o.OwnerID, Score: o.Score, Status: o.Status, StageEnteredAt: o.StageEnteredAt,
		StageOverdue: o.StageOverdue, ClosedAt: o.ClosedAt, LostReason: o.LostReason,
		LostCompetitorID: o.LostCompetitorID, LastActivityAt: o.LastActivityAt, CreatedBy: o.CreatedBy,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Version: o.Version}
}

// OpportunityList is a page of opportunities.
type OpportunityList struct {
	Data       []OpportunityResponse `json:"data"`
	NextCursor string                `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool                  `json:"has_more"`
	Total      *int64                `json:"total,omitempty" extensions:"x-optional"`
} // @name OpportunityList

// LineRequest is a product line in a write. discount_percent defaults to 0.
type LineRequest struct {
	ProductID       string  `json:"product_id" validate:"required" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a90"`
	Quantity        string  `json:"quantity" validate:"required" example:"10"`
	UnitPrice       string  `json:"unit_price" validate:"required" example:"1200.00"`
	DiscountPercent *string `json:"discount_percent" example:"5"`
} // @name OpportunityProductRequest

// OpportunityCreateRequest is the body of POST /opportunities.
type OpportunityCreateRequest struct {
	Name       string  `json:"name" validate:"required" example:"恒达精密 2027 年产线改造"`
	CustomerID string  `json:"customer_id" validate:"required" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	ContactID  *string `json:"contact_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a72"`
	PipelineID *string `json:"pipeline_id" example:"0193a2b4-0000-7000-8000-000000000001"`
	StageID    *string `json:"stage_id" example:"0193a2b4-0000-7000-8000-000000000101"`
	// Decimal string; when absent and products are given, their sum.
	Amount            *string       `json:"amount" example:"120000.00"`
	Currency          string        `json:"currency" example:"CNY"`
	ExpectedCloseDate *string       `json:"expected_close_date" example:"2026-12-31"`
	Source            string        `json:"source" enums:"web_form,phone,import,exhibition,referral,api,manual,other" example:"exhibition"`
	CompetitorIDs     []string      `json:"competitor_ids"`
	Products          []LineRequest `json:"products"`
	Strategy          string        `json:"strategy" example:"先拿下技术部认可，再约采购总监。"`
	OwnerID           *string       `json:"owner_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
} // @name OpportunityCreateRequest

// OpportunityUpdateRequest is the body of PATCH /opportunities/{id};
// absent fields stay. The stage moves through the stage, win, lose and
// reopen actions; the customer and pipeline do not change.
type OpportunityUpdateRequest struct {
	Name      *string `json:"name" example:"恒达精密 2027 年产线改造（一期）"`
	ContactID *string `json:"contact_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a72"`
	// Decimal string; when absent and products are given, their sum.
	Amount            *string        `json:"amount" example:"150000.00"`
	Currency          *string        `json:"currency" example:"CNY"`
	ExpectedCloseDate *string        `json:"expected_close_date" example:"2027-01-31"`
	Source            *string        `json:"source" enums:"web_form,phone,import,exhibition,referral,api,manual,other" example:"referral"`
	CompetitorIDs     *[]string      `json:"competitor_ids"`
	Products          *[]LineRequest `json:"products"`
	Strategy          *string        `json:"strategy" example:"技术部已认可，重点攻关采购总监。"`
	OwnerID           *string        `json:"owner_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
} // @name OpportunityUpdateRequest

// StageMoveRequest is the body of POST /opportunities/{id}/stage.
type StageMoveRequest struct {
	StageID string `json:"stage_id" validate:"required" example:"0193a2b4-0000-7000-8000-000000000102"`
	Note    string `json:"note" example:"需求确认完毕，进入方案阶段"`
} // @name OpportunityStageMoveRequest

// WinRequest is the body of POST /opportunities/{id}/win.
type WinRequest struct {
	// The final amount (decimal string); absent keeps the current one.
	Amount *string `json:"amount" example:"118000.00"`
	Note   string  `json:"note" example:"合同已签"`
} // @name OpportunityWinRequest

// LoseRequest is the body of POST /opportunities/{id}/lose.
type LoseRequest struct {
	Reason       string  `json:"reason" validate:"required" example:"价格高于竞争对手 15%"`
	CompetitorID *string `json:"competitor_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5aa0"`
} // @name OpportunityLoseRequest

// ReopenRequest is the body of POST /opportunities/{id}/reopen.
type ReopenRequest struct {
	// An open stage of the pipeline; absent: the last open stage it was in.
	StageID *string `json:"stage_id" example:"0193a2b4-0000-7000-8000-000000000103"`
	Note    string  `json:"note" example:"客户重新启动采购"`
} // @name OpportunityReopenRequest

// StageEntryResponse is one stay in a stage.
type StageEntryResponse struct {
	ID        string     `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5ab0"`
	StageID   string     `json:"stage_id" example:"0193a2b4-0000-7000-8000-000000000101"`
	StageName string     `json:"stage_name" example:"需求调研"`
	Kind      string     `json:"kind" enums:"open,won,lost" example:"open"`
	EnteredAt time.Time  `json:"entered_at"`
	LeftAt    *time.Time `json:"left_at" extensions:"x-nullable"`
	// Time spent in the stage, up to now for the current one.
	DurationSeconds int64  `json:"duration_seconds" example:"259200"`
	EnteredBy       string `json:"entered_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	Note            string `json:"note" example:"需求确认完毕，进入方案阶段"`
} // @name OpportunityStageEntry

// StageHistory is an opportunity's stage history, oldest first.
type StageHistory struct {
	Data []StageEntryResponse `json:"data"`
} // @name OpportunityStageHistory

// StrategyChangeResponse is one version of the strategy notes.
type StrategyChangeResponse struct {
	Strategy  string    `json:"strategy" example:"先拿下技术部认可，再约采购总监。"`
	ChangedBy string    `json:"changed_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	ChangedAt time.Time `json:"changed_at"`
} // @name OpportunityStrategyChange

// StrategyHistory is an opportunity's strategy versions, oldest first.
type StrategyHistory struct {
	Data []StrategyChangeResponse `json:"data"`
} // @name OpportunityStrategyHistory
