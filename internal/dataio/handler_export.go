package dataio

import (
	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/lead"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/product"
)

// export downloads records.
//
//	@Summary		Export leads, customers, contacts or products
//	@Description	Streams every record of the entity in the caller's data scope that matches the filters, as CSV (UTF-8 with BOM) or XLSX. The filters are those of the entity's list endpoint (GET /leads, GET /customers, GET /products; contacts: customer_id and q); headers are Chinese when Accept-Language prefers zh-CN. Records are written as they are read, 1,000 at a time. Cells that a spreadsheet would run as a formula (starting with =, +, -, @) are written with a leading apostrophe, which an import removes again. Products need products:read; their cost column is left out for callers who may not see costs (reps).
//	@ID				exportRecords
//	@Tags			imports
//	@Produce		text/csv
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			entity				path		string	true	"Entity"	Enums(leads,customers,contacts,products)
//	@Param			format				query		string	false	"File format"	Enums(csv,xlsx)	default(csv)
//	@Param			status				query		string	false	"Leads: status, comma-separated"
//	@Param			owner_id			query		string	false	"Leads, customers: owner user id"
//	@Param			source				query		string	false	"Leads, customers: source (customers: comma-separated)"
//	@Param			region				query		string	false	"Leads, customers: region, exact"
//	@Param			tag					query		string	false	"Leads, customers: has this tag"
//	@Param			q					query		string	false	"Search (case-insensitive substring; products: name and SKU)"
//	@Param			created_from		query		string	false	"Created at or after (RFC 3339 or date)"
//	@Param			created_to			query		string	false	"Created before (RFC 3339, exclusive; a date includes that whole day)"
//	@Param			industry			query		string	false	"Customers: industry, exact"
//	@Param			size				query		string	false	"Customers: size, comma-separated"
//	@Param			potential			query		string	false	"Customers: potential, comma-separated"
//	@Param			level				query		string	false	"Customers: level, comma-separated"
//	@Param			lifecycle_stage		query		string	false	"Customers: lifecycle stage, comma-separated"
//	@Param			locked				query		bool	false	"Customers: locked or not"
//	@Param			phone				query		string	false	"Customers: phone, exact"
//	@Param			email				query		string	false	"Customers: email, exact"
//	@Param			last_followed_from	query		string	false	"Customers: last followed up at or after"
//	@Param			last_followed_to	query		string	false	"Customers: last followed up before"
//	@Param			customer_id			query		string	false	"Contacts: of this customer"
//	@Param			category			query		string	false	"Products: category, comma-separated"
//	@Param			active				query		bool	false	"Products: active or not"
//	@Param			currency			query		string	false	"Products: currency, ISO 4217"
//	@Success		200					{file}		file
//	@Header			200					{string}	Content-Disposition	"attachment; filename=..."
//	@Failure		400					{object}	httpx.Problem
//	@Failure		401					{object}	httpx.Problem
//	@Failure		403					{object}	httpx.Problem
//	@Failure		404					{object}	httpx.Problem
//	@Failure		422					{object}	httpx.Problem
//	@Router			/exports/{entity} [get]
func (h *Handler) export(c echo.Context) error {
	entity, format := c.Param("entity"), formatParam(c)
	f, err := exportFilter(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := h.svc.CheckExport(ctx, entity, format, f); err != nil {
		return err
	}
	attach(c, entity, format)
	if err := h.svc.Export(ctx, entity, format, lang(c), f, c.Response()); err != nil {
		// The status is sent: cut the download short and log.
		h.svc.log.Error("export failed", "entity", entity, "err", err)
		return nil
	}
	return nil
}

// exportFilter reads the list filters of every entity from the query.
func exportFilter(c echo.Context) (ExportFilter, error) {
	var f ExportFilter
	var err error
	f.Lead = lead.Filter{Status: httpx.QueryList(c, "status"), OwnerID: c.QueryParam("owner_id"),
		Source: c.QueryParam("source"), Region: c.QueryParam("region"), Tag: c.QueryParam("tag"), Q: c.QueryParam("q")}
	if f.Lead.CreatedFrom, err = httpx.QueryTime(c, "created_from", false); err != nil {
		return f, err
	}
	if f.Lead.CreatedTo, err = httpx.QueryTime(c, "created_to", true); err != nil {
		return f, err
	}
	cf := customer.Filter{Industry: c.QueryParam("industry"), Region: c.QueryParam("region"),
		OwnerID: c.QueryParam("owner_id"), Q: c.QueryParam("q"), Phone: c.QueryParam("phone"),
		Email: c.QueryParam("email"), Size: httpx.QueryList(c, "size"), Potential: httpx.QueryList(c, "potential"),
		Level: httpx.QueryList(c, "level"), Lifecycle: httpx.QueryList(c, "lifecycle_stage"),
		Source: httpx.QueryList(c, "source"), Tags: httpx.QueryList(c, "tag"),
		CreatedFrom: f.Lead.CreatedFrom, CreatedTo: f.Lead.CreatedTo}
	if c.QueryParam("locked") != "" {
		b, err := httpx.QueryBool(c, "locked", false)
		if err != nil {
			return f, err
		}
		cf.Locked = &b
	}
	if cf.FollowedFrom, err = httpx.QueryTime(c, "last_followed_from", false); err != nil {
		return f, err
	}
	if cf.FollowedTo, err = httpx.QueryTime(c, "last_followed_to", true); err != nil {
		return f, err
	}
	f.Customer = cf
	f.CustomerID, f.Q = c.QueryParam("customer_id"), c.QueryParam("q")
	f.Product, err = product.ParseFilter(c)
	return f, err
}
