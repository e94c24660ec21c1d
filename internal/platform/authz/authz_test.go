package authz

import "testing"

func TestActorKindAndPermissions(t *testing.T) {
	Grant("widgets:read", RoleRep)
	Grant("widgets:assign", RoleManager)

	rep := &Actor{UserID: "u1", Role: RoleRep}
	key := &Actor{APIKeyID: "k1", Scopes: []string{"widgets:write"}}
	sys := System("test")
	if rep.Kind() != "user" || key.Kind() != "api_key" || sys.Kind() != "system" {
		t.Fatalf("kinds: %s %s %s", rep.Kind(), key.Kind(), sys.Kind())
	}
	if key.ID() != "k1" || sys.ID() != SystemID || !sys.SeesAll() || !key.SeesAll() || rep.SeesAll() {
		t.Fatal("ids or scope")
	}
	// Roles hold exactly what was granted.
	if !rep.Can("widgets:read") || rep.Can("widgets:assign") {
		t.Fatal("rep permissions")
	}
	// A key's write scope covers every non-read action, not reads.
	if !key.Can("widgets:assign") || key.Can("widgets:read") {
		t.Fatal("key scope mapping")
	}
	var none *Actor
	if none.Can("widgets:read") {
		t.Fatal("nil actor can")
	}
}

func TestCanOwn(t *testing.T) {
	mgr := &Actor{UserID: "m", Role: RoleManager, TeamSubtree: []string{"east", "east-1"}}
	rep := &Actor{UserID: "r", Role: RoleRep, TeamID: "east"}
	cases := []struct {
		a          *Actor
		user, team string
		want       bool
	}{
		{mgr, "m", "", true},
		{mgr, "x", "east-1", true},
		{mgr, "x", "west", false},
		{rep, "r", "east", true},
		{rep, "y", "east", false},
		{System("t"), "z", "west", true},
	}
	for _, c := range cases {
		if got := c.a.CanOwn(c.user, c.team); got != c.want {
			t.Errorf("%+v CanOwn(%s,%s) = %v", c.a, c.user, c.team, got)
		}
	}
}
