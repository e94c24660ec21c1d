package authz

import (
	"context"

	"github.com/opencrm/crm/internal/platform/apperr"
	"gorm.io/gorm"
)

// Scope returns a GORM scope that limits a query to the records the actor
// may see, judged by the owner column:
//   - admin and API keys: everything;
//   - manager: records owned by members of their team subtree, and their own;
//   - rep: their own.
//
// Every store query on owned data goes through it (get, list, count,
// search, export, report), so a record outside scope is simply absent: the
// caller gets 404, never 403, and lists and totals cannot leak it.
func Scope(a *Actor, ownerCol string) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		switch {
		case a == nil:
			return q.Where("1 = 0")
		case a.SeesAll():
			return q
		case a.Role == RoleManager && len(a.TeamSubtree) > 0:
			return q.Where(ownerCol+" = ? OR "+ownerCol+" IN (SELECT id FROM users WHERE team_id IN ?)",
				a.UserID, a.TeamSubtree)
		default:
			return q.Where(ownerCol+" = ?", a.UserID)
		}
	}
}

// CanOwn reports whether a user with the given team may be made owner of a
// record by the actor, i.e. the record would stay inside the actor's scope.
func (a *Actor) CanOwn(userID, userTeamID string) bool {
	switch {
	case a.SeesAll():
		return true
	case userID == a.UserID:
		return true
	case a.Role == RoleManager:
		for _, t := range a.TeamSubtree {
			if t == userTeamID {
				return true
			}
		}
	}
	return false
}

// Require returns 403 unless the actor in ctx holds perm.
func Require(ctx context.Context, perm string) error {
	if !ActorFrom(ctx).Can(perm) {
		return apperr.Forbidden(perm)
	}
	return nil
}
