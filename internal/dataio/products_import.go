package dataio

import (
	"context"
	"regexp"
	"strings"

	"github.com/opencrm/crm/internal/product"
)

// Products import row by row through the product service, like customers:
// catalogues are short, and the service keeps every rule (SKU format and
// uniqueness, money, currency) and writes the audit row.
type productImporter struct {
	s   *Service
	job *Job
	// seen maps each SKU key of this file to its row.
	seen map[string]int
}

func (pi *productImporter) batch(ctx context.Context, rows []rowIn, p *progress) error {
	for _, r := range rows {
		req := productRequest(r)
		active, ok := boolCell(r.get("active"))
		if !ok {
			p.fail(r.n, "active", "invalid_value")
			continue
		}
		req.Active = active
		// A SKU twice in one file is a mistake in the file (which price is
		// right?), so the second row is reported rather than applied.
		if key := product.SKUKey(req.SKU); key != "" {
			if first := pi.seen[key]; first != 0 {
				p.fail(r.n, "sku", "import_duplicate_file", first)
				continue
			}
			pi.seen[key] = r.n
		}
		dup, err := pi.existing(ctx, req.SKU)
		if err != nil {
			return err
		}
		switch {
		case dup != "" && pi.job.OnDuplicate == DupSkip:
			p.skipped++
		case dup != "":
			err = pi.s.attempt(ctx, pi.job.DryRun, func(ctx context.Context) error {
				_, err := pi.s.products.Update(ctx, dup, nil, productUpdate(req))
				return err
			})
			if err != nil {
				p.failErr(r.n, err)
				continue
			}
			p.updated++
		default:
			err = pi.s.attempt(ctx, pi.job.DryRun, func(ctx context.Context) error {
				_, err := pi.s.products.Create(ctx, req)
				return err
			})
			switch {
			case isDuplicate(err): // created by someone else meanwhile
				p.skipped++
			case err != nil:
				p.failErr(r.n, err)
			default:
				p.created++
			}
		}
	}
	return nil
}

func (pi *productImporter) done(context.Context, *progress) error { return nil }

// existing is the id of the product that has sku (ignoring case), or "".
// The catalogue has no scope, and importing needs products:write already.
func (pi *productImporter) existing(ctx context.Context, sku string) (string, error) {
	key := product.SKUKey(sku)
	if key == "" {
		return "", nil
	}
	p, err := pi.s.prodStore.BySKUKey(ctx, key)
	if err != nil || p == nil {
		return "", err
	}
	return p.ID, nil
}

// productRequest reads a row; empty money cells stay nil (price is then
// reported as required, cost as unknown).
func productRequest(r rowIn) product.ProductCreateRequest {
	return product.ProductCreateRequest{SKU: r.get("sku"), Name: r.get("name"), Category: r.get("category"),
		Unit: r.get("unit"), Price: moneyCell(r.get("price")), Cost: moneyCell(r.get("cost")),
		Currency: r.get("currency"), Description: r.get("description")}
}

// productUpdate is the PATCH of an existing product: the row's non-empty
// cells (the SKU matched already).
func productUpdate(c product.ProductCreateRequest) product.ProductUpdateRequest {
	return product.ProductUpdateRequest{Name: opt(c.Name), Category: opt(c.Category), Unit: opt(c.Unit),
		Price: c.Price, Cost: c.Cost, Currency: opt(c.Currency), Active: c.Active, Description: opt(c.Description)}
}

// thousands is a number grouped by commas in threes: "1,234,567.50".
var thousands = regexp.MustCompile(`^-?\d{1,3}(,\d{3})+(\.\d*)?$`)

// moneyCell turns a spreadsheet money cell into the API's decimal text:
// "¥1,234.50", "1,234.5 元" and "CNY 1234.5" become "1234.50"-like text
// for money.Parse, which still refuses a third decimal place rather than
// rounding it away. Commas are dropped only where they group thousands, so
// a decimal comma ("12,5") stays and is reported, never read as 125.
// Empty is nil.
func moneyCell(s string) *string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	for _, sym := range []string{"CNY", "RMB", "USD", "US$", "¥", "￥", "$", "€", "£", "元"} {
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, sym), sym))
	}
	if thousands.MatchString(s) {
		s = strings.ReplaceAll(s, ",", "")
	}
	return &s
}

// boolCell reads a yes/no cell; empty is nil, anything unknown is !ok.
func boolCell(s string) (*bool, bool) {
	var b bool
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return nil, true
	case "true", "1", "yes", "y", "是", "启用", "有效", "在售":
		b = true
	case "false", "0", "no", "n", "否", "停用", "禁用", "无效", "停售":
		b = false
	default:
		return nil, false
	}
	return &b, true
}
