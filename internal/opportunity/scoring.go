package opportunity

import (
	"fmt"
	"math"
	"time"

	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/validate"
)

// Weights say how much each input counts; the score is the weighted mean
// of the inputs' points (each 0–100).
type Weights struct {
	CustomerSize    int `json:"customer_size" example:"15"`
	Potential       int `json:"potential" example:"15"`
	PurchaseHistory int `json:"purchase_history" example:"10"`
	Amount          int `json:"amount" example:"15"`
	Urgency         int `json:"urgency" example:"15"`
	Recency         int `json:"recency" example:"15"`
	Stage           int `json:"stage" example:"15"`
} // @name ScoringWeights

// CountBand gives points from a count upwards (the highest band whose min
// the count reaches applies; below the first, 0 points).
type CountBand struct {
	Min    int `json:"min" example:"1"`
	Points int `json:"points" example:"60"`
} // @name ScoringCountBand

// AmountBand gives points from an amount upwards.
type AmountBand struct {
	Min    money.Amount `json:"min" swaggertype:"string" example:"100000.00"`
	Points int          `json:"points" example:"60"`
} // @name ScoringAmountBand

// DayBand gives points up to a number of days (the first band whose
// max_days the days do not exceed applies; beyond the last, 0 points).
type DayBand struct {
	MaxDays int `json:"max_days" example:"30"`
	Points  int `json:"points" example:"100"`
} // @name ScoringDayBand

// Model is the scoring rule set. Stage points are the stage's probability.
type Model struct {
	Weights Weights `json:"weights"`
	// Points per customer size (large, medium, small); unset sizes score 0.
	SizePoints map[string]int `json:"size_points"`
	// Points per customer potential (high, medium, low).
	PotentialPoints map[string]int `json:"potential_points"`
	// By the number of the customer's other won opportunities.
	PurchaseHistory []CountBand `json:"purchase_history"`
	// By the opportunity's amount (budget).
	Amount []AmountBand `json:"amount"`
	// By days until the expected close date (past dates count as 0 days;
	// no date scores 0).
	Urgency []DayBand `json:"urgency"`
	// By days since the last activity (or since creation, without one).
	Recency []DayBand `json:"recency"`
} // @name ScoringModel

// DefaultModel is the model until an admin saves one.
func DefaultModel() Model {
	return Model{
		Weights:         Weights{CustomerSize: 15, Potential: 15, PurchaseHistory: 10, Amount: 15, Urgency: 15, Recency: 15, Stage: 15},
		SizePoints:      map[string]int{"large": 100, "medium": 60, "small": 30},
		PotentialPoints: map[string]int{"high": 100, "medium": 60, "low": 20},
		PurchaseHistory: []CountBand{{Min: 1, Points: 60}, {Min: 3, Points: 100}},
		Amount:          []AmountBand{{Min: 0, Points: 20}, {Min: 10_000_000, Points: 60}, {Min: 100_000_000, Points: 100}},
		Urgency:         []DayBand{{MaxDays: 30, Points: 100}, {MaxDays: 90, Points: 60}, {MaxDays: 180, Points: 30}},
		Recency:         []DayBand{{MaxDays: 7, Points: 100}, {MaxDays: 30, Points: 60}, {MaxDays: 90, Points: 20}},
	}
}

// normalized has empty lists and maps where m has none, so the model
// always reads back the same shape.
func (m Model) normalized() Model {
	if m.SizePoints == nil {
		m.SizePoints = map[string]int{}
	}
	if m.PotentialPoints == nil {
		m.PotentialPoints = map[string]int{}
	}
	if m.PurchaseHistory == nil {
		m.PurchaseHistory = []CountBand{}
	}
	if m.Amount == nil {
		m.Amount = []AmountBand{}
	}
	if m.Urgency == nil {
		m.Urgency = []DayBand{}
	}
	if m.Recency == nil {
		m.Recency = []DayBand{}
	}
	return m
}

// Inputs are what an opportunity's score depends on.
type Inputs struct {
	Size, Potential string
	WonCount        int64
	Amount          money.Amount
	ExpectedClose   *string
	LastActivity    *time.Time
	CreatedAt       time.Time
	Probability     int
}

