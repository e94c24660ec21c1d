package activity

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/secret"
	"github.com/opencrm/crm/internal/platform/validate"
)

const (
	// maxCalendarRange bounds GET /calendar.
	maxCalendarDays = 92
	// calendarLimit caps one calendar answer.
	calendarLimit = 2000
	// The feed covers a month back and half a year ahead: what calendar
	// apps show, without the whole history on every poll.
	feedBack, feedAhead = 30 * 24 * time.Hour, 180 * 24 * time.Hour
)

// CalendarQuery is GET /calendar's parameters.
type CalendarQuery struct {
	From, To       *string
	UserID, TeamID string
}

// Calendar lists the activities (planned and done) that overlap
// [from, to) of a user (the caller by default) or a team and its
// sub-teams, owned or taken part in, within what the caller may see,
// sorted by start.
func (s *Service) Calendar(ctx context.Context, q CalendarQuery) ([]Activity, bool, error) {
	if err := authz.Require(ctx, "activities:read"); err != nil {
		return nil, false, err
	}
	var v validate.V
	from, okF := v.Time("from", q.From)
	to, okT := v.Time("to", q.To)
	if okF && from == nil {
		v.Add("from", "required")
	}
	if okT && to == nil {
		v.Add("to", "required")
	}
	if from != nil && to != nil {
		if !to.After(*from) {
			v.Add("to", "after_from")
		} else if to.Sub(*from) > maxCalendarDays*24*time.Hour {
			v.Add("to", "range_too_long", maxCalendarDays)
		}
	}
	if q.UserID != "" && q.TeamID != "" {
		v.Add("team_id", "user_or_team")
	}
	if err := v.Err(); err != nil {
		return nil, false, err
	}
	actor := authz.ActorFrom(ctx)
	var base = s.visible(ctx)
	switch {
	case q.TeamID != "":
		teams, err := s.teamTree(ctx, "team_id", q.TeamID)
		if err != nil {
			return nil, false, err
		}
		base = s.store.overlappingTeams(ctx, base, teams, *from, *to)
	default:
		user := q.UserID
		if user == "" {
			user = actor.UserID
		} else if user != actor.UserID {
			// Someone else's calendar: a user the caller may give records to.
			if _, err := s.users.AssignableOwner(ctx, actor, "user_id", user); err != nil {
				return nil, false, err
			}
		}
		base = s.store.overlapping(ctx, base, []string{user}, *from, *to)
	}
	var rows []Activity
	if err := base.Where("activities.status <> ?", StatusCancelled).Order("activities.start_at, activities.id").
		Limit(calendarLimit + 1).Find(&rows).Error; err != nil {
		return nil, false, fmt.Errorf("activity.calendar: %w", err)
	}
	truncated := len(rows) > calendarLimit
	if truncated {
		rows = rows[:calendarLimit]
	}
	ptrs := make([]*Activity, len(rows))
	for i := range rows {
		ptrs[i] = &rows[i]
	}
	return rows, truncated, s.store.loadParticipants(ctx, ptrs)
}

// NewFeedToken makes the caller a new calendar feed secret, replacing the
// old one (which stops working). Only its SHA-256 hash is kept.
func (s *Service) NewFeedToken(ctx context.Context) (string, error) {
	if err := authz.Require(ctx, "activities:read"); err != nil {
		return "", err
	}
	actor := authz.ActorFrom(ctx)
	if actor.IsAPIKey() {
		return "", apperr.Forbidden("activities:read")
	}
	token := secret.Token(32)
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.putFeedToken(ctx, actor.UserID, secret.SHA256(token)); err != nil {
			return err
		}
		return s.audit.Record(ctx, "create", "calendar_feed", actor.UserID, nil, nil)
	})
	return token, err
}

// RevokeFeedToken stops the caller's feed; 404 when there is none.
func (s *Service) RevokeFeedToken(ctx context.Context) error {
	if err := authz.Require(ctx, "activities:read"); err != nil {
		return err
	}
	actor := authz.ActorFrom(ctx)
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		ok, err := s.store.deleteFeedToken(ctx, actor.UserID)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.NotFound("calendar_feed")
		}
		return s.audit.Record(ctx, "delete", "calendar_feed", actor.UserID, nil, nil)
	})
}

// Feed is the iCalendar (RFC 5545) feed of the user a token belongs to:
// their activities (owned or taken part in) from a month back to half a
// year ahead, cancelled ones as STATUS:CANCELLED so subscribed calendars
// drop them. An unknown or revoked token, or a disabled user, is 404.
func (s *Service) Feed(ctx context.Context, token string) (string, error) {
	userID, err := s.store.feedUser(ctx, secret.SHA256(token))
	if err != nil {
		return "", err
	}
	u, err := s.users.UserByID(ctx, userID)
	if err != nil || !u.Active {
		return "", apperr.NotFound("calendar_feed")
	}
	now := db.Now()
	var rows []Activity
	if err := s.store.overlapping(ctx, s.db.Conn(ctx).Model(&Activity{}), []string{userID}, now.Add(-feedBack),
		now.Add(feedAhead)).Order("activities.start_at, activities.id").Limit(calendarLimit).
		Find(&rows).Error; err != nil {
		return "", fmt.Errorf("activity.feed: %w", err)
	}
	return buildICS(u.Name, rows, now), nil
}

// buildICS writes the activities as a published calendar.
func buildICS(name string, rows []Activity, now time.Time) string {
	cal := ics.NewCalendarFor("OpenCRM")
	cal.SetProductId("-//OpenCRM//Activities//EN")
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(ics.MethodPublish)
	cal.SetXWRCalName("CRM: " + name)
	for i := range rows {
		a := &rows[i]
		ev := cal.AddEvent(a.ID + "@opencrm")
		ev.SetDtStampTime(now)
		ev.SetStartAt(a.StartAt.UTC())
		end := a.StartAt.Add(30 * time.Minute)
		if a.EndAt != nil && a.EndAt.After(a.StartAt) {
			end = *a.EndAt
		}
		ev.SetEndAt(end.UTC())
		ev.SetSummary(a.Subject)
		if a.Location != "" {
			ev.SetLocation(a.Location)
		}
		desc := a.Type + " · " + a.Status
		if a.Notes != "" {
			desc += "\n" + a.Notes
		}
		if a.Outcome != "" {
			desc += "\n" + a.Outcome
		}
		ev.SetDescription(desc)
		status := ics.ObjectStatusConfirmed
		if a.Status == StatusCancelled {
			status = ics.ObjectStatusCancelled
		}
		ev.SetStatus(status)
		ev.SetSequence(a.Version - 1)
		if due := a.RemindDue(); due != nil && a.Status == StatusPlanned {
			al := ev.AddAlarm()
			al.SetAction(ics.ActionDisplay)
			al.SetTrigger(trigger(due.Sub(a.StartAt)))
			al.SetProperty(ics.ComponentPropertyDescription, a.Subject)
		}
	}
	return cal.Serialize()
}

// trigger writes an offset from the start as an RFC 5545 duration
// ("-PT1800S").
func trigger(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	return sign + "PT" + strconv.FormatInt(int64(d/time.Second), 10) + "S"
}

// FeedPath is where a token's feed is served, under /api/v1.
func FeedPath(token string) string { return "/calendar/feed/" + token + ".ics" }

// TokenFromFile reads the token out of the feed's file name ("<token>.ics").
func TokenFromFile(file string) (string, bool) {
	t, ok := strings.CutSuffix(file, ".ics")
	return t, ok && t != ""
}
