// Package migrations lists the schema versions in order. Each step declares
// frozen copies of the structs it changes (gitea's pattern), so later edits
// to the live models never rewrite history, and runs on both databases.
// PostgreSQL-only extras go in steps that check the dialect.
package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
)

// All is every migration, oldest first. Append; never edit or reorder.
func All() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		v0001Init(),
		v0002SettingsNotifications(),
		v0003Customers(),
		v0004LeadRouting(),
		v0005DedupeConvert(),
		v0006Imports(),
		v0007Reminders(),
		v0008Products(),
		v0009Opportunities(),
		v0010Activities(),
		v0011NumbersEvents(),
		v0012Approvals(),
		v0013QuotesOrders(),
		v0014ContractsPayments(),
		v0015Team(),
		v0016Scale(),
		v0017ScaleReports(),
		v0018ReportMix(),
		v0019FunnelReached(),
		v0020ActivityListIndexes(),
		v0021FunnelRollups(),
		v0022LeadConversionRollups(),
		v0023RegionRollups(),
		v0024CustomerReceipts(),
		v0025ProductSalesRollup(),
		v0026WonProductsRollup(),
		v0027OrderProductsRollup(),
		v0028SQLiteWholeSeconds(),
	}
}
