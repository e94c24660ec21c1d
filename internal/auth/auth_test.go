package auth_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

func TestMain(m *testing.M) { apptest.Main(m) }

func TestLoginAndMe(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		me := env.Admin.Get("/me").Status(http.StatusOK).Map()
		if me["role"] != "admin" || me["email"] != apptest.AdminEmail {
			t.Fatalf("me = %v", me)
		}
		team := env.Team("East", "")
		rep := env.User("rep", team)
		m := rep.Get("/me").Status(http.StatusOK).Map()
		if m["role"] != "rep" || m["team_id"] != team {
			t.Fatalf("rep me = %v", m)
		}
	})
}
