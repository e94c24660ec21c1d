package org

import (
	"testing"

	"github.com/opencrm/crm/internal/platform/validate"
)

// The generated first-admin password must always pass the policy, or a
// fresh install fails to start now and then.
func TestFirstAdminPasswordPassesPolicy(t *testing.T) {
	seen := map[string]bool{}
	for range 3000 {
		pw := firstAdminPassword()
		var v validate.V
		if v.Password("p", pw); v.Err() != nil || len(pw) < 16 {
			t.Fatalf("generated %q fails the policy", pw)
		}
		if seen[pw] {
			t.Fatalf("generated %q twice", pw)
		}
		seen[pw] = true
	}
}
