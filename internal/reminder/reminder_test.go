package reminder_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/notification"
	"github.com/opencrm/crm/internal/platform/config"
	"github.com/opencrm/crm/internal/reminder"
)

func TestMain(m *testing.M) { apptest.Main(m) }

// fastSweep re-queues lost reminders every second instead of every 30.
func fastSweep(c *config.Config) { c.ReminderSweepInterval = time.Second }

func schedule(t *testing.T, env *apptest.Env, key, userID string, due time.Time) {
	t.Helper()
	err := env.App.DB.WithTx(context.Background(), func(ctx context.Context) error {
		return env.App.Reminders.Schedule(ctx, reminder.Reminder{Key: key, UserID: userID, Kind: "activity_reminder",
			Title: "拜访客户 " + key, Body: "15:00 上海", RefType: "activity", RefID: "0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b", DueAt: due})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// inbox lists the user's notifications of one reminder title.
func inbox(u *apptest.User, title string) []notification.Response {
	var page notification.List
	u.Get("/notifications?limit=200").Status(http.StatusOK).Decode(&page)
	var out []notification.Response
	for _, n := range page.Data {
		if n.Title == title {
			out = append(out, n)
		}
	}
	return out
}

func arrives(t *testing.T, u *apptest.User, title string, within time.Duration) {
	t.Helper()
	if !apptest.Eventually(t, within, func() bool { return len(inbox(u, title)) > 0 }) {
		t.Fatalf("reminder %q did not arrive within %s", title, within)
	}
}

func TestReminderArrivesOnceWhenDue(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b, fastSweep)
		env.StartWorker(nil)
		rep := env.User("rep", "")
		start := time.Now()
		schedule(t, env, "activity:a1:remind", rep.ID, start.Add(2*time.Second))
		if got := inbox(rep, "拜访客户 activity:a1:remind"); len(got) != 0 {
			t.Fatalf("arrived early: %+v", got)
		}
		arrives(t, rep, "拜访客户 activity:a1:remind", 10*time.Second)
		if late := time.Since(start); late < 2*time.Second {
			t.Fatalf("arrived after %s, before it was due", late)
		}
		// Sweeps re-queue nothing delivered, and a retried delivery task
		// (same reminder, same due time) writes nothing more.
		r, err := env.App.Reminders.Get(context.Background(), "activity:a1:remind")
		if err != nil || r.Status != reminder.Delivered || r.NotificationID == nil {
			t.Fatalf("reminder %+v, %v", r, err)
		}
		// (409 when the scheduled dispatch happens to be running right now.)
		env.Admin.Post("/admin/jobs/reminder-dispatch/run", nil).Status(http.StatusOK, http.StatusConflict)
		if err := env.App.Reminders.Deliver(context.Background(), r.ID, r.DueAt); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2500 * time.Millisecond)
		got := inbox(rep, "拜访客户 activity:a1:remind")
		if len(got) != 1 || got[0].Kind != "activity_reminder" || got[0].RefType != "activity" || got[0].Read {
			t.Fatalf("inbox %+v", got)
		}
		// Nobody else gets it.
		if other := env.User("rep", ""); len(inbox(other, "拜访客户 activity:a1:remind")) != 0 {
			t.Fatal("another user got the reminder")
		}
	})
}

// Redis loses the queued job between scheduling and firing; the dispatch
// sweep finds the pending outbox row and queues it again.
func TestReminderFiresAfterQueueIsLost(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b, fastSweep)
		rep := env.User("rep", "")
		schedule(t, env, "follow-up:lead:l1", rep.ID, time.Now().Add(2*time.Second))
		if err := env.App.Queue.Purge(context.Background()); err != nil {
			t.Fatal(err)
		}
		env.StartWorker(nil)
		arrives(t, rep, "拜访客户 follow-up:lead:l1", 15*time.Second)
		time.Sleep(2 * time.Second)
		if n := len(inbox(rep, "拜访客户 follow-up:lead:l1")); n != 1 {
			t.Fatalf("delivered %d times", n)
		}
	})
}

// The shared Redis is never restarted: this test runs a redis-server of its
// own, kills it after the reminder was queued and starts it empty.
func TestReminderFiresAfterRedisRestart(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		rs := apptest.StartPrivateRedis(t)
		env := apptest.New(t, b, fastSweep, func(c *config.Config) { c.RedisURL = rs.URL })
		rep := env.User("rep", "")
		env.StartWorker(nil)
		schedule(t, env, "stage-overdue:o1:e1", rep.ID, time.Now().Add(3*time.Second))
		rs.Stop()
		rs.Start()
		// Sessions live in Redis too: the restart ended them.
		rep.Client = env.Login(rep.Email, apptest.Password)
		arrives(t, rep, "拜访客户 stage-overdue:o1:e1", 20*time.Second)
		time.Sleep(2 * time.Second)
		if n := len(inbox(rep, "拜访客户 stage-overdue:o1:e1")); n != 1 {
			t.Fatalf("delivered %d times", n)
		}
	})
}

