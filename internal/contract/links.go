package contract

import (
	"context"

	"github.com/opencrm/crm/internal/opportunity"
	"github.com/opencrm/crm/internal/order"
	"github.com/opencrm/crm/internal/platform/money"
)

// OpportunityLinks gives contracts the opportunities of opportunity.Service.
type OpportunityLinks struct{ Svc *opportunity.Service }

// CustomerOf returns the customer of an opportunity in the caller's scope.
func (l OpportunityLinks) CustomerOf(ctx context.Context, id string) (string, error) {
	o, err := l.Svc.GetVisible(ctx, id)
	if err != nil {
		return "", err
	}
	return o.CustomerID, nil
}

// Win closes the opportunity as won at amount, as the caller (who needs
// opportunities:write and the opportunity in scope); a closed one is 409.
func (l OpportunityLinks) Win(ctx context.Context, id string, amount money.Amount, note string) error {
	a := amount.String()
	_, err := l.Svc.Win(ctx, id, nil, opportunity.WinRequest{Amount: &a, Note: note})
	return err
}

// OrderLinks gives contracts the sales orders of order.Service.
type OrderLinks struct{ Svc *order.Service }

// CustomerOf returns the customer of an order in the caller's scope.
func (l OrderLinks) CustomerOf(ctx context.Context, id string) (string, error) {
	o, err := l.Svc.Get(ctx, id)
	if err != nil {
		return "", err
	}
	return o.CustomerID, nil
}
