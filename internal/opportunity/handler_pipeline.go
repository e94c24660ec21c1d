package opportunity

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
)

func renderPipeline(c echo.Context, status int, p *Pipeline) error {
	httpx.SetETag(c, p.Version)
	return c.JSON(status, PipelineView(p))
}

// listPipelines lists the pipelines.
//
//	@Summary		List pipelines
//	@Description	Every pipeline with its stages in order, the default first.
//	@ID				listPipelines
//	@Tags			pipelines
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Success		200	{object}	PipelineList
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Router			/pipelines [get]
func (h *Handler) listPipelines(c echo.Context) error {
	ps, err := h.svc.Pipelines(c.Request().Context())
	if err != nil {
		return err
	}
	out := PipelineList{Data: make([]PipelineResponse, len(ps))}
	for i := range ps {
		out.Data[i] = PipelineView(&ps[i])
	}
	return c.JSON(http.StatusOK, out)
}

// getPipeline shows one pipeline.
//
//	@Summary		Get a pipeline
//	@Description	A pipeline with its stages in order.
//	@ID				getPipeline
//	@Tags			pipelines
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Pipeline id"
//	@Success		200	{object}	PipelineResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/pipelines/{id} [get]
func (h *Handler) getPipeline(c echo.Context) error {
	p, err := h.svc.Pipeline(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return renderPipeline(c, http.StatusOK, p)
}

// createPipeline adds a pipeline.
//
//	@Summary		Create a pipeline
//	@Description	Admins (pipelines:write). Stages in order (position follows the list): each with a unique name, probability 0–100, optional time_limit ("72h", "3d"), kind open, won or lost, exit_criteria. At least one open stage and exactly one won and one lost stage (422). is_default true makes it the default pipeline instead of the current one. Name unique (422 taken).
//	@ID				createPipeline
//	@Tags			pipelines
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		PipelineRequest	true	"Pipeline"
//	@Success		201		{object}	PipelineResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/pipelines [post]
func (h *Handler) createPipeline(c echo.Context) error {
	var req PipelineRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	p, err := h.svc.CreatePipeline(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return renderPipeline(c, http.StatusCreated, p)
}

// updatePipeline replaces a pipeline.
//
//	@Summary		Replace a pipeline
//	@Description	Admins (pipelines:write). The whole pipeline: name, is_default and the full stage list in order. Stages with id are existing stages of this pipeline (kept, with their opportunities; 422 for another id); stages without id are new; stages left out are deleted, which is 409 in_use while live opportunities are in them. The same stage rules as on create apply. is_default false on the default pipeline is 422: make another one the default instead. If-Match is honoured (412).
//	@ID				updatePipeline
//	@Tags			pipelines
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string			true	"Pipeline id"
//	@Param			If-Match	header		string			false	"ETag of the version you read"
//	@Param			body		body		PipelineRequest	true	"Pipeline"
//	@Success		200			{object}	PipelineResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/pipelines/{id} [put]
func (h *Handler) updatePipeline(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req PipelineRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	p, err := h.svc.UpdatePipeline(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return renderPipeline(c, http.StatusOK, p)
}

// deletePipeline removes a pipeline.
//
//	@Summary		Delete a pipeline
//	@Description	Admins (pipelines:write). 409 in_use while live opportunities are in it; the default pipeline is 409 invalid_transition. If-Match is honoured (412).
//	@ID				deletePipeline
//	@Tags			pipelines
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path	string	true	"Pipeline id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		204
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		409	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/pipelines/{id} [delete]
func (h *Handler) deletePipeline(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeletePipeline(c.Request().Context(), c.Param("id"), ifMatch); err != nil {
		return err
	}
	return httpx.NoContent(c)
}
