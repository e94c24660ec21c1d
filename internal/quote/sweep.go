package quote

import (
	"context"
	"errors"

	"github.com/opencrm/crm/internal/jobs"
	"github.com/opencrm/crm/internal/platform/apperr"
)

const expiryBatch = 200

// ExpirySweep marks approved and sent quotes expired once their
// valid_until day is over in the organisation's time zone, each in its
// own transaction with its quote.expired event. A quote that moved on
// meanwhile (sent → accepted) is skipped, so running it twice is harmless.
func (s *Service) ExpirySweep(ctx context.Context) (jobs.Result, error) {
	res := jobs.Result{Details: map[string]int{"expired": 0}}
	today, err := s.deps.Today(ctx)
	if err != nil {
		return res, err
	}
	after := ""
	for {
		batch, err := s.store.Expiring(ctx, today, after, expiryBatch)
		if err != nil {
			return res, err
		}
		for i := range batch {
			q := &batch[i]
			after = q.ID
			_, err := s.act(ctx, s.store.GetAny, q.ID, &q.Version, "expire", just("quote.expired"), nil)
			switch {
			case err == nil:
				res.Processed++
				res.Details["expired"]++
			case errors.Is(err, apperr.ErrConflict), errors.Is(err, apperr.ErrPrecondition):
			default:
				return res, err
			}
		}
		if len(batch) < expiryBatch {
			return res, nil
		}
	}
}
