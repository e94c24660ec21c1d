package app

import (
	"context"
	"fmt"
	"io"

	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/authz"
)

// DemoPassword is the password of every demo user.
const DemoPassword = "Demo-Passw0rd"

// SeedDemo loads a small, realistic organisation through the services (so
// the audit log and every rule apply): two regional teams under a national
// sales department, a manager and reps in each. It refuses to run twice.
func (a *App) SeedDemo(ctx context.Context, out io.Writer) error {
	sys := authz.WithActor(ctx, authz.System("demo seed"))
	if _, err := a.Org.Store().UserByEmail(sys, "zhang.wei@demo.example.com"); err == nil {
		return fmt.Errorf("seed: demo data is already loaded")
	}
	root, err := a.Org.CreateTeam(sys, org.TeamCreateRequest{Name: "全国销售部"})
	if err != nil {
		return err
	}
	east, err := a.Org.CreateTeam(sys, org.TeamCreateRequest{Name: "华东大区", ParentID: &root.ID})
	if err != nil {
		return err
	}
	south, err := a.Org.CreateTeam(sys, org.TeamCreateRequest{Name: "华南大区", ParentID: &root.ID})
	if err != nil {
		return err
	}
	people := []struct {
		email, name, role string
		team              *string
	}{
		{"zhang.wei@demo.example.com", "张伟", authz.RoleManager, &root.ID},
		{"wang.fang@demo.example.com", "王芳", authz.RoleManager, &east.ID},
		{"li.na@demo.example.com", "李娜", authz.RoleRep, &east.ID},
		{"liu.yang@demo.example.com", "刘洋", authz.RoleRep, &east.ID},
		{"chen.jing@demo.example.com", "陈静", authz.RoleManager, &south.ID},
		{"zhao.lei@demo.example.com", "赵磊", authz.RoleRep, &south.ID},
	}
	users := map[string]*org.User{}
	for _, p := range people {
		u, err := a.Org.CreateUser(sys, org.UserCreateRequest{Email: p.email, Name: p.name, Password: DemoPassword, Role: p.role, TeamID: p.team})
		if err != nil {
			return err
		}
		users[p.email] = u
	}
	if err := a.seedDemoLeads(sys, users); err != nil {
		return err
	}
	fmt.Fprintf(out, "Demo data loaded: 3 teams, %d users (password %s for all of them).\n", len(people), DemoPassword)
	for _, p := range people {
		fmt.Fprintf(out, "  %-30s %-8s %s\n", p.email, p.role, p.name)
	}
	return nil
}
