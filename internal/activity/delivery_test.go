package activity_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/notification"
)

func remindersFor(u *apptest.User, activityID string) int {
	var page notification.List
	u.Get("/notifications?kind=activity_reminder&limit=200").Status(http.StatusOK).Decode(&page)
	n := 0
	for _, x := range page.Data {
		if x.RefType == "activity" && x.RefID == activityID {
			n++
		}
	}
	return n
}

// Through the real queue: a reminder 2 s ahead arrives once, to the owner
// and each participant; a moved activity reminds at its new time; a
// cancelled one never.
func TestActivityRemindersDeliveredThroughQueue(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		env.StartWorker(nil)
		team := env.Team("East", "")
		rep, peer := env.User("rep", team), env.User("rep", team)
		cust := newCustomer(t, rep.Client, map[string]any{"name": "恒达精密"})
		at := func(d time.Duration) string { return time.Now().UTC().Add(d).Format(time.RFC3339Nano) }
		body := func(subject string, remind time.Duration) map[string]any {
			return map[string]any{"type": "meeting", "subject": subject, "related_type": "customer", "related_id": cust,
				"participant_ids": []string{peer.ID}, "start_at": at(time.Hour), "remind_at": at(remind)}
		}
		soon := newActivity(t, rep.Client, body("方案评审", 2*time.Second))
		moved := newActivity(t, rep.Client, body("改期会议", 2*time.Second))
		gone := newActivity(t, rep.Client, body("取消的会议", 2*time.Second))
		rep.Patch("/activities/"+moved.ID, map[string]any{"remind_at": at(6 * time.Second)}).Status(http.StatusOK)
		rep.Post("/activities/"+gone.ID+"/cancel", nil).Status(http.StatusOK)

		if !apptest.Eventually(t, 10*time.Second, func() bool {
			return remindersFor(rep, soon.ID) == 1 && remindersFor(peer, soon.ID) == 1
		}) {
			t.Fatalf("reminder did not arrive: owner %d, participant %d", remindersFor(rep, soon.ID), remindersFor(peer, soon.ID))
		}
		if n := remindersFor(rep, moved.ID); n != 0 {
			t.Fatalf("moved activity reminded at its old time (%d)", n)
		}
		if !apptest.Eventually(t, 10*time.Second, func() bool { return remindersFor(rep, moved.ID) == 1 }) {
			t.Fatal("moved reminder did not arrive")
		}
		time.Sleep(1500 * time.Millisecond)
		if remindersFor(rep, soon.ID) != 1 || remindersFor(peer, soon.ID) != 1 || remindersFor(rep, moved.ID) != 1 {
			t.Fatal("a reminder arrived twice")
		}
		if remindersFor(rep, gone.ID) != 0 || remindersFor(peer, gone.ID) != 0 {
			t.Fatal("cancelled activity reminded")
		}
	})
}
