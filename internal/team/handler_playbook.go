package team

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

func renderPlaybook(c echo.Context, status int, p *Playbook) error {
	httpx.SetETag(c, p.Version)
	return c.JSON(status, PlaybookView(p))
}

// listPlaybooks pages through playbooks.
//
//	@Summary		List playbooks
//	@Description	Every playbook (company knowledge: everyone reads them all), optionally of one pipeline or stage.
//	@ID				listPlaybooks
//	@Tags			playbooks
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			pipeline_id		query		string	false	"Pipeline id"
//	@Param			stage_id		query		string	false	"Stage id"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: position, title, created_at; prefix - for descending"	default(position)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	PlaybookList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Router			/playbooks [get]
func (h *Handler) listPlaybooks(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	page, err := h.svc.ListPlaybooks(c.Request().Context(), c.QueryParam("pipeline_id"), c.QueryParam("stage_id"), r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paging.Map(page, PlaybookView))
}

// createPlaybook adds a playbook to a stage.
//
//	@Summary		Create a playbook
//	@Description	Admins and managers. pipeline_id, stage_id (a stage of that pipeline) and title are required; content is markdown of at most 20 000 characters; position orders a stage's playbooks. Removing the stage or its pipeline removes its playbooks.
//	@ID				createPlaybook
//	@Tags			playbooks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		PlaybookRequest	true	"Playbook"
//	@Success		201		{object}	PlaybookResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/playbooks [post]
func (h *Handler) createPlaybook(c echo.Context) error {
	var req PlaybookRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	p, err := h.svc.CreatePlaybook(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return renderPlaybook(c, http.StatusCreated, p)
}

// getPlaybook shows one playbook.
//
//	@Summary		Get a playbook
//	@Description	Everyone may read every playbook.
//	@ID				getPlaybook
//	@Tags			playbooks
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Playbook id"
//	@Success		200	{object}	PlaybookResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/playbooks/{id} [get]
func (h *Handler) getPlaybook(c echo.Context) error {
	p, err := h.svc.GetPlaybook(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return renderPlaybook(c, http.StatusOK, p)
}

// updatePlaybook changes a playbook.
//
//	@Summary		Update a playbook
//	@Description	Admins and managers. Absent fields stay; a new stage_id must belong to the (new) pipeline_id. Send If-Match with the ETag (412 when stale).
//	@ID				updatePlaybook
//	@Tags			playbooks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string			true	"Playbook id"
//	@Param			If-Match	header		string			false	"ETag of the version you read"
//	@Param			body		body		PlaybookRequest	true	"Changes"
//	@Success		200			{object}	PlaybookResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		413			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/playbooks/{id} [patch]
func (h *Handler) updatePlaybook(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req PlaybookRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	p, err := h.svc.UpdatePlaybook(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return renderPlaybook(c, http.StatusOK, p)
}

// deletePlaybook removes a playbook.
//
//	@Summary		Delete a playbook
//	@Description	Admins and managers. If-Match is honoured (412).
//	@ID				deletePlaybook
//	@Tags			playbooks
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path	string	true	"Playbook id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		204
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/playbooks/{id} [delete]
func (h *Handler) deletePlaybook(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeletePlaybook(c.Request().Context(), c.Param("id"), ifMatch); err != nil {
		return err
	}
	return httpx.NoContent(c)
}

// opportunityPlaybooks shows the playbooks for an opportunity's stage.
//
//	@Summary		Playbooks for an opportunity
//	@Description	The playbooks of the opportunity's current stage, by position (at most 200). The opportunity must be in the caller's data scope (404 otherwise).
//	@ID				listOpportunityPlaybooks
//	@Tags			playbooks
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Opportunity id"
//	@Success		200	{object}	OpportunityPlaybooks
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/opportunities/{id}/playbooks [get]
func (h *Handler) opportunityPlaybooks(c echo.Context) error {
	stage, ps, err := h.svc.OpportunityPlaybooks(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	out := OpportunityPlaybooks{StageID: stage, Data: make([]PlaybookResponse, len(ps))}
	for i := range ps {
		out.Data[i] = PlaybookView(&ps[i])
	}
	return c.JSON(http.StatusOK, out)
}
