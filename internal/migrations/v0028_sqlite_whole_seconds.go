package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// v0028SQLiteWholeSeconds re-creates, on SQLite, the triggers of
// rollup_activities_typed and refills it: v0018 first summed visit
// seconds with strftime('%s'), which rounds a timestamp's fraction of
// .9995 s or more up to the next second, where the activity report and
// PostgreSQL cut it (db.SQLiteUnixSeconds). Nothing to do on PostgreSQL.
func v0028SQLiteWholeSeconds() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "0028_sqlite_whole_seconds",
		Migrate: func(tx *gorm.DB) error {
			if tx.Dialector.Name() == "postgres" {
				return nil
			}
			stmts := []string{"DROP TRIGGER IF EXISTS activities_typed_ins", "DROP TRIGGER IF EXISTS activities_typed_del",
				"DROP TRIGGER IF EXISTS activities_typed_upd", "DELETE FROM rollup_activities_typed"}
			stmts = append(stmts, sqliteTypedTriggers()...)
			return execAll(tx, append(stmts, typedFill(false)))
		},
		// The fixed triggers stay: the old ones were the fault.
		Rollback: func(*gorm.DB) error { return nil },
	}
}
