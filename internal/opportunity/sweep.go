package opportunity

import (
	"context"
	"fmt"
	"time"

	"github.com/opencrm/crm/internal/jobs"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/reminder"
)

// overdueCandidate is an open opportunity in a stage with a time limit,
// not yet marked overdue.
type overdueCandidate struct {
	ID, Name, OwnerID, StageEntryID, StageName string
	StageEnteredAt                             time.Time
	TimeLimitSeconds                           int64
}

// StageSweep marks open opportunities past their stage's time limit as
// stage_overdue and reminds the owner once per stage entry: only the
// change from not overdue to overdue schedules the reminder, and a stage
// move clears the flag and cancels it. Safe to run at any time.
func (s *Service) StageSweep(ctx context.Context) (jobs.Result, error) {
	const batch = 500
	now := db.Now()
	res := jobs.Result{Details: map[string]int{"overdue": 0}}
	after := ""
	for {
		var rows []overdueCandidate
		err := s.db.Conn(ctx).Table("opportunities").
			Select(`opportunities.id, opportunities.name, opportunities.owner_id, opportunities.stage_entry_id,
				opportunities.stage_entered_at, pipeline_stages.name AS stage_name, pipeline_stages.time_limit_seconds`).
			Joins("JOIN pipeline_stages ON pipeline_stages.id = opportunities.stage_id").
			Where(`opportunities.deleted_at IS NULL AND opportunities.status = ? AND opportunities.stage_overdue = ?
				AND pipeline_stages.time_limit_seconds > 0 AND opportunities.id > ?`, KindOpen, false, after).
			Order("opportunities.id").Limit(batch).Scan(&rows).Error
		if err != nil {
			return res, fmt.Errorf("opportunity.stage_sweep: %w", err)
		}
		for _, c := range rows {
			if now.Before(c.StageEnteredAt.Add(time.Duration(c.TimeLimitSeconds) * time.Second)) {
				continue
			}
			marked, err := s.markOverdue(ctx, c, now)
			if err != nil {
				return res, err
			}
			if marked {
				res.Processed++
				res.Details["overdue"]++
			}
		}
		if len(rows) < batch {
			return res, nil
		}
		after = rows[len(rows)-1].ID
	}
}

// markOverdue flags one opportunity and schedules its reminder in one
// transaction; false when it moved on meanwhile.
func (s *Service) markOverdue(ctx context.Context, c overdueCandidate, now time.Time) (bool, error) {
	marked := false
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		res := s.db.Conn(ctx).Model(&Opportunity{}).
			Where("id = ? AND stage_entry_id = ? AND stage_overdue = ? AND status = ?", c.ID, c.StageEntryID, false, KindOpen).
			UpdateColumn("stage_overdue", true)
		if res.Error != nil {
			return fmt.Errorf("opportunity.mark_overdue: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		marked = true
		return s.reminders.Schedule(ctx, reminder.Reminder{
			Key:     overdueKey(&Opportunity{ID: c.ID, StageEntryID: c.StageEntryID}),
			UserID:  c.OwnerID,
			Kind:    "stage_overdue",
			Title:   fmt.Sprintf("商机「%s」在阶段「%s」停留超时", c.Name, c.StageName),
			Body:    fmt.Sprintf("Opportunity %q has been in stage %q longer than its time limit.", c.Name, c.StageName),
			RefType: "opportunity", RefID: c.ID, DueAt: now,
		})
	})
	return marked, err
}
