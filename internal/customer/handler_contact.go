package customer

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

func renderContact(c echo.Context, status int, ct *Contact, cust *Customer) error {
	httpx.SetETag(c, ct.Version)
	return c.JSON(status, PresentContact(authz.ActorFrom(c.Request().Context()), ct, cust))
}

// listContacts pages through the caller's contacts.
//
//	@Summary		List contacts
//	@Description	Contacts of the customers in the caller's data scope (a contact is visible to whoever sees its customer). Contacts of pool customers are listed under GET /customers/{id}/contacts.
//	@ID				listContacts
//	@Tags			contacts
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			customer_id		query		string	false	"Customer id"
//	@Param			q				query		string	false	"Search name, title, phone, mobile, email, WeChat (case-insensitive substring)"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: created_at, updated_at, name; prefix - for descending"	default(-created_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	ContactList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Router			/contacts [get]
func (h *Handler) listContacts(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	page, err := h.svc.ListContacts(c.Request().Context(),
		ContactFilter{CustomerID: c.QueryParam("customer_id"), Q: c.QueryParam("q")}, r)
	if err != nil {
		return err
	}
	a := authz.ActorFrom(c.Request().Context())
	return c.JSON(http.StatusOK, paging.Map(page, func(ct *Contact) ContactResponse { return PresentContact(a, ct, nil) }))
}

// customerContacts pages through one customer's contacts.
//
//	@Summary		List a customer's contacts
//	@Description	The customer must be in the caller's data scope or in the public pool (404 otherwise). Contacts of a pool customer show phone, mobile, email and WeChat masked for callers without admin scope.
//	@ID				listCustomerContacts
//	@Tags			contacts
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id				path		string	true	"Customer id"
//	@Param			q				query		string	false	"Search name, title, phone, mobile, email, WeChat; only name and title while the customer is in the pool and shown masked"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: created_at, updated_at, name; prefix - for descending"	default(-created_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	ContactList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Failure		404				{object}	httpx.Problem
//	@Router			/customers/{id}/contacts [get]
func (h *Handler) customerContacts(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	page, cust, err := h.svc.CustomerContacts(c.Request().Context(), c.Param("id"), ContactFilter{Q: c.QueryParam("q")}, r)
	if err != nil {
		return err
	}
	a := authz.ActorFrom(c.Request().Context())
	return c.JSON(http.StatusOK, paging.Map(page, func(ct *Contact) ContactResponse { return PresentContact(a, ct, cust) }))
}

// createContact adds a contact.
//
//	@Summary		Create a contact
//	@Description	customer_id must name a customer in the caller's data scope (a pool customer must be claimed first; admins excepted), else 422 on customer_id. birthday is a date (2026-11-22).
//	@ID				createContact
//	@Tags			contacts
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		ContactCreateRequest	true	"Contact"
//	@Success		201		{object}	ContactResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/contacts [post]
func (h *Handler) createContact(c echo.Context) error {
	var req ContactCreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	ct, err := h.svc.CreateContact(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return renderContact(c, http.StatusCreated, ct, nil)
}

// getContact shows one contact.
//
//	@Summary		Get a contact
//	@Description	Visible when its customer is in the caller's data scope or in the public pool (then masked for callers without admin scope); 404 otherwise.
//	@ID				getContact
//	@Tags			contacts
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Contact id"
//	@Success		200	{object}	ContactResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/contacts/{id} [get]
func (h *Handler) getContact(c echo.Context) error {
	ct, cust, err := h.svc.GetContact(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return renderContact(c, http.StatusOK, ct, cust)
}

// updateContact changes a contact.
//
//	@Summary		Update a contact
//	@Description	Its customer must be in the caller's data scope. Absent fields stay; an empty birthday clears it. If-Match is honoured (412).
//	@ID				updateContact
//	@Tags			contacts
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string					true	"Contact id"
//	@Param			If-Match	header		string					false	"ETag of the version you read"
//	@Param			body		body		ContactUpdateRequest	true	"Changes"
//	@Success		200			{object}	ContactResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		413			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/contacts/{id} [patch]
func (h *Handler) updateContact(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req ContactUpdateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	ct, err := h.svc.UpdateContact(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return renderContact(c, http.StatusOK, ct, nil)
}

// deleteContact soft-deletes a contact.
//
//	@Summary		Delete a contact
//	@Description	Its customer must be in the caller's data scope. Soft delete, kept in the audit log. If-Match is honoured (412).
//	@ID				deleteContact
//	@Tags			contacts
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path	string	true	"Contact id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		204
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/contacts/{id} [delete]
func (h *Handler) deleteContact(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteContact(c.Request().Context(), c.Param("id"), ifMatch); err != nil {
		return err
	}
	return httpx.NoContent(c)
}
