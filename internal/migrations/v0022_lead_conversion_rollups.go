package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// leadRollups count the live leads per UTC month of created_at and owner,
// by source and by region, with how many of them are converted: lead
// conversion's cohort (grouped by source, region or owner) reads a year of
// them as some ten thousand rows instead of every lead. (Source and
// region in one key would hold about as many rows as the leads.)
func leadRollups() []keyedRollup {
	owner := rollupCol{name: "owner_id", of: func(r string) string { return "COALESCE(" + r + ".owner_id, '')" }}
	sums := []rollupCol{{name: "n", of: func(string) string { return "1" }},
		{name: "converted", of: func(r string) string { return "CASE WHEN " + r + ".converted_at IS NULL THEN 0 ELSE 1 END" }}}
	live := func(r string) string { return r + ".deleted_at IS NULL AND " + r + ".created_at IS NOT NULL" }
	return []keyedRollup{
		{name: "rollup_leads_source", table: "leads", at: "created_at", cols: "deleted_at, created_at, owner_id, source, converted_at",
			keys: []rollupCol{owner, {name: "source", typ: "varchar(50)", of: func(r string) string { return r + ".source" }}},
			sums: sums, live: live},
		{name: "rollup_leads_region", table: "leads", at: "created_at", cols: "deleted_at, created_at, owner_id, region, converted_at",
			keys: []rollupCol{owner, {name: "region", typ: "varchar(100)", of: func(r string) string { return r + ".region" }}},
			sums: sums, live: live},
	}
}

// v0022LeadDeals replaces v0016's idx_opps_contact: lead conversion counts
// the distinct deals of each converted lead's contact, and with the deal
// id in the index that is one index-only probe per lead.
var v0022LeadDeals = scaleIndex{"idx_opps_contact_deals", "opportunities", "contact_id", "id, status", "deleted_at IS NULL"}

// v0022LeadConversionRollups adds the lead rollups and the deals index.
func v0022LeadConversionRollups() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "0022_lead_conversion_rollups",
		Migrate: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			for _, r := range leadRollups() {
				if err := r.create(tx, pg); err != nil {
					return err
				}
			}
			for _, s := range []string{"DROP INDEX IF EXISTS idx_opps_contact", v0022LeadDeals.sql(pg)} {
				if err := tx.Exec(s).Error; err != nil {
					return err
				}
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			drops := []string{"DROP INDEX IF EXISTS " + v0022LeadDeals.name}
			for _, x := range v0016Indexes {
				if x.name == "idx_opps_contact" { // back as v0016 made it
					drops = append(drops, x.sql(pg))
				}
			}
			for _, r := range leadRollups() {
				drops = append(drops, r.drops(pg)...)
			}
			return execAll(tx, drops)
		},
	}
}
