package activity

import (
	"context"

	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/reminder"
)

// KindReminder is the notification kind of an activity reminder.
const KindReminder = "activity_reminder"

// remindPrefix is the common start of an activity's reminder keys.
func remindPrefix(id string) string { return "activity:" + id + ":" }

// scheduleReminders keeps a planned activity's reminders in step with it,
// in the caller's transaction: one for the owner ("activity:<id>:remind")
// and one per participant ("activity:<id>:remind:<user>"), due at
// remind_at or start_at − remind_before. Everything else is cancelled
// first, so a dropped participant, a cleared reminder or one now in the
// past (nothing to warn about) leaves none pending; rescheduling a key
// revives it at its new time.
func (s *Service) scheduleReminders(ctx context.Context, a *Activity) error {
	if err := s.reminders.CancelPrefix(ctx, remindPrefix(a.ID)); err != nil {
		return err
	}
	due := a.RemindDue()
	if a.Status != StatusPlanned || due == nil || !due.After(db.Now()) {
		return nil
	}
	r := reminder.Reminder{Kind: KindReminder, Title: a.Subject,
		Body: a.Type + " at " + a.StartAt.UTC().Format("2006-01-02 15:04 UTC"), RefType: "activity", RefID: a.ID,
		DueAt: *due}
	r.Key, r.UserID = remindPrefix(a.ID)+"remind", a.OwnerID
	if err := s.reminders.Schedule(ctx, r); err != nil {
		return err
	}
	for _, u := range a.Participants {
		if u == a.OwnerID {
			continue
		}
		r.Key, r.UserID = remindPrefix(a.ID)+"remind:"+u, u
		if err := s.reminders.Schedule(ctx, r); err != nil {
			return err
		}
	}
	return nil
}
