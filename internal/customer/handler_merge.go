package customer

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
)

// MergeRequest is the body of POST /customers/{id}/merge.
type MergeRequest struct {
	SourceIDs []string `json:"source_ids" validate:"required" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a73"`
} // @name CustomerMergeRequest

// merge folds duplicate customers into one.
//
//	@Summary		Merge customers
//	@Description	Admins and managers (customers:merge). The target (the path id) and every source must be in the caller's data scope. In one transaction the sources' contacts (deleted ones too), follow-ups, ownership history and leads move to the target; the target keeps its values, fills its blank fields and adds tags from the sources; each source ends soft-deleted with merged_into_id set (GET answers 404 afterwards). The target's timeline shows a merged event and the moved items; audit rows (action merge) are written for the target and every source. 422 on source_ids when it is empty, holds over 50 ids, holds the target itself, or names a customer that is unknown, outside the caller's scope or already merged. If-Match on the target is honoured (412).
//	@ID				mergeCustomers
//	@Tags			customers
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string			true	"Target customer id"
//	@Param			If-Match	header		string			false	"ETag of the version you read"
//	@Param			body		body		MergeRequest	true	"Customers to merge into the target"
//	@Success		200			{object}	CustomerResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		413			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/customers/{id}/merge [post]
func (h *Handler) merge(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req MergeRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	cust, err := h.svc.Merge(c.Request().Context(), c.Param("id"), ifMatch, req.SourceIDs)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, cust)
}
