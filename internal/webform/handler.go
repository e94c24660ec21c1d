package webform

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
)

// Handler serves /web-forms and the public submission endpoint.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the admin endpoints on the authenticated group.
func (h *Handler) Routes(g *echo.Group) {
	g.GET("/web-forms", h.list)
	g.POST("/web-forms", h.create)
	g.GET("/web-forms/:id", h.get)
	g.PATCH("/web-forms/:id", h.update)
	g.DELETE("/web-forms/:id", h.delete)
}

// PublicRoutes mounts the submission endpoint on the unauthenticated
// /api/v1 group.
func (h *Handler) PublicRoutes(g *echo.Group) {
	g.POST("/public/forms/:key/submissions", h.submit)
	g.OPTIONS("/public/forms/:key/submissions", h.preflight)
}

// allowOrigin sets the CORS headers for a browser page of an allowed site,
// so the page can read the answer (or post at all, after a preflight).
func allowOrigin(c echo.Context, origin string) {
	hd := c.Response().Header()
	hd.Set(echo.HeaderAccessControlAllowOrigin, origin)
	hd.Add(echo.HeaderVary, echo.HeaderOrigin)
	hd.Set(echo.HeaderAccessControlExposeHeaders, "Retry-After, X-Request-Id")
}

// preflight answers a browser's CORS preflight for a web form.
//
//	@Summary		Preflight a web form submission
//	@Description	Browsers send this before posting JSON from a website. Allowed when the form is active and the Origin is one of its allowed_origins (any origin when it has none).
//	@ID				preflightWebForm
//	@Tags			web-forms
//	@Param			key								path	string	true	"Form key"
//	@Param			Origin							header	string	true	"Browser origin"
//	@Param			Access-Control-Request-Method	header	string	false	"POST"
//	@Success		204
//	@Header			204	{string}	Access-Control-Allow-Origin	"The origin, echoed"
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/public/forms/{key}/submissions [options]
func (h *Handler) preflight(c echo.Context) error {
	origin, err := h.svc.CORSOrigin(c.Request().Context(), c.Param("key"), c.Request().Header.Get(echo.HeaderOrigin))
	if err != nil {
		return err
	}
	allowOrigin(c, origin)
	hd := c.Response().Header()
	hd.Set(echo.HeaderAccessControlAllowMethods, http.MethodPost)
	hd.Set(echo.HeaderAccessControlAllowHeaders, "Content-Type, Accept-Language")
	hd.Set(echo.HeaderAccessControlMaxAge, "600")
	return c.NoContent(http.StatusNoContent)
}

func render(c echo.Context, status int, f *Form) error {
	httpx.SetETag(c, f.Version)
	return c.JSON(status, View(f))
}

// list shows every web form.
//
//	@Summary		List web forms
//	@Description	Admins. Every form, newest first, with its key and submission path.
//	@ID				listWebForms
//	@Tags			web-forms
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Success		200	{object}	FormList
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Router			/web-forms [get]
func (h *Handler) list(c echo.Context) error {
	forms, err := h.svc.List(c.Request().Context())
	if err != nil {
		return err
	}
	out := FormList{Data: make([]FormResponse, 0, len(forms))}
	for i := range forms {
		out.Data = append(out.Data, View(&forms[i]))
	}
	return c.JSON(http.StatusOK, out)
}

// create adds a web form.
//
//	@Summary		Create a web form
//	@Description	Admins. The answer carries a random form_key (32 URL-safe characters) and the path websites post submissions to. source (the source of the leads it creates) defaults to web_form. allowed_origins (scheme://host[:port], at most 20) restricts which sites may post; empty accepts any.
//	@ID				createWebForm
//	@Tags			web-forms
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		FormCreateRequest	true	"Form"
//	@Success		201		{object}	FormResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/web-forms [post]
func (h *Handler) create(c echo.Context) error {
	var req FormCreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	f, err := h.svc.Create(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return render(c, http.StatusCreated, f)
}

// get shows one web form.
//
//	@Summary		Get a web form
//	@Description	Admins.
//	@ID				getWebForm
//	@Tags			web-forms
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Form id"
//	@Success		200	{object}	FormResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/web-forms/{id} [get]
func (h *Handler) get(c echo.Context) error {
	f, err := h.svc.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, f)
}

// update changes a web form.
//
//	@Summary		Update a web form
//	@Description	Admins. Absent fields stay; allowed_origins replaces the list. An inactive form's submissions are 404. The key never changes. If-Match guards against lost updates (412).
//	@ID				updateWebForm
//	@Tags			web-forms
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string				true	"Form id"
//	@Param			If-Match	header		string				false	"ETag of the version you read"
//	@Param			body		body		FormUpdateRequest	true	"Changes"
//	@Success		200			{object}	FormResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		413			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/web-forms/{id} [patch]
func (h *Handler) update(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req FormUpdateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	f, err := h.svc.Update(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, f)
}

// delete removes a web form.
//
//	@Summary		Delete a web form
//	@Description	Admins. The key stops working at once; leads the form created stay.
//	@ID				deleteWebForm
//	@Tags			web-forms
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path	string	true	"Form id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		204
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/web-forms/{id} [delete]
func (h *Handler) delete(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), c.Param("id"), ifMatch); err != nil {
		return err
	}
	return httpx.NoContent(c)
}

// submit takes a public submission.
//
//	@Summary		Submit a web form
//	@Description	No authentication: websites post here. Unknown or inactive form_key: 404. A form with allowed_origins refuses any other Origin header, or none, with 403. Each client address may submit 5 times a minute per form; beyond that 429 with Retry-After. A filled honeypot field website is answered 202 like a real submission and creates nothing. name is required; fields longer than a lead allows (name 200, company 200, title 100, email 254, region 100, product_interest 200, message 5000 characters) are 422; a body over 1 MiB is 413. The lead gets the form's source and goes through the assignment rules; the answer never reveals it.
//	@ID				submitWebForm
//	@Tags			web-forms
//	@Accept			json
//	@Produce		json
//	@Param			key		path		string				true	"Form key"
//	@Param			Origin	header		string				false	"Browser origin, checked against allowed_origins"
//	@Param			body	body		SubmissionRequest	true	"Submission"
//	@Success		202		{object}	SubmissionResponse
//	@Header			429		{integer}	Retry-After	"Seconds to wait"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		404		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Failure		429		{object}	httpx.Problem
//	@Router			/public/forms/{key}/submissions [post]
func (h *Handler) submit(c echo.Context) error {
	var req SubmissionRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	cl := Client{Origin: c.Request().Header.Get(echo.HeaderOrigin), IP: c.RealIP(), RequestID: httpx.RequestID(c)}
	if cl.Origin != "" {
		// Let the page read the answer, errors included, when its site may post.
		if origin, err := h.svc.CORSOrigin(c.Request().Context(), c.Param("key"), cl.Origin); err == nil {
			allowOrigin(c, origin)
		}
	}
	if err := h.svc.Submit(c.Request().Context(), c.Param("key"), cl, req); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, SubmissionResponse{Status: "received"})
}
