package bench_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/reminder"
)

// BenchmarkReminderDelivery measures the reminder path end to end: 1000
// reminders written in one transaction (the outbox), queued after commit,
// delivered by one in-process worker (4 concurrent tasks) into inboxes.
// The time per op is until the last of the 1000 is delivered (due times
// are whole seconds in the queue, so up to a second of it is waiting).
func BenchmarkReminderDelivery(b *testing.B) {
	const batch = 1000
	each(b, func(b *testing.B, env *apptest.Env) {
		env.StartWorker(nil)
		rep := env.User("rep", "")
		ctx := context.Background()
		round := 0
		for b.Loop() {
			round++
			now := time.Now()
			err := env.App.DB.WithTx(ctx, func(ctx context.Context) error {
				for i := 0; i < batch; i++ {
					if err := env.App.Reminders.Schedule(ctx, reminder.Reminder{Key: fmt.Sprintf("bench:%d:%d", round, i),
						UserID: rep.ID, Kind: "activity_reminder", Title: "拜访提醒", DueAt: now}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			for {
				var pending int64
				env.App.DB.Gorm().Model(&reminder.Reminder{}).Where("status = ?", reminder.Pending).Count(&pending)
				if pending == 0 {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "reminders/s")
	})
}
