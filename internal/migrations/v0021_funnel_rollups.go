package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"github.com/opencrm/crm/internal/platform/db"
	"gorm.io/gorm"
)

// funnelRollups are the funnel report's three figures per owner, kept by
// triggers (see keyedRollup) so the report reads a few thousand rows
// instead of a year of deals:
//   - rollup_funnel_open: the open deals by current stage (no month: the
//     funnel shows every open deal);
//   - rollup_funnel_closed: the deals won or lost, by UTC month of
//     closed_at, stage and status, with the whole seconds from creation to
//     closing (the average cycle);
//   - rollup_funnel_cohort: the deals by UTC month of created_at and the
//     mask of stages they ever entered (v0019), for conversion rates.
//
// weighted is amount × the stage's probability / 100 rounded half-up per
// deal, as the report defines it; a stage's probability is read when the
// deal is written and the stage's rows are rebuilt when it changes.
func funnelRollups(pg bool) []keyedRollup {
	owner := rollupCol{name: "owner_id", of: func(r string) string { return "COALESCE(" + r + ".owner_id, '')" }}
	pipeline := rollupCol{name: "pipeline_id", of: func(r string) string { return r + ".pipeline_id" }}
	stage := rollupCol{name: "stage_id", of: func(r string) string { return r + ".stage_id" }}
	n := rollupCol{name: "n", of: func(string) string { return "1" }}
	amount := rollupCol{name: "amount", of: func(r string) string { return "COALESCE(" + r + ".amount, 0)" }}
	weighted := rollupCol{name: "weighted", of: func(r string) string {
		return "((COALESCE(" + r + ".amount, 0) * COALESCE((SELECT s.probability FROM pipeline_stages s WHERE s.id = " +
			r + ".stage_id), 0) + 50) / 100)"
	}}
	secs := rollupCol{name: "secs", of: func(r string) string {
		if pg {
			return "(CAST(floor(date_part('epoch', " + r + ".closed_at)) AS BIGINT) - CAST(floor(date_part('epoch', " +
				r + ".created_at)) AS BIGINT))"
		}
		return "(" + db.SQLiteUnixSeconds(r+".closed_at") + " - " + db.SQLiteUnixSeconds(r+".created_at") + ")"
	}}
	return []keyedRollup{
		{name: "rollup_funnel_open", table: "opportunities", cols: "status, deleted_at, owner_id, pipeline_id, stage_id, amount",
			keys: []rollupCol{pipeline, stage, owner}, sums: []rollupCol{n, amount, weighted},
			live: func(r string) string { return r + ".status = 'open' AND " + r + ".deleted_at IS NULL" }},
		{name: "rollup_funnel_closed", table: "opportunities", at: "closed_at",
			cols: "status, deleted_at, closed_at, created_at, owner_id, pipeline_id, stage_id, amount",
			keys: []rollupCol{pipeline, owner, stage, {name: "status", of: func(r string) string { return r + ".status" }}},
			sums: []rollupCol{n, amount, weighted, secs},
			live: func(r string) string {
				return r + ".status IN ('won', 'lost') AND " + r + ".deleted_at IS NULL AND " + r + ".closed_at IS NOT NULL"
			}},
		{name: "rollup_funnel_cohort", table: "opportunities", at: "created_at",
			cols: "deleted_at, created_at, owner_id, pipeline_id, reached_stages",
			keys: []rollupCol{pipeline, owner, {name: "mask", typ: "bigint", of: func(r string) string { return r + ".reached_stages" }}},
			sums: []rollupCol{n},
			live: func(r string) string { return r + ".deleted_at IS NULL" }},
	}
}

// v0021FunnelRollups adds the funnel rollups, and a trigger rebuilding a
// stage's open and closed rows when its probability changes (rare: an
// admin editing a pipeline).
func v0021FunnelRollups() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "0021_funnel_rollups",
		Migrate: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			rs := funnelRollups(pg)
			for _, r := range rs {
				if err := r.create(tx, pg); err != nil {
					return err
				}
			}
			var rebuild []string
			for _, r := range rs[:2] {
				rebuild = append(rebuild, r.rebuildKeysIn("stage_id", "NEW.id", pg)...)
			}
			var stmts []string
			if pg {
				body := ""
				for _, s := range rebuild {
					body += "  " + s + ";\n"
				}
				stmts = []string{`CREATE OR REPLACE FUNCTION funnel_stage_probability() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
` + body + `  RETURN NULL;
END $$`,
					`CREATE TRIGGER funnel_stage_probability AFTER UPDATE OF probability ON pipeline_stages FOR EACH ROW
  WHEN (OLD.probability IS DISTINCT FROM NEW.probability) EXECUTE FUNCTION funnel_stage_probability()`}
			} else {
				body := ""
				for _, s := range rebuild {
					body += s + "; "
				}
				stmts = []string{"CREATE TRIGGER funnel_stage_probability AFTER UPDATE OF probability ON pipeline_stages " +
					"WHEN OLD.probability IS NOT NEW.probability BEGIN " + body + "END"}
			}
			return execAll(tx, stmts)
		},
		Rollback: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			drops := []string{"DROP TRIGGER IF EXISTS funnel_stage_probability"}
			if pg {
				drops = []string{"DROP TRIGGER IF EXISTS funnel_stage_probability ON pipeline_stages",
					"DROP FUNCTION IF EXISTS funnel_stage_probability()"}
			}
			for _, r := range funnelRollups(pg) {
				drops = append(drops, r.drops(pg)...)
			}
			return execAll(tx, drops)
		},
	}
}
