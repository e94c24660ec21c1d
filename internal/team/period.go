package team

import (
	"errors"
	"regexp"
	"strconv"
	"time"
)

// Period kinds.
const (
	PeriodMonth   = "month"
	PeriodQuarter = "quarter"
	PeriodYear    = "year"
)

// Period is a calendar month, quarter or year in the organisation's time
// zone. Start is inclusive and End exclusive; both are the UTC instants of
// local midnights, so "created_at >= Start AND created_at < End" selects
// the period from UTC timestamps.
type Period struct {
	Kind  string
	Key   string // canonical: "2026-11", "2026-Q4", "2026"
	Start time.Time
	End   time.Time
}

// ErrPeriod is a period string that is none of the three forms.
var ErrPeriod = errors.New("invalid period")

var (
	monthRe   = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})$`)
	quarterRe = regexp.MustCompile(`^([0-9]{4})-Q([1-4])$`)
	yearRe    = regexp.MustCompile(`^([0-9]{4})$`)
)

// ParsePeriod reads "2026-11", "2026-Q4" or "2026" strictly (no spaces, a
// capital Q, two-digit months, years 1970–9999) and cuts it in loc.
func ParsePeriod(s string, loc *time.Location) (Period, error) {
	var (
		p             Period
		year, month   int
		months        int
		yearS, monthS string
	)
	switch {
	case monthRe.MatchString(s):
		m := monthRe.FindStringSubmatch(s)
		yearS, monthS, months, p.Kind = m[1], m[2], 1, PeriodMonth
	case quarterRe.MatchString(s):
		m := quarterRe.FindStringSubmatch(s)
		q, _ := strconv.Atoi(m[2])
		yearS, monthS, months, p.Kind = m[1], strconv.Itoa(3*q-2), 3, PeriodQuarter
	case yearRe.MatchString(s):
		yearS, monthS, months, p.Kind = s, "1", 12, PeriodYear
	default:
		return Period{}, ErrPeriod
	}
	year, _ = strconv.Atoi(yearS)
	month, _ = strconv.Atoi(monthS)
	if year < 1970 || month < 1 || month > 12 {
		return Period{}, ErrPeriod
	}
	start := time.Date(year, time.Month(month), 1, 0, 0, 0, 0, loc)
	p.Key, p.Start, p.End = s, start.UTC(), start.AddDate(0, months, 0).UTC()
	return p, nil
}
