package approval

import (
	"context"
	"slices"

	"github.com/opencrm/crm/internal/platform/authz"
)

// resolve finds the approvers of every step for a submission by a, as the
// seats of request id. Nobody approves their own submission: the
// submitter is left out of every step (for a manager step, the walk up the
// team tree goes past a team whose only manager is the submitter). A step
// left empty falls to the active admins, any one of whom decides it; when
// there is none either, nobody can approve and it is 422 no_approver.
func (s *Service) resolve(ctx context.Context, a *authz.Actor, id string, steps []Step) ([]AppliedStep, []Approver, error) {
	var (
		applied = make([]AppliedStep, len(steps))
		seats   []Approver
		admins  []string
		loaded  bool
	)
	for i, st := range steps {
		ids, err := s.candidates(ctx, a, st)
		if err != nil {
			return nil, nil, err
		}
		ids = slices.DeleteFunc(ids, func(u string) bool { return u == a.UserID })
		applied[i] = AppliedStep{Step: st}
		if len(ids) == 0 {
			if !loaded {
				if admins, err = s.store.WithRole(ctx, authz.RoleAdmin); err != nil {
					return nil, nil, err
				}
				admins, loaded = slices.DeleteFunc(admins, func(u string) bool { return u == a.UserID }), true
			}
			if len(admins) == 0 {
				return nil, nil, noApprover()
			}
			ids = admins
			applied[i].Fallback, applied[i].Mode = true, ModeAny
		}
		for _, u := range ids {
			seats = append(seats, Approver{ID: newID(), RequestID: id, Step: i + 1, UserID: u})
		}
	}
	return applied, seats, nil
}

// candidates lists who a step names, before the submitter is left out.
func (s *Service) candidates(ctx context.Context, a *authz.Actor, st Step) ([]string, error) {
	switch st.ApproverType {
	case ApproverManager:
		return s.store.ManagersAbove(ctx, a.TeamID, a.UserID)
	case ApproverRole:
		return s.store.WithRole(ctx, st.Role)
	default:
		return s.store.ActiveAmong(ctx, st.UserIDs)
	}
}
