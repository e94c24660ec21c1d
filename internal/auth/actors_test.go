package auth_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

// TestActorCacheFollowsChanges: Authenticate keeps the users it read
// between requests, yet a role or team change, a team moved under another
// manager's tree, a disabled user and a logout all act on the very next
// request.
func TestActorCacheFollowsChanges(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east, west := env.Team("East", ""), env.Team("West", "")
		mgr, rep, other := env.User("manager", east), env.User("rep", east), env.User("rep", west)

		// Scope comes from the actor, so visibility shows which actor served.
		var lead struct{ ID string }
		other.Client.Post("/leads", map[string]any{"name": "李明", "company": "恒达精密", "phone": "+86 139 0000 1111"}).
			Status(http.StatusCreated).Decode(&lead)
		for range 3 { // warm: the actors are now kept
			rep.Client.Get("/leads/" + lead.ID).Status(http.StatusNotFound)
			mgr.Client.Get("/leads/" + lead.ID).Status(http.StatusNotFound)
		}
		// The rep becomes West's manager: West's lead is in scope at once.
		env.Admin.Patch("/users/"+rep.ID, map[string]any{"role": "manager", "team_id": west}).Status(http.StatusOK)
		rep.Client.Get("/leads/" + lead.ID).Status(http.StatusOK)
		// West moves under East: East's manager sees it at once.
		env.Admin.Patch("/teams/"+west, map[string]any{"parent_id": east}).Status(http.StatusOK)
		mgr.Client.Get("/leads/" + lead.ID).Status(http.StatusOK)

		// Disabling and logging out end access at once.
		other.Client.Get("/me").Status(http.StatusOK)
		env.Admin.Post("/users/"+other.ID+"/disable", nil).Status(http.StatusOK, http.StatusNoContent)
		other.Client.Get("/me").Status(http.StatusUnauthorized)
		mgr.Client.Get("/me").Status(http.StatusOK)
		mgr.Client.Post("/auth/logout", nil).Status(http.StatusNoContent, http.StatusOK)
		mgr.Client.Get("/me").Status(http.StatusUnauthorized)
	})
}
