package team

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

func renderTraining(c echo.Context, status int, r *TrainingRecord) error {
	httpx.SetETag(c, r.Version)
	return c.JSON(status, TrainingView(r))
}

// listTraining pages through training records.
//
//	@Summary		List training records
//	@Description	Records of the users in the caller's scope: reps their own, managers their team subtree's members (and their own), admins everyone's.
//	@ID				listTrainingRecords
//	@Tags			training-records
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			user_id			query		string	false	"One user's records"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: completed_at, created_at; prefix - for descending"	default(-completed_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	TrainingRecordList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Router			/training-records [get]
func (h *Handler) listTraining(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	page, err := h.svc.ListTraining(c.Request().Context(), c.QueryParam("user_id"), r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paging.Map(page, TrainingView))
}

// createTraining records a completed course.
//
//	@Summary		Create a training record
//	@Description	Admins, and managers for the members of their team subtree (and themselves); a user outside that reach is refused like an unknown one (422 on user_id). score is 0–100 and optional; skills are tags.
//	@ID				createTrainingRecord
//	@Tags			training-records
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		TrainingCreateRequest	true	"Record"
//	@Success		201		{object}	TrainingRecordResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/training-records [post]
func (h *Handler) createTraining(c echo.Context) error {
	var req TrainingCreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	r, err := h.svc.CreateTraining(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return renderTraining(c, http.StatusCreated, r)
}

// getTraining shows one training record.
//
//	@Summary		Get a training record
//	@Description	A record of a user in the caller's scope (404 otherwise).
//	@ID				getTrainingRecord
//	@Tags			training-records
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Record id"
//	@Success		200	{object}	TrainingRecordResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/training-records/{id} [get]
func (h *Handler) getTraining(c echo.Context) error {
	r, err := h.svc.GetTraining(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return renderTraining(c, http.StatusOK, r)
}

// updateTraining changes a training record.
//
//	@Summary		Update a training record
//	@Description	Admins and managers, within their scope. Absent fields stay; the user does not change. Send If-Match with the ETag (412 when stale).
//	@ID				updateTrainingRecord
//	@Tags			training-records
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string					true	"Record id"
//	@Param			If-Match	header		string					false	"ETag of the version you read"
//	@Param			body		body		TrainingUpdateRequest	true	"Changes"
//	@Success		200			{object}	TrainingRecordResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		413			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/training-records/{id} [patch]
func (h *Handler) updateTraining(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req TrainingUpdateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	r, err := h.svc.UpdateTraining(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return renderTraining(c, http.StatusOK, r)
}

// deleteTraining removes a training record.
//
//	@Summary		Delete a training record
//	@Description	Admins and managers, within their scope. If-Match is honoured (412).
//	@ID				deleteTrainingRecord
//	@Tags			training-records
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path	string	true	"Record id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		204
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/training-records/{id} [delete]
func (h *Handler) deleteTraining(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteTraining(c.Request().Context(), c.Param("id"), ifMatch); err != nil {
		return err
	}
	return httpx.NoContent(c)
}
