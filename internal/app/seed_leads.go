package app

import (
	"context"

	"github.com/opencrm/crm/internal/org"
)

// seedDemoLeads gives the demo reps some leads. (Filled in with the lead module.)
func (a *App) seedDemoLeads(ctx context.Context, users map[string]*org.User) error { return nil }
