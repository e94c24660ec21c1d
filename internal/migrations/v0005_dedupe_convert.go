package migrations

import (
	"strings"
	"time"
	"unicode"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// v0005DedupeConvert adds the normalised phone, email and company columns
// the duplicate check (查重) matches on, for leads, customers and contacts,
// and fills them for existing rows; the links a converted lead keeps to
// its customer and contact; and the customer a merged one went into.
//
// The backfill uses a frozen copy of the normalisation rules (v5Phone…
// below) rather than package dedupe: a migration must do the same thing
// forever. When dedupe's rules change, a new migration re-normalises.
func v0005DedupeConvert() *gormigrate.Migration {
	type leadV5 struct {
		PhoneNorm   string  `gorm:"size:40;not null;default:'';index:idx_leads_phone_norm"`
		EmailNorm   string  `gorm:"size:254;not null;default:'';index:idx_leads_email_norm"`
		CompanyNorm string  `gorm:"size:200;not null;default:'';index:idx_leads_company_norm"`
		CustomerID  *string `gorm:"size:36;index:idx_leads_customer_id"`
		ContactID   *string `gorm:"size:36"`
		ConvertedAt *time.Time
		ConvertedBy string `gorm:"size:36;not null;default:''"`
	}
	type customerV5 struct {
		PhoneNorm    string  `gorm:"size:40;not null;default:'';index:idx_customers_phone_norm"`
		EmailNorm    string  `gorm:"size:254;not null;default:'';index:idx_customers_email_norm"`
		NameNorm     string  `gorm:"size:200;not null;default:'';index:idx_customers_name_norm"`
		MergedIntoID *string `gorm:"size:36"`
	}
	type contactV5 struct {
		PhoneNorm  string `gorm:"size:40;not null;default:'';index:idx_contacts_phone_norm"`
		MobileNorm string `gorm:"size:40;not null;default:'';index:idx_contacts_mobile_norm"`
		EmailNorm  string `gorm:"size:254;not null;default:'';index:idx_contacts_email_norm"`
	}
	type step struct {
		table   string
		model   any
		cols    []string
		indexes []string
		// raw columns read, and how they become the normalised ones.
		read string
		norm func(r map[string]any) map[string]any
	}
	str := func(v any) string { s, _ := v.(string); return s }
	steps := []step{
		{"leads", &leadV5{}, []string{"PhoneNorm", "EmailNorm", "CompanyNorm", "CustomerID", "ContactID",
			"ConvertedAt", "ConvertedBy"},
			[]string{"idx_leads_phone_norm", "idx_leads_email_norm", "idx_leads_company_norm", "idx_leads_customer_id"},
			"id, phone, email, company", func(r map[string]any) map[string]any {
				return map[string]any{"phone_norm": v5Phone(str(r["phone"])), "email_norm": v5Email(str(r["email"])),
					"company_norm": v5Company(str(r["company"]))}
			}},
		{"customers", &customerV5{}, []string{"PhoneNorm", "EmailNorm", "NameNorm", "MergedIntoID"},
			[]string{"idx_customers_phone_norm", "idx_customers_email_norm", "idx_customers_name_norm"},
			"id, phone, email, name", func(r map[string]any) map[string]any {
				return map[string]any{"phone_norm": v5Phone(str(r["phone"])), "email_norm": v5Email(str(r["email"])),
					"name_norm": v5Company(str(r["name"]))}
			}},
		{"contacts", &contactV5{}, []string{"PhoneNorm", "MobileNorm", "EmailNorm"},
			[]string{"idx_contacts_phone_norm", "idx_contacts_mobile_norm", "idx_contacts_email_norm"},
			"id, phone, mobile, email", func(r map[string]any) map[string]any {
				return map[string]any{"phone_norm": v5Phone(str(r["phone"])), "mobile_norm": v5Phone(str(r["mobile"])),
					"email_norm": v5Email(str(r["email"]))}
			}},
	}
	return &gormigrate.Migration{
		ID: "0005_dedupe_convert",
		Migrate: func(tx *gorm.DB) error {
			for _, s := range steps {
				m := tx.Table(s.table).Migrator()
				for _, c := range s.cols {
					if err := m.AddColumn(s.model, c); err != nil {
						return err
					}
				}
				for _, ix := range s.indexes {
					if err := m.CreateIndex(s.model, ix); err != nil {
						return err
					}
				}
				if err := v5Backfill(tx, s.table, s.read, s.norm); err != nil {
					return err
				}
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			for _, s := range steps {
				m := tx.Table(s.table).Migrator()
				for _, ix := range s.indexes {
					_ = m.DropIndex(s.model, ix)
				}
				for _, c := range s.cols {
					if err := m.DropColumn(s.model, c); err != nil {
						return err
					}
				}
			}
			return nil
		},
	}
}

// v5Backfill normalises every row of table (soft-deleted ones too) in
// batches by id.
func v5Backfill(tx *gorm.DB, table, read string, norm func(map[string]any) map[string]any) error {
	last := ""
	for {
		var rows []map[string]any
		if err := tx.Table(table).Select(read).Where("id > ?", last).Order("id").Limit(500).
			Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			id, _ := r["id"].(string)
			last = id
			set := norm(r)
			empty := true
			for _, v := range set {
				empty = empty && v == ""
			}
			if empty {
				continue
			}
			if err := tx.Table(table).Where("id = ?", id).UpdateColumns(set).Error; err != nil {
				return err
			}
		}
		if len(rows) < 500 {
			return nil
		}
	}
}

// Frozen copy of dedupe's normalisation as of this migration.

func v5Fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}

func v5Phone(s string) string {
	var b strings.Builder
	plus := false
	for _, r := range v5Fold(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0:
			plus = true
		}
	}
	d := b.String()
	mobile := func(d string) bool { return len(d) == 11 && d[0] == '1' }
	intl := ""
	switch {
	case d == "":
		return ""
	case plus:
		intl = d
	case strings.HasPrefix(d, "00"):
		intl = d[2:]
	case len(d) == 13 && strings.HasPrefix(d, "86") && mobile(d[2:]):
		return d[2:]
	default:
		return d
	}
	if rest, ok := strings.CutPrefix(intl, "86"); ok && rest != "" {
		if mobile(rest) || strings.HasPrefix(rest, "0") {
			return rest
		}
		return "0" + rest
	}
	return "+" + intl
}

func v5Email(s string) string { return strings.ToLower(strings.TrimSpace(v5Fold(s))) }

func v5Company(s string) string {
	words := strings.FieldsFunc(strings.ToLower(v5Fold(s)), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r)
	})
	full := strings.Join(words, "")
	en := map[string]bool{"co": true, "ltd": true, "limited": true, "inc": true, "incorporated": true,
		"corp": true, "corporation": true, "llc": true, "company": true, "gmbh": true, "plc": true}
	for len(words) > 1 && en[words[len(words)-1]] {
		words = words[:len(words)-1]
	}
	key := strings.Join(words, "")
	for _, suf := range []string{"股份有限公司", "有限责任公司", "集团有限公司", "有限公司"} {
		if k, ok := strings.CutSuffix(key, suf); ok && k != "" {
			key = k
			break
		}
	}
	if key == "" {
		return full
	}
	return key
}
