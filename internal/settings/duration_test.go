package settings

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	good := map[string]time.Duration{
		"3d": 72 * time.Hour, "72h": 72 * time.Hour, "30m": 30 * time.Minute, "1h30m": 90 * time.Minute,
		"0": 0, "2s": 2 * time.Second, "0.5d": 12 * time.Hour,
	}
	for in, want := range good {
		d, err := ParseDuration(in)
		if err != nil || d.Std() != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, d.Std(), err, want)
		}
	}
	for _, in := range []string{"", "d", "3 days", "-1h", "-2d", "1x"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) accepted", in)
		}
	}
	str := map[time.Duration]string{0: "0", 72 * time.Hour: "3d", 90 * time.Minute: "1h30m", time.Hour: "1h",
		2 * time.Second: "2s", 25 * time.Hour: "25h"}
	for in, want := range str {
		if got := Duration(in).String(); got != want {
			t.Errorf("Duration(%v).String() = %q, want %q", in, got, want)
		}
	}
}
