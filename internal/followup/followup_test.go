package followup

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/platform/apperr"
)

func ptr(s string) *string { return &s }

func TestCheck(t *testing.T) {
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	e, err := Check(CreateRequest{Channel: " call ", Content: " 沟通交期 ", NextFollowUpAt: ptr("2026-11-25")}, now)
	if err != nil || e.Channel != "call" || e.Content != "沟通交期" || !e.FollowedAt.Equal(now) ||
		e.NextFollowUpAt == nil || e.NextFollowUpAt.Format(time.DateOnly) != "2026-11-25" {
		t.Fatalf("good input: %+v, %v", e, err)
	}
	e, err = Check(CreateRequest{Channel: "visit", Content: "x", FollowedAt: ptr("2026-11-22T07:00:00+08:00")}, now)
	if err != nil || !e.FollowedAt.Equal(time.Date(2026, 11, 21, 23, 0, 0, 0, time.UTC)) {
		t.Fatalf("offset time: %+v, %v", e, err)
	}
	bad := []struct {
		in    CreateRequest
		field string
	}{
		{CreateRequest{Content: "x"}, "channel"},
		{CreateRequest{Channel: "fax", Content: "x"}, "channel"},
		{CreateRequest{Channel: "call"}, "content"},
		{CreateRequest{Channel: "call", Content: strings.Repeat("长", 5001)}, "content"},
		{CreateRequest{Channel: "call", Content: "x", NextStep: strings.Repeat("a", 501)}, "next_step"},
		{CreateRequest{Channel: "call", Content: "x", FollowedAt: ptr("2026-11-22T08:05:00Z")}, "followed_at"},
		{CreateRequest{Channel: "call", Content: "x", FollowedAt: ptr("yesterday")}, "followed_at"},
		{CreateRequest{Channel: "call", Content: "x", NextFollowUpAt: ptr("2026-11-21T00:00:00Z")}, "next_follow_up_at"},
	}
	for _, c := range bad {
		_, err := Check(c.in, now)
		var ae *apperr.Error
		if !errors.As(err, &ae) || !errors.Is(err, apperr.ErrInvalid) || len(ae.Fields) == 0 || ae.Fields[0].Field != c.field {
			t.Errorf("%+v: err = %v, want 422 on %s", c.in, err, c.field)
		}
	}
	// Within the clock-skew allowance a slightly future time is accepted.
	if _, err := Check(CreateRequest{Channel: "call", Content: "x", FollowedAt: ptr("2026-11-22T08:00:30Z")}, now); err != nil {
		t.Fatalf("skew: %v", err)
	}
}
