package payment

import (
	"context"
	"fmt"
	"slices"

	"github.com/opencrm/crm/internal/order"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
)

// OrderLinks gives invoices the sales orders of order.Service. The order
// row is locked here (order.Service offers no lock) so that invoice
// requests on one order queue on it.
type OrderLinks struct {
	Svc *order.Service
	DB  *db.DB
}

// Received sets the order's payment_status from what its contract has
// received: paid once that covers the order total, partially_paid while
// something has come in, unpaid otherwise.
func (l OrderLinks) Received(ctx context.Context, orderID string, received money.Amount) error {
	var totals []int64
	if err := l.DB.Conn(ctx).Table("orders").Where("id = ?", orderID).Pluck("total", &totals).Error; err != nil {
		return fmt.Errorf("payment.order_received: %w", err)
	}
	if len(totals) == 0 {
		return nil
	}
	status := order.PaymentUnpaid
	switch {
	case received >= money.Amount(totals[0]):
		status = order.PaymentPaid
	case received > 0:
		status = order.PaymentPartiallyPaid
	}
	return l.Svc.SetPaymentStatus(ctx, orderID, status)
}

// invoiceable are the order statuses an invoice may be requested in: the
// order is approved and not cancelled.
var invoiceable = []string{order.StatusApproved, order.StatusShipped, order.StatusDelivered, order.StatusCompleted}

// Lock loads an order in the caller's scope and locks its row.
func (l OrderLinks) Lock(ctx context.Context, id string) (Order, error) {
	o, err := l.Svc.Get(ctx, id)
	if err != nil {
		return Order{}, err
	}
	var locked []string
	if err := l.DB.ForUpdate(l.DB.Conn(ctx).Table("orders").Where("id = ?", o.ID)).Pluck("id", &locked).Error; err != nil {
		return Order{}, fmt.Errorf("invoice.lock_order: %w", err)
	}
	return Order{ID: o.ID, CustomerID: o.CustomerID, OwnerID: o.OwnerID, Currency: o.Currency, Total: o.Total,
		Invoiceable: slices.Contains(invoiceable, o.Status)}, nil
}
