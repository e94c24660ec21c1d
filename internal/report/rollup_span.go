package report

import "time"

// monthSpan is a range as read from a rollup kept per UTC month: the
// months [First, Last) ("YYYY-MM", both "" when none), bounded by the UTC
// month start nearest each end of the range, and the slices between each
// end and its month start, read from the table itself with Sign +1 where
// the range runs past the months, -1 where the months run past the range.
// A range in a local zone thus reads a few hours per end from the table;
// one shorter than about a month reads the table alone.
type monthSpan struct {
	First, Last string
	Slices      []signedSlice
}

type signedSlice struct {
	Start, End time.Time
	Sign       int64
}

func monthSpanOf(r Range) monthSpan {
	first, last := trNearestMonth(r.Start), trNearestMonth(r.End)
	if !first.Before(last) {
		return monthSpan{Slices: []signedSlice{{r.Start, r.End, 1}}}
	}
	sp := monthSpan{First: first.Format("2006-01"), Last: last.Format("2006-01")}
	switch {
	case r.Start.Before(first):
		sp.Slices = append(sp.Slices, signedSlice{r.Start, first, 1})
	case first.Before(r.Start):
		sp.Slices = append(sp.Slices, signedSlice{first, r.Start, -1})
	}
	switch {
	case last.Before(r.End):
		sp.Slices = append(sp.Slices, signedSlice{last, r.End, 1})
	case r.End.Before(last):
		sp.Slices = append(sp.Slices, signedSlice{r.End, last, -1})
	}
	return sp
}