// Score is the weighted mean of the inputs' points, rounded to 0–100.
func (m Model) Score(in Inputs, now time.Time) int {
	w := m.Weights
	total := w.CustomerSize + w.Potential + w.PurchaseHistory + w.Amount + w.Urgency + w.Recency + w.Stage
	if total == 0 {
		return 0
	}
	sum := w.CustomerSize*m.SizePoints[in.Size] + w.Potential*m.PotentialPoints[in.Potential] +
		w.PurchaseHistory*countPoints(m.PurchaseHistory, in.WonCount) + w.Amount*amountPoints(m.Amount, in.Amount) +
		w.Urgency*urgencyPoints(m.Urgency, in.ExpectedClose, now) +
		w.Recency*recencyPoints(m.Recency, in.LastActivity, in.CreatedAt, now) + w.Stage*in.Probability
	return int(math.Round(float64(sum) / float64(total)))
}

func countPoints(bands []CountBand, n int64) int {
	p := 0
	for _, b := range bands {
		if n >= int64(b.Min) {
			p = b.Points
		}
	}
	return p
}

func amountPoints(bands []AmountBand, a money.Amount) int {
	p := 0
	for _, b := range bands {
		if a >= b.Min {
			p = b.Points
		}
	}
	return p
}

func dayPoints(bands []DayBand, days int) int {
	for _, b := range bands {
		if days <= b.MaxDays {
			return b.Points
		}
	}
	return 0
}

// urgencyPoints scores the days left until the expected close date.
func urgencyPoints(bands []DayBand, date *string, now time.Time) int {
	if date == nil {
		return 0
	}
	d, err := time.Parse(time.DateOnly, *date)
	if err != nil {
		return 0
	}
	today := now.UTC().Truncate(24 * time.Hour)
	return dayPoints(bands, max(0, int(d.Sub(today).Hours()/24)))
}

// recencyPoints scores the days since the last activity, else creation.
func recencyPoints(bands []DayBand, last *time.Time, created, now time.Time) int {
	since := created
	if last != nil {
		since = *last
	}
	return dayPoints(bands, max(0, int(now.Sub(since).Hours()/24)))
}

// Validate checks a model: weights and points within range, weights adding
// up to more than 0, bands in strictly ascending order, known sizes and
// potentials.
func (m Model) Validate() error {
	var v validate.V
	w := m.Weights
	ws := map[string]int{"customer_size": w.CustomerSize, "potential": w.Potential,
		"purchase_history": w.PurchaseHistory, "amount": w.Amount, "urgency": w.Urgency, "recency": w.Recency,
		"stage": w.Stage}
	total := 0
	for k, x := range ws {
		if x < 0 || x > 1000 {
			v.Add("weights."+k, "out_of_range", 0, 1000)
		}
		total += x
	}
	if total <= 0 {
		v.Add("weights", "weights_sum")
	}
	points := func(field string, p int) {
		if p < 0 || p > 100 {
			v.Add(field, "out_of_range", 0, 100)
		}
	}
	for _, pm := range []struct {
		field   string
		m       map[string]int
		allowed []string
	}{{"size_points", m.SizePoints, []string{"large", "medium", "small"}},
		{"potential_points", m.PotentialPoints, []string{"high", "medium", "low"}}} {
		for k, p := range pm.m {
			v.OneOf(pm.field, k, pm.allowed...)
			points(pm.field+"."+k, p)
		}
	}
	for i, b := range m.PurchaseHistory {
		points(fmt.Sprintf("purchase_history[%d].points", i), b.Points)
		if b.Min < 0 || (i > 0 && b.Min <= m.PurchaseHistory[i-1].Min) {
			v.Add(fmt.Sprintf("purchase_history[%d].min", i), "bands_order")
		}
	}
	for i, b := range m.Amount {
		points(fmt.Sprintf("amount[%d].points", i), b.Points)
		if b.Min < 0 || b.Min > money.Max || (i > 0 && b.Min <= m.Amount[i-1].Min) {
			v.Add(fmt.Sprintf("amount[%d].min", i), "bands_order")
		}
	}
	for _, db := range []struct {
		field string
		bands []DayBand
	}{{"urgency", m.Urgency}, {"recency", m.Recency}} {
		for i, b := range db.bands {
			points(fmt.Sprintf("%s[%d].points", db.field, i), b.Points)
			if b.MaxDays < 0 || (i > 0 && b.MaxDays <= db.bands[i-1].MaxDays) {
				v.Add(fmt.Sprintf("%s[%d].max_days", db.field, i), "bands_order")
			}
		}
	}
	for _, l := range []int{len(m.PurchaseHistory), len(m.Amount), len(m.Urgency), len(m.Recency)} {
		if l > 20 {
			v.Add("bands", "too_many", 20)
			break
		}
	}
	return v.Err()
}
