package db

import (
	"context"
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationLockKey is the PostgreSQL advisory lock that serialises servers
// migrating the same database at once.
const migrationLockKey = 73_110_2026

// Migrate applies the versioned migrations in one transaction. On
// PostgreSQL an advisory transaction lock makes a second server wait and
// then find nothing left to do; both dialects have transactional DDL, so a
// failed step leaves the schema as it was.
func (d *DB) Migrate(ctx context.Context, steps []*gormigrate.Migration) error {
	return d.g.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if d.dialect == Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", migrationLockKey).Error; err != nil {
				return fmt.Errorf("migrate: lock: %w", err)
			}
		}
		m := gormigrate.New(tx, &gormigrate.Options{
			TableName:                 "schema_migrations",
			IDColumnName:              "id",
			IDColumnSize:              255,
			ValidateUnknownMigrations: true,
		}, steps)
		if err := m.Migrate(); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		return nil
	})
}
