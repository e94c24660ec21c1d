package customer

import "context"

// Activate makes a customer active (lifecycle_stage), as signing its first
// contract does; an active customer is left alone. It acts whatever the
// caller's scope, since the caller has authorised the signing that causes
// it, and is audited as "activate" in the caller's transaction.
func (s *Service) Activate(ctx context.Context, id string) error {
	c, err := s.store.GetLive(ctx, id)
	if err != nil || c.LifecycleStage == "active" {
		return err
	}
	load := func(context.Context) (*Customer, error) { return c, nil }
	_, err = s.writes.Apply(ctx, load, nil, "activate", func(context.Context, *Customer) error {
		c.LifecycleStage = "active"
		return nil
	})
	return err
}
