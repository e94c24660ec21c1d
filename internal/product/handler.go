package product

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

// Handler serves /products.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *Handler) Routes(g *echo.Group) {
	g.GET("/products", h.list)
	g.POST("/products", h.create)
	g.GET("/products/categories", h.categories)
	g.GET("/products/:id", h.get)
	g.PATCH("/products/:id", h.update)
	g.DELETE("/products/:id", h.delete)
}

// render writes one product as the caller may see it, with its ETag.
func render(c echo.Context, status int, p *Product) error {
	httpx.SetETag(c, p.Version)
	return c.JSON(status, Present(authz.ActorFrom(c.Request().Context()), p))
}

// ParseFilter reads the product list filters from the query (also those of
// GET /exports/products); currency codes are upper case.
func ParseFilter(c echo.Context) (Filter, error) {
	f := Filter{Q: c.QueryParam("q"), Category: httpx.QueryList(c, "category"),
		Currency: strings.ToUpper(strings.TrimSpace(c.QueryParam("currency")))}
	if c.QueryParam("active") != "" {
		b, err := httpx.QueryBool(c, "active", false)
		if err != nil {
			return f, err
		}
		f.Active = &b
	}
	return f, nil
}

// list pages through the catalogue.
//
//	@Summary		List products
//	@Description	The whole catalogue (it has no data scope). Filters combine with AND. cost and margin_percent appear only for callers allowed to see costs (admins and managers).
//	@ID				listProducts
//	@Tags			products
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			q				query		string	false	"Search name and SKU (case-insensitive substring)"
//	@Param			category		query		string	false	"Category, exact (comma-separated for several)"
//	@Param			active			query		bool	false	"Active or retired products only"
//	@Param			currency		query		string	false	"Currency, ISO 4217"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: name, sku (ignoring case), price, created_at; comma-separated, prefix - for descending"	default(-created_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	ProductList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Failure		422				{object}	httpx.Problem
//	@Router			/products [get]
func (h *Handler) list(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	f, err := ParseFilter(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	page, err := h.svc.List(ctx, f, r)
	if err != nil {
		return err
	}
	a := authz.ActorFrom(ctx)
	return c.JSON(http.StatusOK, paging.Map(page, func(p *Product) ProductResponse { return Present(a, p) }))
}

// create adds a product.
//
//	@Summary		Create a product
//	@Description	Admins and managers (products:write). sku: letters, digits, ".", "_" and "-", at most 64; unique ignoring case (a SKU taken is 409 code duplicate, with matches [{type: "product", in_scope: true, matched_on: ["sku"], id, name}]); stored as given. price is required, cost optional (unknown when absent); both are decimal strings with at most two places, not negative. currency defaults to CNY, active to true.
//	@ID				createProduct
//	@Tags			products
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		ProductCreateRequest	true	"Product"
//	@Success		201		{object}	ProductResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		409		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/products [post]
func (h *Handler) create(c echo.Context) error {
	var req ProductCreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	p, err := h.svc.Create(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return render(c, http.StatusCreated, p)
}

// categories lists the categories in use.
//
//	@Summary		List product categories
//	@Description	Every non-empty category, by name, with the number of products in it (count) and of active ones (active_count).
//	@ID				listProductCategories
//	@Tags			products
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Success		200	{object}	CategoryList
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Router			/products/categories [get]
func (h *Handler) categories(c echo.Context) error {
	cats, err := h.svc.Categories(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, CategoryList{Data: cats})
}

// get shows one product.
//
//	@Summary		Get a product
//	@Description	cost and margin_percent appear only for callers allowed to see costs (admins and managers).
//	@ID				getProduct
//	@Tags			products
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Product id"
//	@Success		200	{object}	ProductResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/products/{id} [get]
func (h *Handler) get(c echo.Context) error {
	p, err := h.svc.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, p)
}

// update changes a product.
//
//	@Summary		Update a product
//	@Description	Admins and managers (products:write). Absent fields stay; cost "" clears the cost. A SKU another product has, ignoring case, is 409 code duplicate. Retire a product with active false: it stays on the records that refer to it. Send If-Match with the ETag to guard against lost updates (412).
//	@ID				updateProduct
//	@Tags			products
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string					true	"Product id"
//	@Param			If-Match	header		string					false	"ETag of the version you read"
//	@Param			body		body		ProductUpdateRequest	true	"Changes"
//	@Success		200			{object}	ProductResponse
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
//	@Router			/products/{id} [patch]
func (h *Handler) update(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req ProductUpdateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	p, err := h.svc.Update(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, p)
}

// delete removes a product.
//
//	@Summary		Delete a product
//	@Description	Admins and managers (products:write). A product still referred to (by opportunities, quotes, orders…) is refused with 409 code in_use: retire it with PATCH active false instead. The deleted product stays in the audit log. If-Match is honoured (412).
//	@ID				deleteProduct
//	@Tags			products
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path	string	true	"Product id"
//	@Param			If-Match	header	string	false	"ETag of the version you read"
//	@Success		204
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		409	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/products/{id} [delete]
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
