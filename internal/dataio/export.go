package dataio

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/lead"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/i18n"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/opencrm/crm/internal/product"
	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"
)

// exportBatch is how many rows one keyset query of an export reads.
const exportBatch = 1000

// ExportFilter carries the list filters of the exported entity.
type ExportFilter struct {
	Lead     lead.Filter
	Customer customer.Filter
	// Contacts: of one customer, and a search.
	CustomerID, Q string
	Product       product.Filter
}

// Export columns per entity.
var exportKeys = map[string][]string{
	EntityLeads: {"id", "name", "company", "title", "phone", "email", "source", "region", "product_interest",
		"description", "status", "tags", "owner_id", "created_at"},
	EntityCustomers: {"id", "name", "industry", "size", "potential", "level", "region", "address", "phone", "email",
		"website", "source", "lifecycle_stage", "tags", "owner_id", "last_followed_at", "created_at"},
	EntityContacts: {"id", "customer_id", "name", "title", "phone", "mobile", "email", "wechat", "birthday",
		"decision_role", "notes", "created_at"},
	EntityProducts: {"id", "sku", "name", "category", "unit", "price", "cost", "currency", "active", "description",
		"created_at", "updated_at"},
}

// sheetWriter writes rows of cells to CSV or an XLSX stream.
type sheetWriter interface {
	Row(cells []string) error
	Close() error
}

type csvSheet struct{ w *csv.Writer }

// Row writes one record. Cells that a spreadsheet would run as a formula
// (=, +, -, @, tab, CR first) get a leading apostrophe: lead data comes
// from public web forms, and an export must not carry someone's formula
// into a colleague's Excel (OWASP "CSV injection"). Import strips it again.
func (c *csvSheet) Row(cells []string) error {
	safe := make([]string, len(cells))
	for i, v := range cells {
		safe[i] = csvSafe(v)
	}
	return c.w.Write(safe)
}

func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
func (c *csvSheet) Close() error { c.w.Flush(); return c.w.Error() }

// xlsxSheet streams rows into a workbook; Close writes the file out.
type xlsxSheet struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	out io.Writer
	n   int
}

func (x *xlsxSheet) Row(cells []string) error {
	x.n++
	vals := make([]any, len(cells))
	for i, c := range cells {
		vals[i] = c
	}
	cell, _ := excelize.CoordinatesToCellName(1, x.n)
	return x.sw.SetRow(cell, vals)
}

func (x *xlsxSheet) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	return x.f.Write(x.out)
}

func newSheet(format string, w io.Writer) (sheetWriter, error) {
	if format == FormatXLSX {
		f := excelize.NewFile()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			return nil, err
		}
		return &xlsxSheet{f: f, sw: sw, out: w}, nil
	}
	// A BOM lets Excel open UTF-8 (Chinese) text correctly.
	if _, err := w.Write([]byte("\ufeff")); err != nil {
		return nil, err
	}
	return &csvSheet{w: csv.NewWriter(w)}, nil
}

// CheckExport validates an export request before anything is written.
func (s *Service) CheckExport(ctx context.Context, entity, format string, f ExportFilter) error {
	if !slices.Contains(Entities, entity) {
		return apperr.NotFound("export")
	}
	if err := authz.Require(ctx, readPerm(entity)); err != nil {
		return err
	}
	var v validate.V
	v.OneOf("format", format, FormatCSV, FormatXLSX)
	if entity == EntityLeads {
		f.Lead.Check(&v)
	}
	if err := v.Err(); err != nil {
		return err
	}
	if entity == EntityProducts {
		return product.CheckFilter(f.Product)
	}
	return nil
}

// CheckTemplate validates a template request.
func (s *Service) CheckTemplate(ctx context.Context, entity, format string) error {
	if err := authz.Require(ctx, "imports:read"); err != nil {
		return err
	}
	var v validate.V
	v.OneOf("format", format, FormatCSV, FormatXLSX)
	return v.Err()
}

