package team

import "time"

// TierResponse is one band of a commission plan.
type TierResponse struct {
	From string `json:"from" example:"100000.00"`
	// Upper bound (exclusive of the next tier); null on the last, open-ended tier.
	To   *string `json:"to" extensions:"x-nullable" example:"500000.00"`
	Rate string  `json:"rate" example:"0.05"`
} // @name CommissionTier

// CommissionPlanResponse is a commission plan as clients see it.
type CommissionPlanResponse struct {
	ID   string `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a90"`
	Name string `json:"name" example:"2026 华东销售提成"`
	// received_amount or won_amount.
	Basis   string         `json:"basis" example:"received_amount"`
	Tiers   []TierResponse `json:"tiers"`
	UserIDs []string       `json:"user_ids" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	// Teams the plan applies to, with their sub-teams.
	TeamIDs       []string  `json:"team_ids" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	Active        bool      `json:"active" example:"true"`
	EffectiveFrom string    `json:"effective_from" format:"date" example:"2026-01-01"`
	EffectiveTo   *string   `json:"effective_to" format:"date" extensions:"x-nullable" example:"2026-12-31"`
	CreatedBy     string    `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int       `json:"version" example:"1"`
} // @name CommissionPlan

// PlanView maps a plan to its response (and audit view).
func PlanView(p *Plan) CommissionPlanResponse {
	r := CommissionPlanResponse{ID: p.ID, Name: p.Name, Basis: p.Basis, Tiers: make([]TierResponse, len(p.Tiers)),
		UserIDs: nonNil(p.UserIDs), TeamIDs: nonNil(p.TeamIDs), Active: p.Active, EffectiveFrom: p.EffectiveFrom,
		EffectiveTo: p.EffectiveTo, CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		Version: p.Version}
	for i, t := range p.Tiers {
		r.Tiers[i] = TierResponse{From: t.From.String(), Rate: t.Rate.String()}
		if t.To != nil {
			s := t.To.String()
			r.Tiers[i].To = &s
		}
	}
	return r
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// CommissionPlanList is a page of commission plans.
type CommissionPlanList struct {
	Data       []CommissionPlanResponse `json:"data"`
	NextCursor string                   `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool                     `json:"has_more"`
	Total      *int64                   `json:"total,omitempty" extensions:"x-optional"`
} // @name CommissionPlanList

// TierRequest is one band in a plan request.
type TierRequest struct {
	// Money string; the first tier starts at "0.00", each next one at the previous to.
	From *string `json:"from" validate:"required" example:"100000.00"`
	// Money string greater than from; null (or absent) only on the last tier.
	To *string `json:"to" example:"500000.00"`
	// Decimal string 0–1, at most 4 places.
	Rate *string `json:"rate" validate:"required" example:"0.05"`
} // @name CommissionTierRequest

// CommissionPlanCreateRequest is the body of POST /commission-plans.
type CommissionPlanCreateRequest struct {
	Name string `json:"name" validate:"required" example:"2026 华东销售提成"`
	// received_amount or won_amount.
	Basis string        `json:"basis" validate:"required" example:"received_amount"`
	Tiers []TierRequest `json:"tiers" validate:"required"`
	// At least one user or team.
	UserIDs []string `json:"user_ids" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	TeamIDs []string `json:"team_ids" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	// Default true.
	Active        *bool   `json:"active" example:"true"`
	EffectiveFrom string  `json:"effective_from" validate:"required" example:"2026-01-01"`
	EffectiveTo   *string `json:"effective_to" example:"2026-12-31"`
} // @name CommissionPlanCreateRequest

// CommissionPlanUpdateRequest is the body of PATCH /commission-plans/{id};
// absent fields stay, tiers and the id lists are replaced whole,
// effective_to "" clears it.
type CommissionPlanUpdateRequest struct {
	Name          *string       `json:"name" example:"2026 华东销售提成"`
	Basis         *string       `json:"basis" example:"won_amount"`
	Tiers         []TierRequest `json:"tiers"`
	UserIDs       *[]string     `json:"user_ids"`
	TeamIDs       *[]string     `json:"team_ids"`
	Active        *bool         `json:"active" example:"false"`
	EffectiveFrom *string       `json:"effective_from" example:"2026-01-01"`
	EffectiveTo   *string       `json:"effective_to" example:"2026-12-31"`
} // @name CommissionPlanUpdateRequest
