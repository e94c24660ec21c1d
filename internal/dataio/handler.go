package dataio

import (
	"errors"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/i18n"
	"github.com/opencrm/crm/internal/platform/paging"
)

// Handler serves /imports and /exports.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *Handler) Routes(g *echo.Group) {
	g.POST("/imports", h.submit)
	g.GET("/imports", h.list)
	g.GET("/imports/templates/:entity", h.template)
	g.GET("/imports/:id", h.get)
	g.GET("/exports/:entity", h.export)
}

// UploadPath is the route whose body may exceed the 1 MiB JSON limit: it
// enforces MaxUpload itself (internal/app/routes.go skips the global limit).
const UploadPath = "/api/v1/imports"

// Media types of the files.
const (
	mimeCSV  = "text/csv; charset=utf-8"
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

func lang(c echo.Context) i18n.Lang {
	return i18n.FromAcceptLanguage(c.Request().Header.Get("Accept-Language"))
}

// submit uploads a file to import.
//
//	@Summary		Start an import
//	@Description	Uploads a CSV (UTF-8 with or without BOM, or GBK/GB18030 as Excel saves it on Chinese Windows; cells an export escaped with a leading apostrophe are restored) or XLSX file (first sheet) of at most 50 MiB and starts a background import job; poll GET /imports/{id}. The first row holds the headers, in English (the field names) or Chinese (名称/姓名, 公司, 职位, 电话, 手机, 邮箱, 来源, 区域/地区, 意向产品, 备注, 行业, 规模, 客户, 标签, 负责人…); unknown columns are ignored; GET /imports/templates/{entity} gives a template. Rows are imported as the caller, with their permissions and data scope: a rep's leads and customers are theirs; an admin's or manager's unowned leads go through the assignment rules; a lead row may name its owner (owner/负责人: email or id), who must be an active user the caller may give records to. Each row stands alone: a bad row is reported in errors with its row number and field and never stops the others. Duplicates (leads: same phone or email, after normalisation, as a lead, a customer or a contact — a customer match is skipped, or reported under update; customers: same name, phone or email; contacts: same customer and name) are skipped, updated (fields present in the row, within the caller's scope) or created anyway, per on_duplicate. Products (products:write) are matched by SKU ignoring case and are skipped or updated (on_duplicate create is refused, 422); a SKU twice in one file is a row error. Their headers: sku/产品编码, name/名称, category/分类, unit/单位, price/单价, cost/成本, currency/币种, active/启用 (是/否, true/false), description/描述; money cells may carry a currency symbol (¥, ￥, $, 元, CNY…) and thousands separators ("¥1,234.50"), but more than two decimal places is a row error, never rounded. A dry run validates and counts without writing.
//	@ID				createImport
//	@Tags			imports
//	@Accept			multipart/form-data
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			file			formData	file	true	"CSV or XLSX file"
//	@Param			entity			formData	string	true	"What the rows are"	Enums(leads,customers,contacts,products)
//	@Param			dry_run			formData	bool	false	"Validate and count only"	default(false)
//	@Param			on_duplicate	formData	string	false	"What to do with a duplicate row"	Enums(skip,update,create)	default(skip)
//	@Success		202				{object}	ImportJobResponse
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Failure		413				{object}	httpx.Problem
//	@Failure		415				{object}	httpx.Problem
//	@Failure		422				{object}	httpx.Problem
//	@Router			/imports [post]
func (h *Handler) submit(c echo.Context) error {
	r := c.Request()
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return apperr.Unsupported()
	}
	// Room for the form fields besides the file.
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
		return apperr.Invalid(apperr.FieldError{Field: "file", Message: "import_file_required"})
	}
	defer file.Close()
	if fh.Size > MaxUpload {
		return apperr.TooLarge()
	}
	dry, err := formBool(r.FormValue("dry_run"))
	if err != nil {
		return err
	}
	j, err := h.svc.Submit(r.Context(), SubmitInput{Entity: strings.TrimSpace(r.FormValue("entity")), DryRun: dry,
		OnDuplicate: strings.TrimSpace(r.FormValue("on_duplicate")), FileName: fh.Filename, Lang: string(lang(c)),
		File: file})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, View(j, lang(c)))
}

func formBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "false", "0", "no":
		return false, nil
	case "true", "1", "yes":
		return true, nil
	}
	return false, apperr.Invalid(apperr.FieldError{Field: "dry_run", Message: "invalid_value"})
}

// get shows an import job.
//
//	@Summary		Get an import job
//	@Description	The caller's own job (an admin or API key: any job); others are 404.
//	@ID				getImport
//	@Tags			imports
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Import job id"
//	@Success		200	{object}	ImportJobResponse
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/imports/{id} [get]
func (h *Handler) get(c echo.Context) error {
	j, err := h.svc.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, View(j, lang(c)))
}

// list pages through import jobs.
//
//	@Summary		List import jobs
//	@Description	The caller's own jobs, newest first (an admin or API key: everyone's).
//	@ID				listImports
//	@Tags			imports
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: created_at; prefix - for descending"	default(-created_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	ImportJobList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Router			/imports [get]
func (h *Handler) list(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	page, err := h.svc.List(c.Request().Context(), r)
	if err != nil {
		return err
	}
	l := lang(c)
	return c.JSON(http.StatusOK, paging.Map(page, func(j *Job) ImportJobResponse { return View(j, l) }))
}

// template downloads an empty import file.
//
//	@Summary		Download an import template
//	@Description	The entity's import columns as headers (Chinese when Accept-Language prefers zh-CN) and one example row.
//	@ID				getImportTemplate
//	@Tags			imports
//	@Produce		text/csv
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			entity	path		string	true	"Entity"	Enums(leads,customers,contacts,products)
//	@Param			format	query		string	false	"File format"	Enums(csv,xlsx)	default(csv)
//	@Success		200		{file}		file
//	@Header			200		{string}	Content-Disposition	"attachment; filename=..."
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		404		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/imports/templates/{entity} [get]
func (h *Handler) template(c echo.Context) error {
	entity, format := c.Param("entity"), formatParam(c)
	if !slices.Contains(Entities, entity) {
		return apperr.NotFound("import_template")
	}
	if err := h.svc.CheckTemplate(c.Request().Context(), entity, format); err != nil {
		return err
	}
	attach(c, entity+"-template", format)
	return Template(entity, format, lang(c), c.Response())
}

func formatParam(c echo.Context) string {
	if f := c.QueryParam("format"); f != "" {
		return f
	}
	return FormatCSV
}

// attach sets the file headers and the 200 status of a download.
func attach(c echo.Context, prefix, format string) {
	ct := mimeCSV
	if format == FormatXLSX {
		ct = mimeXLSX
	}
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, ct)
	hd.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": fileName(prefix, format)}))
	c.Response().WriteHeader(http.StatusOK)
}