// Export writes the entity's rows in the caller's scope, filtered, to w:
// keyset pages of exportBatch rows by id, each written as it is read.
func (s *Service) Export(ctx context.Context, entity, format string, lang i18n.Lang, f ExportFilter, w io.Writer) error {
	if err := s.CheckExport(ctx, entity, format, f); err != nil {
		return err
	}
	sheet, err := newSheet(format, w)
	if err != nil {
		return err
	}
	a := authz.ActorFrom(ctx)
	keys := exportKeys[entity]
	// Costs are for those who may see them, in files as on screen.
	showCost := a.Can("products:cost")
	if entity == EntityProducts && !showCost {
		keys = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == "cost" })
	}
	if err := sheet.Row(headers(keys, entity, lang)); err != nil {
		return err
	}
	switch entity {
	case EntityLeads:
		err = exportRows(sheet, func() *gorm.DB { return s.leadStore.Query(ctx, a, f.Lead) }, "leads.id",
			func(l *lead.Lead) string { return l.ID }, func(l *lead.Lead) []string {
				return []string{l.ID, l.Name, l.Company, l.Title, l.Phone, l.Email, l.Source, l.Region,
					l.ProductInterest, l.Description, l.Status, strings.Join(l.Tags, ","), deref(l.OwnerID),
					stamp(&l.CreatedAt)}
			})
	case EntityCustomers:
		err = exportRows(sheet, func() *gorm.DB { return s.custStore.Query(ctx, a, f.Customer) }, "customers.id",
			func(c *customer.Customer) string { return c.ID }, func(c *customer.Customer) []string {
				return []string{c.ID, c.Name, c.Industry, c.Size, c.Potential, c.Level, c.Region, c.Address, c.Phone,
					c.Email, c.Website, c.Source, c.LifecycleStage, strings.Join(c.Tags, ","), deref(c.OwnerID),
					stamp(c.LastFollowedAt), stamp(&c.CreatedAt)}
			})
	case EntityContacts:
		base := func() *gorm.DB {
			q := s.db.Conn(ctx).Model(&customer.Contact{}).Where("contacts.customer_id IN (?)",
				s.custStore.Query(ctx, a, customer.Filter{}).Select("customers.id"))
			if f.CustomerID != "" {
				q = q.Where("contacts.customer_id = ?", f.CustomerID)
			}
			if f.Q != "" {
				q = db.Contains(q, f.Q, "contacts.name", "contacts.title", "contacts.phone", "contacts.mobile",
					"contacts.email", "contacts.wechat")
			}
			return q
		}
		err = exportRows(sheet, base, "contacts.id", func(c *customer.Contact) string { return c.ID },
			func(c *customer.Contact) []string {
				return []string{c.ID, c.CustomerID, c.Name, c.Title, c.Phone, c.Mobile, c.Email, c.Wechat,
					deref(c.Birthday), c.DecisionRole, c.Notes, stamp(&c.CreatedAt)}
			})
	case EntityProducts:
		err = exportRows(sheet, func() *gorm.DB { return s.prodStore.Query(ctx, f.Product) }, "products.id",
			func(p *product.Product) string { return p.ID }, func(p *product.Product) []string {
				cells := []string{p.ID, p.SKU, p.Name, p.Category, p.Unit, p.Price.String()}
				if showCost {
					cost := ""
					if p.Cost != nil {
						cost = p.Cost.String()
					}
					cells = append(cells, cost)
				}
				return append(cells, p.Currency, strconv.FormatBool(p.Active), p.Description, stamp(&p.CreatedAt),
					stamp(&p.UpdatedAt))
			})
	}
	if err != nil {
		return err
	}
	return sheet.Close()
}

// exportRows pages through base by id (UUIDv7: creation order) and writes
// each page before reading the next, so memory stays at one page.
func exportRows[T any](sheet sheetWriter, base func() *gorm.DB, idCol string, id func(*T) string,
	cells func(*T) []string) error {
	last := ""
	for {
		var page []T
		q := base()
		if last != "" {
			q = q.Where(idCol+" > ?", last)
		}
		if err := q.Order(idCol).Limit(exportBatch).Find(&page).Error; err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for i := range page {
			if err := sheet.Row(cells(&page[i])); err != nil {
				return err
			}
		}
		if len(page) < exportBatch {
			return nil
		}
		last = id(&page[len(page)-1])
	}
}

// Template writes an empty import file with the entity's headers in lang
// and one example row.
func Template(entity, format string, lang i18n.Lang, w io.Writer) error {
	sheet, err := newSheet(format, w)
	if err != nil {
		return err
	}
	keys := templateKeys(entity)
	if err := sheet.Row(headers(keys, entity, lang)); err != nil {
		return err
	}
	if err := sheet.Row(example(entity, keys)); err != nil {
		return err
	}
	return sheet.Close()
}

var examples = map[string]string{"name": "王建国", "company": "苏州恒达精密机械有限公司", "title": "采购经理",
	"phone": "13912345678", "mobile": "13912345678", "email": "wang.jianguo@example.cn", "source": "exhibition",
	"region": "江苏", "product_interest": "五轴加工中心", "description": "工博会现场咨询", "tags": "重点客户,华东",
	"industry": "机械制造", "size": "medium", "potential": "high", "level": "A", "address": "苏州工业园区星湖街 328 号",
	"website": "https://example.cn", "lifecycle_stage": "prospect", "customer": "苏州恒达精密机械有限公司",
	"wechat": "wjg_hengda", "birthday": "1980-05-17", "decision_role": "decision_maker", "notes": "周三下午方便沟通"}

// entityExamples override examples where an entity's field means
// something else (a customer's name is a company's).
var entityExamples = map[string]map[string]string{
	EntityCustomers: {"name": examples["company"]},
	EntityProducts: {"sku": "VMC-650", "name": "立式加工中心 VMC-650", "category": "数控机床", "unit": "台",
		"price": "1280000.00", "cost": "960000.00", "currency": "CNY", "active": "true",
		"description": "三轴立式加工中心，工作台 650×400 mm"},
}

func example(entity string, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = examples[k]
		if v, ok := entityExamples[entity][k]; ok {
			out[i] = v
		}
	}
	return out
}

func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// fileName is the attachment name of an export or template.
func fileName(prefix, format string) string {
	return prefix + "-" + time.Now().UTC().Format("20060102-150405") + "." + format
}
