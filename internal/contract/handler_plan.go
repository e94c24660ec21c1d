package contract

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/httpx"
)

// listPlans shows a contract's payment plan.
//
//	@Summary		List a contract's payment plan
//	@Description	The instalments of a contract in the caller's data scope, by due date, each with received, outstanding and status (pending, partially_paid, paid, or overdue once its due date has passed on the organisation's calendar without full payment).
//	@ID				listPaymentPlans
//	@Tags			contracts
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Contract id"
//	@Success		200	{object}	PlanListResponse
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/contracts/{id}/payment-plans [get]
func (h *Handler) listPlans(c echo.Context) error {
	l, err := h.svc.Plans(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	out := PlanListResponse{Data: make([]PlanResponse, len(l.Plans)), Total: planTotal(l.Plans).String()}
	for i := range l.Plans {
		out.Data[i] = PlanView(&l.Plans[i], l.Today)
	}
	return c.JSON(http.StatusOK, out)
}

// createPlan adds an instalment.
//
//	@Summary		Add an instalment to a payment plan
//	@Description	due_date and amount (> 0) required. The instalments may not total more than the contract amount (422 on amount). Not on a completed or terminated contract (409 contract_closed). The contract owner is reminded payment_due_reminder_days (setting) before the due date and again the day after it if still unpaid, at 09:00 organisation time.
//	@ID				createPaymentPlan
//	@Tags			contracts
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id		path		string		true	"Contract id"
//	@Param			body	body		PlanRequest	true	"Instalment"
//	@Success		201		{object}	PlanResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		404		{object}	httpx.Problem
//	@Failure		409		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/contracts/{id}/payment-plans [post]
func (h *Handler) createPlan(c echo.Context) error {
	var req PlanRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	p, today, err := h.svc.CreatePlan(c.Request().Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	httpx.SetETag(c, p.Version)
	return c.JSON(http.StatusCreated, PlanView(p, today))
}

// updatePlan changes an instalment.
//
//	@Summary		Update an instalment
//	@Description	Absent fields stay. The amount may not fall below what the instalment has received, nor the plan exceed the contract amount (422). Its reminders move with the due date and amount. If-Match is honoured (412).
//	@ID				updatePaymentPlan
//	@Tags			contracts
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string		true	"Contract id"
//	@Param			pid			path		string		true	"Instalment id"
//	@Param			If-Match	header		string		false	"ETag of the version you read"
//	@Param			body		body		PlanRequest	true	"Changes"
//	@Success		200			{object}	PlanResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		413			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/contracts/{id}/payment-plans/{pid} [patch]
func (h *Handler) updatePlan(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req PlanRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	p, today, err := h.svc.UpdatePlan(c.Request().Context(), c.Param("id"), c.Param("pid"), ifMatch, req)
	if err != nil {
		return err
	}
	httpx.SetETag(c, p.Version)
	return c.JSON(http.StatusOK, PlanView(p, today))
}

// deletePlan removes an instalment.
//
//	@Summary		Delete an instalment
//	@Description	Only an instalment no payment has been applied to (409 plan_has_payments: void those payments first); its reminders are cancelled. If-Match is honoured (412).
//	@ID				deletePaymentPlan
//	@Tags			contracts
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path	string	true	"Contract id"
//	@Param			pid			path	string	true	"Instalment id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		204
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		409	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/contracts/{id}/payment-plans/{pid} [delete]
func (h *Handler) deletePlan(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeletePlan(c.Request().Context(), c.Param("id"), c.Param("pid"), ifMatch); err != nil {
		return err
	}
	return httpx.NoContent(c)
}

// IsUpload reports an attachment upload, which the server's JSON body
// limit skips: upload enforces MaxUpload itself.
func IsUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && uploadPath.MatchString(r.URL.Path)
}

// listAttachments lists a contract's files.
//
//	@Summary		List a contract's attachments
//	@Description	The files kept with a contract in the caller's data scope, oldest first.
//	@ID				listContractAttachments
//	@Tags			contracts
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Contract id"
//	@Success		200	{object}	AttachmentList
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/contracts/{id}/attachments [get]
func (h *Handler) listAttachments(c echo.Context) error {
	as, err := h.svc.Attachments(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	out := AttachmentList{Data: make([]AttachmentResponse, len(as))}
	for i := range as {
		out.Data[i] = AttachmentView(&as[i])
	}
	return c.JSON(http.StatusOK, out)
}

// upload stores a file with a contract.
//
//	@Summary		Upload a contract attachment
//	@Description	multipart/form-data with one part "file": at most 20 MiB (413), a PDF, PNG, JPEG, DOCX or XLSX judged by its content, not its name or declared type (422 otherwise). Kept under a random name in the data dir; the client's file name is only shown and used on download. On a contract in the caller's data scope, in any status.
//	@ID				uploadContractAttachment
//	@Tags			contracts
//	@Accept			multipart/form-data
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id		path		string	true	"Contract id"
//	@Param			file	formData	file	true	"The file"
//	@Success		201		{object}	AttachmentResponse
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		404		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/contracts/{id}/attachments [post]
func (h *Handler) upload(c echo.Context) error {
	r := c.Request()
	mt, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEMultipartForm {
		return apperr.Unsupported()
	}
	// Room for the part headers besides the file.
	if r.ContentLength > MaxUpload+64<<10 {
		return apperr.TooLarge()
	}
	r.Body = http.MaxBytesReader(c.Response().Writer, r.Body, MaxUpload+64<<10)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.TooLarge()
		}
		return apperr.BadRequest("bad_request", "bad_request")
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	file, fh, err := r.FormFile("file")
	if err != nil {
		return apperr.Invalid(apperr.FieldError{Field: "file", Message: "file_required"})
	}
	defer file.Close()
	a, err := h.svc.AddAttachment(r.Context(), c.Param("id"), Upload{Name: fh.Filename, File: file, Size: fh.Size})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, AttachmentView(a))
}

