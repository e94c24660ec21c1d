package team_test

import (
	"testing"
	"time"

	"github.com/opencrm/crm/internal/team"
)

func TestParsePeriod(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tt := range []struct {
		in         string
		loc        *time.Location
		kind       string
		start, end string
	}{
		// Shanghai midnight is 16:00 UTC the day before.
		{"2026-11", sh, "month", "2026-10-31T16:00:00Z", "2026-11-30T16:00:00Z"},
		{"2026-12", sh, "month", "2026-11-30T16:00:00Z", "2026-12-31T16:00:00Z"},
		{"2026-01", time.UTC, "month", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"},
		{"2028-02", time.UTC, "month", "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z"}, // leap year: 29 days
		{"2026-02", time.UTC, "month", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"},
		{"2026-Q1", sh, "quarter", "2025-12-31T16:00:00Z", "2026-03-31T16:00:00Z"},
		{"2026-Q4", sh, "quarter", "2026-09-30T16:00:00Z", "2026-12-31T16:00:00Z"},
		{"2026-Q2", time.UTC, "quarter", "2026-04-01T00:00:00Z", "2026-07-01T00:00:00Z"},
		{"2026", sh, "year", "2025-12-31T16:00:00Z", "2026-12-31T16:00:00Z"},
		{"2028", time.UTC, "year", "2028-01-01T00:00:00Z", "2029-01-01T00:00:00Z"},
	} {
		p, err := team.ParsePeriod(tt.in, tt.loc)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if p.Kind != tt.kind || p.Key != tt.in || !p.Start.Equal(utc(tt.start)) || !p.End.Equal(utc(tt.end)) ||
			p.Start.Location() != time.UTC || p.End.Location() != time.UTC {
			t.Errorf("%s: %+v, want %s [%s, %s)", tt.in, p, tt.kind, tt.start, tt.end)
		}
	}
	if p, _ := team.ParsePeriod("2028-02", time.UTC); p.End.Sub(p.Start) != 29*24*time.Hour {
		t.Errorf("February 2028 is %v long", p.End.Sub(p.Start))
	}
	for _, bad := range []string{"", "2026-13", "2026-00", "2026-1", "2026-Q5", "2026-Q0", "2026-q4", "26",
		"2026-11-01", " 2026", "2026 ", "1969", "2026/11", "Q4-2026", "２０２６"} {
		if _, err := team.ParsePeriod(bad, time.UTC); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
