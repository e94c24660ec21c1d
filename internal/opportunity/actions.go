package opportunity

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/validate"
)

// invalidTransition is the 409 for an action the opportunity's state
// does not allow.
func invalidTransition() error { return apperr.Conflict("invalid_transition", "invalid_transition") }

// MoveStage moves an open opportunity to another open stage of its
// pipeline. Won and lost stages are reached through Win and Lose (422 on
// stage_id); a closed opportunity is 409 until reopened.
func (s *Service) MoveStage(ctx context.Context, id string, ifMatch *int, req StageMoveRequest) (*Opportunity, error) {
	if err := authz.Require(ctx, "opportunities:write"); err != nil {
		return nil, err
	}
	return s.mutate(ctx, id, ifMatch, "stage", func(ctx context.Context, o *Opportunity) error {
		var v validate.V
		if v.Required("stage_id", req.StageID) {
			v.MaxLen("note", req.Note, maxText)
		}
		if err := v.Err(); err != nil {
			return err
		}
		if o.Closed() {
			return invalidTransition()
		}
		p, err := s.pipes.Get(ctx, o.PipelineID)
		if err != nil {
			return err
		}
		st, err := openStage(p, "stage_id", req.StageID)
		if err != nil {
			return err
		}
		if st.ID == o.StageID {
			return invalidTransition()
		}
		return s.moveTo(ctx, o, st, strings.TrimSpace(req.Note))
	})
}

// Win closes an open opportunity as won, optionally with its final amount.
func (s *Service) Win(ctx context.Context, id string, ifMatch *int, req WinRequest) (*Opportunity, error) {
	if err := authz.Require(ctx, "opportunities:write"); err != nil {
		return nil, err
	}
	return s.mutate(ctx, id, ifMatch, "win", func(ctx context.Context, o *Opportunity) error {
		var v validate.V
		amount, ok := v.Money("amount", req.Amount, false)
		v.MaxLen("note", req.Note, maxText)
		if err := v.Err(); err != nil {
			return err
		}
		if o.Closed() {
			return invalidTransition()
		}
		if ok {
			o.Amount = amount
		}
		return s.close(ctx, o, KindWon, strings.TrimSpace(req.Note))
	})
}

// Lose closes an open opportunity as lost, with the reason and, when it
// went to a competitor, which one (added to its competitors).
func (s *Service) Lose(ctx context.Context, id string, ifMatch *int, req LoseRequest) (*Opportunity, error) {
	if err := authz.Require(ctx, "opportunities:write"); err != nil {
		return nil, err
	}
	return s.mutate(ctx, id, ifMatch, "lose", func(ctx context.Context, o *Opportunity) error {
		var v validate.V
		reason := strings.TrimSpace(req.Reason)
		if v.Required("reason", reason) {
			v.MaxLen("reason", reason, maxLong)
		}
		comp := strings.TrimSpace(deref(req.CompetitorID))
		if err := v.Err(); err != nil {
			return err
		}
		if o.Closed() {
			return invalidTransition()
		}
		o.LostReason, o.LostCompetitorID = reason, nil
		if comp != "" {
			if _, err := uuid.Parse(comp); err != nil {
				return unknownRef("competitor_id", "competitor")
			}
			if n, err := s.store.countCompetitors(ctx, []string{comp}); err != nil {
				return err
			} else if n != 1 {
				return unknownRef("competitor_id", "competitor")
			}
			o.LostCompetitorID = &comp
			if !slices.Contains(o.CompetitorIDs, comp) {
				o.CompetitorIDs = append(o.CompetitorIDs, comp)
			}
		}
		return s.close(ctx, o, KindLost, reason)
	})
}

// Reopen puts a won or lost opportunity back into an open stage: the one
// named, or the last open stage it was in.
func (s *Service) Reopen(ctx context.Context, id string, ifMatch *int, req ReopenRequest) (*Opportunity, error) {
	if err := authz.Require(ctx, "opportunities:write"); err != nil {
		return nil, err
	}
	return s.mutate(ctx, id, ifMatch, "reopen", func(ctx context.Context, o *Opportunity) error {
		var v validate.V
		v.MaxLen("note", req.Note, maxText)
		if err := v.Err(); err != nil {
			return err
		}
		if !o.Closed() {
			return invalidTransition()
		}
		p, err := s.pipes.Get(ctx, o.PipelineID)
		if err != nil {
			return err
		}
		var st *Stage
		if req.StageID != nil && strings.TrimSpace(*req.StageID) != "" {
			if st, err = openStage(p, "stage_id", *req.StageID); err != nil {
				return err
			}
		} else if st, err = s.lastOpenStage(ctx, o, p); err != nil {
			return err
		}
		o.ClosedAt, o.LostReason, o.LostCompetitorID = nil, "", nil
		return s.moveTo(ctx, o, st, strings.TrimSpace(req.Note))
	})
}