func TestMovedReminderFiresAtNewTimeAndCancelledNever(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b, fastSweep)
		env.StartWorker(nil)
		rep := env.User("rep", "")
		now := time.Now()
		schedule(t, env, "activity:moved:remind", rep.ID, now.Add(1*time.Second))
		schedule(t, env, "activity:moved:remind", rep.ID, now.Add(4*time.Second))
		schedule(t, env, "activity:gone:remind", rep.ID, now.Add(1*time.Second))
		if err := env.App.Reminders.Cancel(context.Background(), "activity:gone:remind"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Second)
		if n := len(inbox(rep, "拜访客户 activity:moved:remind")); n != 0 {
			t.Fatal("moved reminder fired at its old time")
		}
		arrives(t, rep, "拜访客户 activity:moved:remind", 10*time.Second)
		time.Sleep(1500 * time.Millisecond)
		if n := len(inbox(rep, "拜访客户 activity:moved:remind")); n != 1 {
			t.Fatalf("moved reminder delivered %d times", n)
		}
		if n := len(inbox(rep, "拜访客户 activity:gone:remind")); n != 0 {
			t.Fatal("cancelled reminder fired")
		}
		r, _ := env.App.Reminders.Get(context.Background(), "activity:gone:remind")
		if r == nil || r.Status != reminder.Cancelled {
			t.Fatalf("cancelled reminder %+v", r)
		}
		// Moving a delivered reminder to a new time arms it again.
		schedule(t, env, "activity:moved:remind", rep.ID, time.Now().Add(time.Second))
		if !apptest.Eventually(t, 10*time.Second, func() bool { return len(inbox(rep, "拜访客户 activity:moved:remind")) == 2 }) {
			t.Fatal("re-armed reminder did not fire")
		}
	})
}

// A reminder written in a transaction that rolls back never exists and is
// never queued.
func TestReminderRolledBackWithItsChange(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b, fastSweep)
		env.StartWorker(nil)
		rep := env.User("rep", "")
		boom := errors.New("boom")
		err := env.App.DB.WithTx(context.Background(), func(ctx context.Context) error {
			if err := env.App.Reminders.Schedule(ctx, reminder.Reminder{Key: "activity:rb:remind", UserID: rep.ID,
				Kind: "activity_reminder", Title: "rolled back", DueAt: time.Now()}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if _, err := env.App.Reminders.Get(context.Background(), "activity:rb:remind"); err == nil {
			t.Fatal("reminder of a rolled-back change exists")
		}
		time.Sleep(2500 * time.Millisecond)
		if n := len(inbox(rep, "rolled back")); n != 0 {
			t.Fatal("rolled-back reminder delivered")
		}
	})
}

func TestUnreadCountAndReadAll(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		env.StartWorker(nil)
		rep := env.User("rep", "")
		other := env.User("rep", "")
		for _, k := range []string{"k1", "k2", "k3"} {
			schedule(t, env, "activity:"+k+":remind", rep.ID, time.Now())
		}
		schedule(t, env, "activity:k4:remind", other.ID, time.Now())
		var c, oc notification.UnreadCountResponse
		if !apptest.Eventually(t, 10*time.Second, func() bool {
			rep.Get("/notifications/unread-count").Status(http.StatusOK).Decode(&c)
			other.Get("/notifications/unread-count").Status(http.StatusOK).Decode(&oc)
			return c.UnreadCount == 3 && oc.UnreadCount == 1
		}) {
			t.Fatalf("unread = %d, other's %d", c.UnreadCount, oc.UnreadCount)
		}
		var page notification.List
		rep.Get("/notifications?unread=true").Status(http.StatusOK).Decode(&page)
		if page.UnreadCount != 3 || len(page.Data) != 3 {
			t.Fatalf("page unread=%d items=%d", page.UnreadCount, len(page.Data))
		}
		// Another user cannot read mine.
		other.Post("/notifications/"+page.Data[0].ID+"/read", nil).Status(http.StatusNotFound)
		rep.Post("/notifications/"+page.Data[0].ID+"/read", nil).Status(http.StatusOK)
		rep.Get("/notifications/unread-count").Status(http.StatusOK).Decode(&c)
		if c.UnreadCount != 2 {
			t.Fatalf("after read: %d", c.UnreadCount)
		}
		var all notification.ReadAllResponse
		rep.Post("/notifications/read-all", nil).Status(http.StatusOK).Decode(&all)
		if all.Updated != 2 {
			t.Fatalf("read-all updated %d", all.Updated)
		}
		rep.Get("/notifications/unread-count").Status(http.StatusOK).Decode(&c)
		other.Get("/notifications/unread-count").Status(http.StatusOK).Decode(&page)
		if c.UnreadCount != 0 || page.UnreadCount != 1 {
			t.Fatalf("after read-all: mine %d, other's %d", c.UnreadCount, page.UnreadCount)
		}
	})
}
