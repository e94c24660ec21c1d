package team

import (
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/validate"
)

// Subject types of a target.
const (
	SubjectUser = "user"
	SubjectTeam = "team"
)

// Metrics a target can be set on (definitions in the OpenAPI description
// of POST /targets).
var (
	amountMetrics = []string{"won_amount", "received_amount"}
	countMetrics  = []string{"new_customers", "orders_count", "activities_count"}
	// Metrics lists every metric.
	Metrics = append(slices.Clone(amountMetrics), countMetrics...)
)

// maxCount bounds a count target: far beyond any real quota, well inside
// int64 sums.
const maxCount = 1_000_000_000

// Target is a quota for one user or team, period and metric.
type Target struct {
	ID          string
	SubjectType string
	SubjectID   string
	Period      string
	PeriodKind  string
	StartsAt    time.Time
	EndsAt      time.Time
	Metric      string
	// Value is minor units for the amount metrics, a count for the others.
	Value     int64
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// TableName pins the table.
func (Target) TableName() string { return "targets" }

// CurrentVersion is the version as read (record.Versioned).
func (t *Target) CurrentVersion() int { return t.Version }

// Touch moves the target to its next version, changed at now.
func (t *Target) Touch(now time.Time) { t.Version++; t.UpdatedAt = now }

// IsAmount reports a metric measured in money.
func IsAmount(metric string) bool { return slices.Contains(amountMetrics, metric) }

// FormatValue is the value as clients see it: "1200000.00" for amounts,
// "30" for counts.
func FormatValue(metric string, v int64) string {
	if IsAmount(metric) {
		return money.Amount(v).String()
	}
	return strconv.FormatInt(v, 10)
}

var countRe = regexp.MustCompile(`^-?[0-9]+$`)

// parseValue reads a target value by its metric: a money string for the
// amount metrics, a non-negative integer string for the counts.
func parseValue(v *validate.V, metric string, s *string) (int64, bool) {
	if s == nil {
		v.Add("value", "required")
		return 0, false
	}
	if IsAmount(metric) {
		a, ok := v.Money("value", s, false)
		return int64(a), ok
	}
	if !countRe.MatchString(*s) {
		v.Add("value", "must_be_integer")
		return 0, false
	}
	n, err := strconv.ParseInt(*s, 10, 64)
	switch {
	case err != nil || n > maxCount:
		v.Add("value", "out_of_range", 0, maxCount)
		return 0, false
	case n < 0:
		v.Add("value", "negative")
		return 0, false
	}
	return n, true
}
