package migrations

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// v0010Activities adds activities (calls, visits, meetings…, planned or
// done), their participants and the per-user calendar feed tokens, and
// gives customers a position and a next follow-up date. Follow-ups become
// done activities: the lead and customer follow-ups are copied over
// (keeping their ids) and their tables dropped, so there is one record of
// every contact and every timeline shows it.
func v0010Activities() *gormigrate.Migration {
	type activity struct {
		ID          string `gorm:"primaryKey;size:36"`
		Type        string `gorm:"size:20;not null"`
		Channel     string `gorm:"size:20;not null;default:''"`
		Subject     string `gorm:"size:200;not null"`
		RelatedType string `gorm:"size:20;not null;index:idx_activities_related,priority:1"`
		RelatedID   string `gorm:"size:36;not null;index:idx_activities_related,priority:2"`
		OwnerID     string `gorm:"size:36;not null;index:idx_activities_owner,priority:1"`
		// Status is planned, done or cancelled.
		Status         string    `gorm:"size:12;not null;index:idx_activities_related,priority:3"`
		StartAt        time.Time `gorm:"not null;index:idx_activities_owner,priority:2;index"`
		EndAt          *time.Time
		RemindBefore   *int64 // seconds
		RemindAt       *time.Time
		Location       string `gorm:"size:500;not null;default:''"`
		Notes          string `gorm:"type:text;not null;default:''"`
		Outcome        string `gorm:"type:text;not null;default:''"`
		NextStep       string `gorm:"size:500;not null;default:''"`
		NextFollowUpAt *time.Time
		DoneAt         *time.Time
		CancelledAt    *time.Time
		CheckInAt      *time.Time
		CheckInLat     *float64
		CheckInLng     *float64
		CheckInAcc     *float64
		CheckInDist    *float64
		CheckOutAt     *time.Time
		CheckOutLat    *float64
		CheckOutLng    *float64
		CheckOutAcc    *float64
		CheckOutDist   *float64
		CreatedBy      string    `gorm:"size:36;not null;default:''"`
		CreatedAt      time.Time `gorm:"not null"`
		UpdatedAt      time.Time `gorm:"not null"`
		Version        int       `gorm:"not null;default:1"`
	}
	type activityParticipant struct {
		ActivityID string `gorm:"primaryKey;size:36"`
		UserID     string `gorm:"primaryKey;size:36;index"`
	}
	type calendarFeedToken struct {
		UserID    string    `gorm:"primaryKey;size:36"`
		TokenHash string    `gorm:"size:64;not null;uniqueIndex"`
		CreatedAt time.Time `gorm:"not null"`
	}
	type customer struct {
		Latitude       *float64
		Longitude      *float64
		NextFollowUpAt *time.Time
	}
	type followUp struct {
		ID             string
		RelatedID      string
		UserID         string
		Channel        string
		Content        string
		Feedback       string
		NextStep       string
		NextFollowUpAt *time.Time
		FollowedAt     time.Time
		CreatedAt      time.Time
	}
	// types maps a follow-up channel to the activity type; the channel
	// itself is kept too (wechat and other have no type of their own).
	types := map[string]string{"call": "call", "visit": "visit", "email": "email", "meeting": "meeting",
		"wechat": "call", "other": "task"}
	subject := func(content string) string {
		s, _, _ := strings.Cut(strings.TrimSpace(content), "\n")
		if utf8.RuneCountInString(s) > 200 {
			s = string([]rune(s)[:199]) + "…"
		}
		if s == "" {
			s = "-"
		}
		return s
	}
	// plans is each customer's latest next follow-up still ahead.
	plans := map[string]time.Time{}
	copyFollowUps := func(tx *gorm.DB, table, relatedType, relatedCol string) error {
		var rows []followUp
		return tx.Table(table).Select("id, "+relatedCol+" AS related_id, user_id, channel, content, feedback, "+
			"next_step, next_follow_up_at, followed_at, created_at").
			FindInBatches(&rows, 500, func(b *gorm.DB, _ int) error {
				out := make([]activity, len(rows))
				for i, f := range rows {
					at := f.FollowedAt
					if n := f.NextFollowUpAt; relatedType == "customer" && n != nil && n.After(time.Now()) &&
						n.After(plans[f.RelatedID]) {
						plans[f.RelatedID] = *n
					}
					typ := types[f.Channel]
					if typ == "" {
						typ = "task"
					}
					out[i] = activity{ID: f.ID, Type: typ, Channel: f.Channel, Subject: subject(f.Content),
						RelatedType: relatedType, RelatedID: f.RelatedID, OwnerID: f.UserID, Status: "done",
						StartAt: at, Notes: f.Content, Outcome: f.Feedback, NextStep: f.NextStep,
						NextFollowUpAt: f.NextFollowUpAt, DoneAt: &at, CreatedBy: f.UserID, CreatedAt: f.CreatedAt,
						UpdatedAt: f.CreatedAt, Version: 1}
				}
				return tx.Create(&out).Error
			}).Error
	}
	return &gormigrate.Migration{
		ID: "0010_activities",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.Migrator().AutoMigrate(&activity{}, &activityParticipant{}, &calendarFeedToken{}); err != nil {
				return err
			}
			for _, col := range []string{"Latitude", "Longitude", "NextFollowUpAt"} {
				if err := tx.Table("customers").Migrator().AddColumn(&customer{}, col); err != nil {
					return err
				}
			}
			if err := copyFollowUps(tx, "lead_follow_ups", "lead", "lead_id"); err != nil {
				return err
			}
			if err := copyFollowUps(tx, "customer_follow_ups", "customer", "customer_id"); err != nil {
				return err
			}
			// The customers' next follow-up was not kept before: take it from
			// their follow-ups that planned one still ahead.
			for id, next := range plans {
				if err := tx.Table("customers").Where("id = ?", id).
					UpdateColumn("next_follow_up_at", next).Error; err != nil {
					return err
				}
			}
			for _, t := range []string{"lead_follow_ups", "customer_follow_ups"} {
				if err := tx.Migrator().DropTable(t); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
