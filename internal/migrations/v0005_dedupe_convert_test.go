package migrations

import (
	"context"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/dedupe"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/db/dbtest"
)

// The backfill fills the normalised columns of rows that existed before
// 0005, and its frozen normaliser agrees with package dedupe today.
func TestV0005Backfill(t *testing.T) {
	open := map[string]func(t *testing.T) (string, string){
		"sqlite":   func(t *testing.T) (string, string) { return "", t.TempDir() },
		"postgres": func(t *testing.T) (string, string) { return dbtest.PostgresURL(t), "" },
	}
	for name, where := range open {
		t.Run(name, func(t *testing.T) {
			dsn, dir := where(t)
			ctx := context.Background()
			d, err := db.Open(ctx, dsn, dir, db.Options{MaxOpenConns: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			steps := All()
			if err := d.Migrate(ctx, steps[:4]); err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			g := d.Gorm()
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(g.Exec(`INSERT INTO leads (id, name, company, phone, email, status, tags, created_at, updated_at, version)
				VALUES ('00000000-0000-7000-8000-000000000001', 'A', ' 恒达 有限公司', '＋８６ １３８-0013-8000', 'A＠B.cn', 'new', '[]', ?, ?, 1)`,
				now, now).Error)
			must(g.Exec(`INSERT INTO customers (id, name, phone, email, tags, created_at, updated_at, version)
				VALUES ('00000000-0000-7000-8000-000000000002', 'Acme Co., Ltd.', '0086 512 6288 1234', '', '[]', ?, ?, 1)`,
				now, now).Error)
			must(g.Exec(`INSERT INTO contacts (id, customer_id, name, mobile, email, created_at, updated_at, version)
				VALUES ('00000000-0000-7000-8000-000000000003', '00000000-0000-7000-8000-000000000002', 'C', '86 139 1234 5678', 'X@Y.CN', ?, ?, 1)`,
				now, now).Error)
			must(d.Migrate(ctx, steps[:5]))
			var got []string
			for _, q := range []string{"SELECT phone_norm || '|' || email_norm || '|' || company_norm FROM leads",
				"SELECT phone_norm || '|' || email_norm || '|' || name_norm FROM customers",
				"SELECT mobile_norm || '|' || email_norm || '|' || phone_norm FROM contacts"} {
				var s string
				must(g.Raw(q).Scan(&s).Error)
				got = append(got, s)
			}
			want := []string{
				dedupe.Phone("＋８６ １３８-0013-8000") + "|a@b.cn|" + dedupe.Company(" 恒达 有限公司"),
				dedupe.Phone("0086 512 6288 1234") + "||" + dedupe.Company("Acme Co., Ltd."),
				dedupe.Phone("86 139 1234 5678") + "|x@y.cn|",
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("row %d: %q, want %q", i, got[i], want[i])
				}
			}
			if want[0] != "13800138000|a@b.cn|恒达" || want[1] != "051262881234||acme" {
				t.Errorf("rules changed? %q %q", want[0], want[1])
			}
		})
	}
}
