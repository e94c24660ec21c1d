package db_test

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/platform/db"
)

type row struct {
	ID    string        `gorm:"primaryKey;size:36"`
	Email string        `gorm:"size:100;uniqueIndex"`
	Name  string        `gorm:"size:100"`
	Tags  db.StringList `gorm:"type:text"`
	At    time.Time
}

func eachTable(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	eachDB(t, func(t *testing.T, open opener) {
		d := open(t)
		if err := d.Gorm().AutoMigrate(&row{}); err != nil {
			t.Fatal(err)
		}
		fn(t, d)
	})
}

func TestWithTx(t *testing.T) {
	eachTable(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := d.WithTx(ctx, func(ctx context.Context) error {
			if err := d.Conn(ctx).Create(&row{ID: "1", Email: "a@x.io"}).Error; err != nil {
				return err
			}
			// A nested call joins the outer transaction and its failure
			// rolls back both.
			return d.WithTx(ctx, func(ctx context.Context) error {
				if err := d.Conn(ctx).Create(&row{ID: "2", Email: "b@x.io"}).Error; err != nil {
					return err
				}
				return boom
			})
		})
		if !errors.Is(err, boom) {
			t.Fatalf("WithTx = %v", err)
		}
		var n int64
		d.Conn(ctx).Model(&row{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d rows survived a rolled-back transaction", n)
		}
		if err := d.WithTx(ctx, func(ctx context.Context) error {
			return d.Conn(ctx).Create(&row{ID: "3", Email: "c@x.io"}).Error
		}); err != nil {
			t.Fatal(err)
		}
		d.Conn(ctx).Model(&row{}).Count(&n)
		if n != 1 {
			t.Fatalf("%d rows after a committed transaction", n)
		}
	})
}

func TestErrorsAndTypes(t *testing.T) {
	eachTable(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		at := db.Now()
		if at.Location() != time.UTC || at.Nanosecond()%1000 != 0 {
			t.Fatalf("Now = %v: want UTC, microseconds", at)
		}
		in := row{ID: "1", Email: "a@x.io", Name: "Ada", Tags: db.StringList{"vip", "线索"}, At: at}
		if err := d.Conn(ctx).Create(&in).Error; err != nil {
			t.Fatal(err)
		}
		err := d.Conn(ctx).Create(&row{ID: "2", Email: "a@x.io"}).Error
		if !db.IsDuplicate(err) {
			t.Fatalf("unique violation not recognised: %v", err)
		}
		var out row
		if err := d.Conn(ctx).First(&out, "id = ?", "nope").Error; !db.IsNotFound(err) {
			t.Fatalf("not found not recognised: %v", err)
		}
		if err := d.Conn(ctx).First(&out, "id = ?", "1").Error; err != nil {
			t.Fatal(err)
		}
		if !out.At.Equal(at) || len(out.Tags) != 2 || out.Tags[1] != "线索" {
			t.Fatalf("round trip: %+v, want At %v", out, at)
		}
		if err := d.Conn(ctx).Create(&row{ID: "3", Email: "c@x.io"}).Error; err != nil {
			t.Fatal(err)
		}
		var empty row
		d.Conn(ctx).First(&empty, "id = ?", "3")
		if empty.Tags == nil || len(empty.Tags) != 0 {
			t.Fatalf("nil tags read back as %#v, want []", empty.Tags)
		}
		if err := d.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// Contains treats the user's text literally: % and _ are not wildcards.
func TestContains(t *testing.T) {
	eachTable(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for i, name := range []string{"100% Cotton", "1000 Cotton", "snake_case", "snakeXcase", `back\slash`, "ACME Ltd"} {
			if err := d.Conn(ctx).Create(&row{ID: string(rune('a' + i)), Email: name + "@x.io", Name: name}).Error; err != nil {
				t.Fatal(err)
			}
		}
		cases := map[string][]string{
			"0%":      {"100% Cotton"},
			"_case":   {"snake_case"},
			`k\s`:     {`back\slash`},
			"acme":    {"ACME Ltd"},
			"cotton":  {"100% Cotton", "1000 Cotton"},
			"nothing": nil,
		}
		for q, want := range cases {
			var names []string
			if err := db.Contains(d.Conn(ctx).Model(&row{}), q, "name").Pluck("name", &names).Error; err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			sort.Strings(names) // in Go: collations differ between the databases
			if len(names) != len(want) {
				t.Fatalf("%q matched %v, want %v", q, names, want)
			}
			for i := range want {
				if names[i] != want[i] {
					t.Fatalf("%q matched %v, want %v", q, names, want)
				}
			}
		}
	})
}

func TestAfterCommit(t *testing.T) {
	eachTable(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var ran []string
		// Outside a transaction it runs at once.
		db.AfterCommit(ctx, func(context.Context) { ran = append(ran, "now") })
		err := d.WithTx(ctx, func(ctx context.Context) error {
			db.AfterCommit(ctx, func(ctx context.Context) {
				// It sees the committed row from outside the transaction.
				var n int64
				d.Conn(ctx).Model(&row{}).Where("id = ?", "ac").Count(&n)
				ran = append(ran, map[int64]string{0: "before-commit", 1: "after-commit"}[n])
			})
			if err := d.Conn(ctx).Create(&row{ID: "ac", Email: "ac@x.io"}).Error; err != nil {
				return err
			}
			// Nested transactions queue their hooks on the outer one.
			return d.WithTx(ctx, func(ctx context.Context) error {
				db.AfterCommit(ctx, func(context.Context) { ran = append(ran, "nested") })
				if len(ran) != 1 {
					t.Errorf("hook ran inside the transaction: %v", ran)
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(ran) != 3 || ran[0] != "now" || ran[1] != "after-commit" || ran[2] != "nested" {
			t.Fatalf("ran %v", ran)
		}
		_ = d.WithTx(ctx, func(ctx context.Context) error {
			db.AfterCommit(ctx, func(context.Context) { ran = append(ran, "rolled-back") })
			return errors.New("boom")
		})
		if len(ran) != 3 {
			t.Fatalf("hook of a rolled-back transaction ran: %v", ran)
		}
	})
}

// SQLite's seconds are cut, not rounded, whatever the fraction and the
// stored form: as floor(epoch) on PostgreSQL and time.Unix in Go.
// (The helper is SQLite's; PostgreSQL floors the epoch itself.)
func TestSQLiteUnixSecondsCuts(t *testing.T) {
	d := sqliteOpener(t)(t)
	if err := d.Gorm().AutoMigrate(&row{}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, at := range []time.Time{
		time.Date(2026, 11, 30, 23, 59, 59, 999_999_000, time.UTC),
		time.Date(2026, 11, 17, 3, 4, 5, 999_600_000, time.UTC),
		time.Date(2026, 11, 17, 3, 4, 5, 0, time.UTC),
		time.Date(2026, 11, 17, 3, 4, 5, 400_000, time.UTC),
	} {
		id := string(rune('a' + i))
		if err := d.Conn(ctx).Create(&row{ID: id, Email: id + "@x.io", At: at}).Error; err != nil {
			t.Fatal(err)
		}
		var got int64
		if err := d.Conn(ctx).Raw("SELECT "+db.SQLiteUnixSeconds("at")+" FROM rows WHERE id = ?", id).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if got != at.Unix() {
			t.Errorf("%s: %d, want %d", at.Format(time.RFC3339Nano), got, at.Unix())
		}
	}
}