// lastOpenStage is the latest open stage of p the opportunity was in, or
// p's first open stage.
func (s *Service) lastOpenStage(ctx context.Context, o *Opportunity, p *Pipeline) (*Stage, error) {
	entries, err := s.store.Entries(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if st := p.stageByID(entries[i].StageID); st != nil && st.Kind == KindOpen {
			return st, nil
		}
	}
	return p.stageOfKind(KindOpen), nil
}

// close moves o into its pipeline's won or lost stage.
func (s *Service) close(ctx context.Context, o *Opportunity, kind, note string) error {
	p, err := s.pipes.Get(ctx, o.PipelineID)
	if err != nil {
		return err
	}
	return s.moveTo(ctx, o, p.stageOfKind(kind), note)
}

// moveTo enters st and rescores.
func (s *Service) moveTo(ctx context.Context, o *Opportunity, st *Stage, note string) error {
	now := db.Now()
	if err := s.enterStage(ctx, o, st, now, note); err != nil {
		return err
	}
	score, err := s.scoreOf(ctx, o, st.Probability, now)
	o.Score = score
	return err
}

// enterStage closes the current stage entry (cancelling its overdue
// reminder) and opens one for st; status and closed_at follow st's kind.
func (s *Service) enterStage(ctx context.Context, o *Opportunity, st *Stage, now time.Time, note string) error {
	if o.StageEntryID != "" {
		if err := s.store.CloseEntry(ctx, o.StageEntryID, now); err != nil {
			return err
		}
		if err := s.reminders.Cancel(ctx, overdueKey(o)); err != nil {
			return err
		}
	}
	e := &StageEntry{ID: uuid.Must(uuid.NewV7()).String(), OpportunityID: o.ID, StageID: st.ID, StageName: st.Name,
		Kind: st.Kind, EnteredAt: now, EnteredBy: authz.ActorFrom(ctx).ID(), Note: note}
	if err := s.store.AddEntry(ctx, e); err != nil {
		return err
	}
	o.StageID, o.StageEntryID, o.StageEnteredAt, o.StageOverdue, o.Status = st.ID, e.ID, now, false, st.Kind
	o.ClosedAt = nil
	if st.Kind != KindOpen {
		o.ClosedAt = &now
	}
	return nil
}

// overdueKey names the stage-overdue reminder of o's current stage entry.
func overdueKey(o *Opportunity) string { return "stage-overdue:" + o.ID + ":" + o.StageEntryID }

// StageHistory lists every stage an opportunity in scope entered, with the
// time spent there (up to now for the current one).
func (s *Service) StageHistory(ctx context.Context, id string) (StageHistory, error) {
	out := StageHistory{Data: []StageEntryResponse{}}
	o, err := s.Get(ctx, id)
	if err != nil {
		return out, err
	}
	entries, err := s.store.Entries(ctx, o.ID)
	if err != nil {
		return out, err
	}
	now := db.Now()
	for _, e := range entries {
		end := now
		if e.LeftAt != nil {
			end = *e.LeftAt
		}
		out.Data = append(out.Data, StageEntryResponse{ID: e.ID, StageID: e.StageID, StageName: e.StageName,
			Kind: e.Kind, EnteredAt: e.EnteredAt, LeftAt: e.LeftAt, DurationSeconds: int64(end.Sub(e.EnteredAt).Seconds()),
			EnteredBy: e.EnteredBy, Note: e.Note})
	}
	return out, nil
}

// StrategyHistory lists the versions of an opportunity's strategy notes.
func (s *Service) StrategyHistory(ctx context.Context, id string) (StrategyHistory, error) {
	out := StrategyHistory{Data: []StrategyChangeResponse{}}
	o, err := s.Get(ctx, id)
	if err != nil {
		return out, err
	}
	changes, err := s.store.Strategies(ctx, o.ID)
	if err != nil {
		return out, err
	}
	for _, c := range changes {
		out.Data = append(out.Data, StrategyChangeResponse{Strategy: c.Strategy, ChangedBy: c.ChangedBy,
			ChangedAt: c.ChangedAt})
	}
	return out, nil
}
