package auth

import (
	"errors"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/platform/apperr"
)

// TestParseRechecksCachedTokens: a token seen before is served from the
// claims cache, yet every parse still checks its signature and expiry; a
// changed signature never reaches the cache's entry.
func TestParseRechecksCachedTokens(t *testing.T) {
	now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	tk := NewTokens([]byte("a-secret-of-thirty-two-bytes-xxx"), time.Minute)
	tk.now = func() time.Time { return now }
	raw, err := tk.Issue("u1", "s1", "j1")
	if err != nil {
		t.Fatal(err)
	}
	code := func(err error) string {
		var p *apperr.Error
		if errors.As(err, &p) {
			return p.Code
		}
		return ""
	}
	for i := range 3 { // the first parse fills the cache, the others hit it
		c, err := tk.Parse(raw)
		if err != nil || c.Subject != "u1" || c.SessionID != "s1" {
			t.Fatalf("parse %d: %+v %v", i, c, err)
		}
	}
	if _, ok := tk.verified.m[raw]; !ok {
		t.Fatal("a verified token is not cached")
	}
	// Same header and claims, another signature: refused, cache untouched.
	forged := raw[:len(raw)-4] + "AAAA"
	if raw[len(raw)-4:] == "AAAA" {
		forged = raw[:len(raw)-4] + "BBBB"
	}
	if _, err := tk.Parse(forged); code(err) != "invalid_token" {
		t.Errorf("forged signature: %v", err)
	}
	// The cached entry's signature is checked too: a cache holding a
	// forged token under its own text (as if it had got in) still refuses it.
	tk.verified.m[forged] = tk.verified.m[raw]
	if _, err := tk.Parse(forged); code(err) != "invalid_token" {
		t.Errorf("cached forged token: %v", err)
	}
	if _, ok := tk.verified.m[forged]; ok {
		t.Error("a refused token stays cached")
	}
	// Expiry is judged on every parse, cached or not.
	now = now.Add(2 * time.Minute)
	if _, err := tk.Parse(raw); code(err) != "token_expired" {
		t.Errorf("expired cached token: %v", err)
	}
	if _, err := tk.Parse(raw); code(err) != "token_expired" {
		t.Errorf("expired token, second time: %v", err)
	}
}
