package team

import (
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/shopspring/decimal"
)

// Tier is one band of a progressive commission plan: Rate applies to the
// part of the basis from From up to To (nil: no upper bound).
type Tier struct {
	From money.Amount    `json:"from"`
	To   *money.Amount   `json:"to"`
	Rate decimal.Decimal `json:"rate"`
}

// TierAmount is one tier's share of a commission: the part of the basis
// inside the tier and the commission on it.
type TierAmount struct {
	Tier
	Base       money.Amount
	Commission money.Amount
}

// Commission applies tiers progressively to basis, as income tax brackets
// work: each tier's rate applies only to the part of the basis inside it.
// Each tier's amount is rounded half-up to the cent and the total is the
// sum of the rounded amounts, so the breakdown always adds up to the total.
// tiers must be valid (contiguous from 0, ascending, the last open-ended);
// a basis of zero or less earns nothing. The breakdown has one entry per
// tier, in order, including tiers the basis does not reach.
func Commission(tiers []Tier, basis money.Amount) (total money.Amount, breakdown []TierAmount) {
	breakdown = make([]TierAmount, len(tiers))
	for i, t := range tiers {
		breakdown[i].Tier = t
		if basis <= t.From {
			continue
		}
		top := basis
		if t.To != nil && *t.To < top {
			top = *t.To
		}
		breakdown[i].Base = top - t.From
		breakdown[i].Commission = breakdown[i].Base.MulRate(t.Rate)
		total += breakdown[i].Commission
	}
	return total, breakdown
}