// download sends a file.
//
//	@Summary		Download a contract attachment
//	@Description	The bytes as uploaded, with their sniffed Content-Type and Content-Disposition: attachment carrying the original file name (RFC 6266, UTF-8).
//	@ID				downloadContractAttachment
//	@Tags			contracts
//	@Produce		application/pdf
//	@Produce		image/png
//	@Produce		image/jpeg
//	@Produce		application/vnd.openxmlformats-officedocument.wordprocessingml.document
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Contract id"
//	@Param			aid	path		string	true	"Attachment id"
//	@Success		200	{file}		file
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/contracts/{id}/attachments/{aid} [get]
func (h *Handler) download(c echo.Context) error {
	a, rc, err := h.svc.OpenAttachment(c.Request().Context(), c.Param("id"), c.Param("aid"))
	if err != nil {
		return err
	}
	defer rc.Close()
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`,
		asciiName(a.FileName), url.PathEscape(a.FileName)))
	hd.Set(echo.HeaderContentLength, fmt.Sprint(a.Size))
	hd.Set("X-Content-Type-Options", "nosniff")
	c.Response().Header().Set(echo.HeaderContentType, a.ContentType)
	c.Response().WriteHeader(http.StatusOK)
	_, err = io.Copy(c.Response(), rc)
	return err
}

// deleteAttachment removes a file.
//
//	@Summary		Delete a contract attachment
//	@Description	Removes the file from a contract in the caller's data scope.
//	@ID				deleteContractAttachment
//	@Tags			contracts
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path	string	true	"Contract id"
//	@Param			aid	path	string	true	"Attachment id"
//	@Success		204
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/contracts/{id}/attachments/{aid} [delete]
func (h *Handler) deleteAttachment(c echo.Context) error {
	if err := h.svc.DeleteAttachment(c.Request().Context(), c.Param("id"), c.Param("aid")); err != nil {
		return err
	}
	return httpx.NoContent(c)
}

// asciiName is the file name for clients that ignore filename*: non-ASCII
// characters become underscores.
func asciiName(s string) string {
	b := []byte{}
	for _, r := range s {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			b = append(b, '_')
			continue
		}
		b = append(b, byte(r))
	}
	return string(b)
}

var uploadPath = regexp.MustCompile(`^/api/v1/contracts/[^/]+/attachments$`)
