package activity

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/followup"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
)

// FollowUps is the follow-up log of leads and customers: follow-ups are
// done activities.
func (s *Service) FollowUps() followup.Log { return followUpLog{s} }

type followUpLog struct{ s *Service }

// Record stores a follow-up as a done activity about the record, owned by
// the caller (followup.Log). The lead or customer module has checked the
// record is in scope and moves it on in the same transaction.
func (l followUpLog) Record(ctx context.Context, relatedType, relatedID string, e followup.Entry) (*followup.Record, error) {
	s := l.s
	now := db.Now()
	at := e.FollowedAt
	by := authz.ActorFrom(ctx).ID()
	a := &Activity{ID: uuid.Must(uuid.NewV7()).String(), Type: typeOfChannel(e.Channel), Channel: e.Channel,
		Subject: subjectOf(e.Content), RelatedType: relatedType, RelatedID: relatedID, OwnerID: by,
		Status: StatusDone, StartAt: at, Notes: e.Content, Outcome: e.Feedback, NextStep: e.NextStep,
		NextFollowUpAt: e.NextFollowUpAt, DoneAt: &at, CreatedBy: by, CreatedAt: now, UpdatedAt: now, Version: 1,
		Participants: []string{}}
	if err := s.store.create(ctx, a); err != nil {
		return nil, err
	}
	if err := s.audit.Record(ctx, "create", "activity", a.ID, nil, View(a)); err != nil {
		return nil, err
	}
	return recordOf(a), nil
}

// List pages through the done activities about a record as follow-ups
// (followup.Log); the caller has checked the record is in scope.
func (l followUpLog) List(ctx context.Context, relatedType, relatedID string, r paging.Request) (paging.Page[followup.Record], error) {
	s := l.s
	q, err := followUpSpec.Parse(r)
	if err != nil {
		return paging.Page[followup.Record]{}, err
	}
	base := s.store.filter(ctx, s.db.Conn(ctx).Model(&Activity{}),
		Filter{RelatedType: relatedType, RelatedID: relatedID, Status: StatusDone})
	page, err := s.store.fetch(ctx, q, base)
	if err != nil {
		return paging.Page[followup.Record]{}, err
	}
	return paging.Map(page, func(a *Activity) followup.Record { return *recordOf(a) }), nil
}

// recordOf reads a done activity as a follow-up.
func recordOf(a *Activity) *followup.Record {
	content := a.Notes
	if content == "" {
		content = a.Subject
	}
	return &followup.Record{ID: a.ID, RelatedID: a.RelatedID, UserID: a.OwnerID, Channel: a.channelOf(),
		Content: content, Feedback: a.Outcome, NextStep: a.NextStep, NextFollowUpAt: a.NextFollowUpAt,
		FollowedAt: *a.DoneAt, CreatedAt: a.CreatedAt}
}

// subjectOf is a follow-up's subject: the first line of its content.
func subjectOf(content string) string {
	s, _, _ := strings.Cut(content, "\n")
	return clip(strings.TrimSpace(s), maxSubject)
}

// clip shortens s to n characters, … included.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
