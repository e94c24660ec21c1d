package seed

import (
	"math"
	"sort"
	"time"
)

// rng is splitmix64: tiny, allocation-free and good enough for test data.
// Every record draws from its own stream seeded by (seed, table, index), so
// any table pass can re-derive a parent's fields without keeping them, and
// the same --random-seed always gives the same rows.
type rng struct{ s uint64 }

func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

func newRNG(seed int64, tag byte, i int) rng {
	return rng{mix(uint64(seed)*0x9E3779B97F4A7C15 ^ mix(uint64(tag)<<48^uint64(i)+1))}
}

func (r *rng) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	return mix(r.s)
}

func (r *rng) intn(n int) int {
	if n <= 1 {
		return 0
	}
	return int(r.next() % uint64(n))
}

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

func (r *rng) chance(p float64) bool { return r.float() < p }

func (r *rng) norm() float64 {
	u1 := r.float()
	if u1 < 1e-12 {
		u1 = 1e-12
	}
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*r.float())
}

// logNormal draws around median with spread sigma: deal sizes and cycle
// lengths are right-skewed, a few very large ones.
func (r *rng) logNormal(median, sigma float64) float64 {
	return median * math.Exp(sigma*r.norm())
}

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

// weighted returns an index into the cumulative weights cum.
func (r *rng) weighted(cum []float64) int {
	x := r.float() * cum[len(cum)-1]
	return sort.SearchFloat64s(cum, x)
}

// timeline maps a quantile in [0,1) to a moment of the seeded history,
// monotonically, through a daily density with seasonality: more business
// in Q4 and December, little around Chinese New Year in February, quiet
// weekends and a growing trend. Because it is monotonic, record i of n
// created at quantile (i+0.5)/n keeps ids and time in the same order (as
// real rows appended over time), and a parent created "before" a child is
// any parent index below the child's quantile.
type timeline struct {
	start time.Time // local midnight of the first day
	days  int
	cum   []float64
	loc   *time.Location
	now   time.Time
}

func newTimeline(now time.Time, loc *time.Location, days int) *timeline {
	ln := now.In(loc)
	first := time.Date(ln.Year(), ln.Month(), ln.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, -(days - 1))
	t := &timeline{start: first, days: days, cum: make([]float64, days), loc: loc, now: now}
	sum := 0.0
	for d := 0; d < days; d++ {
		day := first.AddDate(0, 0, d)
		w := (0.7 + 0.6*float64(d)/float64(days)) * monthFactor(day.Month())
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			w *= 0.25
		}
		sum += w
		t.cum[d] = sum
	}
	for d := range t.cum {
		t.cum[d] /= sum
	}
	return t
}

// monthFactor is the seasonality of business activity.
func monthFactor(m time.Month) float64 {
	switch m {
	case time.December:
		return 1.35
	case time.November:
		return 1.15
	case time.October:
		return 1.05
	case time.January:
		return 0.9
	case time.February:
		return 0.55 // Chinese New Year
	}
	return 1
}

// at maps u to a moment within business hours (09:00-18:00 local) of the
// day that quantile falls on; the last day ends no later than now.
func (t *timeline) at(u float64) time.Time {
	d := sort.SearchFloat64s(t.cum, u)
	if d >= t.days {
		d = t.days - 1
	}
	lo := 0.0
	if d > 0 {
		lo = t.cum[d-1]
	}
	frac := 0.5
	if t.cum[d] > lo {
		frac = (u - lo) / (t.cum[d] - lo)
	}
	day := t.start.AddDate(0, 0, d)
	at := day.Add(9*time.Hour + time.Duration(frac*float64(9*time.Hour)))
	if at.After(t.now) {
		at = t.now.Add(-time.Duration((1 - frac) * float64(time.Hour)))
	}
	return at.UTC().Truncate(time.Microsecond)
}

func quantile(i, n int) float64 { return (float64(i) + 0.5) / float64(n) }

// before picks an index among the first u*n records (those created
// earlier than quantile u), at least the first one.
func before(r *rng, u float64, n int) int {
	m := int(u * float64(n))
	if m < 1 {
		m = 1
	}
	if m > n {
		m = n
	}
	return r.intn(m)
}

// ids are deterministic UUID-shaped strings: 5eed, the table tag, then
// the record index; unique per table, time-ordered like UUIDv7.
func makeID(tag byte, i int) string {
	const hexd = "0123456789abcdef"
	b := []byte("5eed0000-0000-7000-8000-000000000000")
	b[4], b[5] = hexd[tag>>4], hexd[tag&15]
	v := uint64(i)
	for p := len(b) - 1; p >= 24 && v > 0; p-- {
		b[p] = hexd[v&15]
		v >>= 4
	}
	return string(b)
}
