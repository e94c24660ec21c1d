package salesdoc

import (
	"context"

	"github.com/opencrm/crm/internal/approval"
)

// ApprovalEngine is the approval engine (approval.Service) as documents
// use it.
type ApprovalEngine struct{ Svc *approval.Service }

// Submit opens an approval request for the document.
func (e ApprovalEngine) Submit(ctx context.Context, s Submission) error {
	_, err := e.Svc.Submit(ctx, approval.SubmitInput{Entity: s.Entity, DocID: s.DocID, Title: s.Title,
		Amount: s.Amount, CustomerID: s.CustomerID})
	return err
}

// Withdraw closes the document's pending request.
func (e ApprovalEngine) Withdraw(ctx context.Context, entity, docID, reason string) error {
	return e.Svc.Withdraw(ctx, entity, docID, reason)
}
