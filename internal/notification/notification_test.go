package notification_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/notification"
	"github.com/opencrm/crm/internal/platform/authz"
)

func TestMain(m *testing.M) { apptest.Main(m) }

func notify(t *testing.T, env *apptest.Env, userID, title string) {
	t.Helper()
	ctx := authz.WithActor(context.Background(), &authz.Actor{UserID: "system", Role: authz.RoleAdmin})
	if err := env.App.Notifications.Notify(ctx, notification.Notification{UserID: userID, Kind: "test",
		Title: title, Body: "body", RefType: "lead", RefID: "x"}); err != nil {
		t.Fatal(err)
	}
}

type list struct {
	Data []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		Read  bool   `json:"read"`
	} `json:"data"`
	Total *int64 `json:"total"`
}

func TestInboxIsPrivateAndMarksRead(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		a, other := env.User("rep", ""), env.User("rep", "")
		notify(t, env, a.ID, "first")
		notify(t, env, a.ID, "second")
		notify(t, env, other.ID, "not yours")

		var l list
		a.Get("/notifications?include_total=true").Status(http.StatusOK).Decode(&l)
		if len(l.Data) != 2 || *l.Total != 2 || l.Data[0].Title != "second" || l.Data[0].Read {
			t.Fatalf("inbox = %+v", l)
		}
		// Another user's notification is invisible: 404, not 403.
		var theirs list
		other.Get("/notifications").Status(http.StatusOK).Decode(&theirs)
		a.Post("/notifications/"+theirs.Data[0].ID+"/read", nil).Status(http.StatusNotFound).Problem()
		// Nor can the admin mark it: the inbox is personal.
		env.Admin.Post("/notifications/"+theirs.Data[0].ID+"/read", nil).Status(http.StatusNotFound)

		r := a.Post("/notifications/"+l.Data[1].ID+"/read", nil).Status(http.StatusOK).Map()
		if r["read"] != true || r["read_at"] == nil {
			t.Fatalf("read = %v", r)
		}
		a.Post("/notifications/"+l.Data[1].ID+"/read", nil).Status(http.StatusOK) // idempotent

		var unread list
		a.Get("/notifications?unread=true").Status(http.StatusOK).Decode(&unread)
		if len(unread.Data) != 1 || unread.Data[0].Title != "second" {
			t.Fatalf("unread = %+v", unread)
		}
		n := a.Post("/notifications/read-all", nil).Status(http.StatusOK).Map()
		if n["updated"] != float64(1) {
			t.Fatalf("read-all = %v", n)
		}
		a.Get("/notifications?unread=true").Status(http.StatusOK).Decode(&unread)
		if len(unread.Data) != 0 {
			t.Fatalf("still unread: %+v", unread)
		}
		// The other user's stays unread.
		other.Get("/notifications?unread=true").Status(http.StatusOK).Decode(&theirs)
		if len(theirs.Data) != 1 {
			t.Fatalf("other inbox = %+v", theirs)
		}
		a.Get("/notifications?unread=maybe").Status(http.StatusBadRequest).Problem()
	})
}
