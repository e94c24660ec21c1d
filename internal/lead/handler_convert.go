package lead

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/dedupe"
	"github.com/opencrm/crm/internal/opportunity"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/httpx"
)

// duplicates checks for duplicates ahead of a create.
//
//	@Summary		Check for duplicates
//	@Description	Which live leads (any status) and customers (by name, phone or email, or a contact's phone or email) match the given phone, email or company, compared as a create would (normalised: spaces, dashes, +86/0086, full-width characters, case; company legal forms such as 有限公司 or Co., Ltd. ignored). Matches outside the caller's data scope come with only type, in_scope false and matched_on; pool records (open unowned leads, unowned customers) count as in scope. At least one of the three is required (422).
//	@ID				checkLeadDuplicates
//	@Tags			leads
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			phone	query		string	false	"Phone"
//	@Param			email	query		string	false	"Email"
//	@Param			company	query		string	false	"Company name"
//	@Success		200		{object}	dedupe.MatchList
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/leads/duplicates [get]
func (h *Handler) duplicates(c echo.Context) error {
	ms, err := h.svc.Duplicates(c.Request().Context(), c.QueryParam("phone"), c.QueryParam("email"),
		c.QueryParam("company"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, dedupe.List(ms))
}

// convert turns a lead into a customer and a contact.
//
//	@Summary		Convert a lead
//	@Description	One transaction: attaches the lead to an existing customer in the caller's data scope (customer_id; unknown or out of scope is 422 on customer_id) or creates one (customer, blank fields pre-filled from the lead: name from its company, region, source, tags; owned by the lead's owner, or the caller for an unowned lead), creates a contact under it (contact, pre-filled from the lead's person), with opportunity given opens an opportunity for them (default pipeline, first stage; name defaults to the customer's name; owned by the lead's owner, or the caller; the lead's source), and moves the lead to converted with customer_id, contact_id and converted_at. A failure in any step leaves nothing behind. The new customer goes through the duplicate check (409 duplicate; the lead itself does not count; allow_duplicate=true overrides, audited). The lead's follow-ups and the conversion show on the customer's timeline. A converted or disqualified lead is 409 invalid_transition. Field errors of the customer, contact and opportunity parts are named customer.<field>, contact.<field> and opportunity.<field>. Audited: convert on the lead, create on the customer, the contact and the opportunity. If-Match on the lead is honoured (412).
//	@ID				convertLead
//	@Tags			leads
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id				path		string				true	"Lead id"
//	@Param			If-Match		header		string				false	"ETag of the version you read"
//	@Param			allow_duplicate	query		bool				false	"Create the customer even if it duplicates existing records (audited)"
//	@Param			body			body		LeadConvertRequest	true	"Conversion"
//	@Success		200				{object}	LeadConversionResponse
//	@Header			200				{string}	ETag	"Version of the lead, for If-Match"
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Failure		404				{object}	httpx.Problem
//	@Failure		409				{object}	httpx.Problem
//	@Failure		412				{object}	httpx.Problem
//	@Failure		413				{object}	httpx.Problem
//	@Failure		415				{object}	httpx.Problem
//	@Failure		422				{object}	httpx.Problem
//	@Router			/leads/{id}/convert [post]
func (h *Handler) convert(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	allow, err := httpx.QueryBool(c, "allow_duplicate", false)
	if err != nil {
		return err
	}
	var req LeadConvertRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	conv, err := h.svc.Convert(ctx, c.Param("id"), ifMatch, req, allow)
	if err != nil {
		return err
	}
	a := authz.ActorFrom(ctx)
	httpx.SetETag(c, conv.Lead.Version)
	out := LeadConversionResponse{Lead: View(conv.Lead), Customer: customer.Present(a, conv.Customer),
		Contact: customer.PresentContact(a, conv.Contact, conv.Customer)}
	if conv.Opportunity != nil {
		v := opportunity.View(conv.Opportunity)
		out.Opportunity = &v
	}
	return c.JSON(http.StatusOK, out)
}
