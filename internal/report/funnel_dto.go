package report

import (
	"time"

	"github.com/opencrm/crm/internal/platform/money"
)

// FunnelReport is the pipeline funnel over a period.
type FunnelReport struct {
	PipelineID   string `json:"pipeline_id" example:"0193a2b4-0000-7000-8000-000000000001"`
	PipelineName string `json:"pipeline_name" example:"默认销售流程"`
	// From and To bound the period: From included, To excluded (UTC
	// instants of the organisation's calendar).
	From   time.Time     `json:"from" example:"2026-10-31T16:00:00Z"`
	To     time.Time     `json:"to" example:"2026-11-30T16:00:00Z"`
	Stages []FunnelStage `json:"stages"`
	Won    int64         `json:"won" example:"12"`
	Lost   int64         `json:"lost" example:"8"`
	// WinRate is won / (won + lost) closed in the period; null with none closed.
	WinRate *string `json:"win_rate" extensions:"x-nullable" example:"0.6000"`
	// AvgCycleDays is the mean of closed_at − created_at of the ones won in
	// the period, in days; null with none won.
	AvgCycleDays *string `json:"avg_cycle_days" extensions:"x-nullable" example:"37.2500"`
} // @name FunnelReport

// FunnelStage is one stage of the funnel.
type FunnelStage struct {
	StageID     string `json:"stage_id" example:"0193a2b4-0000-7000-8000-000000000101"`
	Name        string `json:"name" example:"需求调研"`
	Kind        string `json:"kind" enums:"open,won,lost" example:"open"`
	Position    int    `json:"position" example:"1"`
	Probability int    `json:"probability" example:"20"`
	// Count, Amount and WeightedAmount: open stages the opportunities in
	// them now; won and lost stages those closed in the period.
	Count          int64        `json:"count" example:"30"`
	Amount         money.Amount `json:"amount" swaggertype:"string" example:"360000.00"`
	WeightedAmount money.Amount `json:"weighted_amount" swaggertype:"string" example:"72000.00"`
	// Reached is how many opportunities created in the period ever entered
	// the stage.
	Reached int64 `json:"reached" example:"25"`
	// ConversionRate is the share of those that reached this stage which
	// also reached the next one (the next open stage, after the last open
	// stage the won stage); null for won and lost stages and when none
	// reached this one.
	ConversionRate *string `json:"conversion_rate" extensions:"x-nullable" example:"0.4800"`
} // @name FunnelStage

// LeadConversionReport is the lead conversion of a period, grouped.
type LeadConversionReport struct {
	GroupBy string              `json:"group_by" enums:"source,region,owner" example:"source"`
	From    time.Time           `json:"from" example:"2026-10-31T16:00:00Z"`
	To      time.Time           `json:"to" example:"2026-11-30T16:00:00Z"`
	Groups  []LeadConversionRow `json:"groups"`
	Total   LeadConversionRow   `json:"total"`
} // @name LeadConversionReport

// LeadConversionRow is one group (or the total) of the lead conversion.
type LeadConversionRow struct {
	// Key is the source, the region or the owner's user id ("" for leads
	// without one); Label is the owner's name for group_by=owner, else Key.
	Key           string `json:"key" example:"web_form"`
	Label         string `json:"label" example:"web_form"`
	Leads         int64  `json:"leads" example:"120"`
	Converted     int64  `json:"converted" example:"30"`
	Opportunities int64  `json:"opportunities" example:"24"`
	Won           int64  `json:"won" example:"9"`
	// ConversionRate is converted / leads; null with no leads.
	ConversionRate *string `json:"conversion_rate" extensions:"x-nullable" example:"0.2500"`
	// WinRate is won / opportunities; null with no opportunities.
	WinRate *string `json:"win_rate" extensions:"x-nullable" example:"0.3750"`
} // @name LeadConversionRow
