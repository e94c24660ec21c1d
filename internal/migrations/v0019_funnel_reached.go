package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// v0019FunnelReached denormalises "which stages has this deal ever
// entered" onto opportunities.reached_stages, a bit mask over
// pipeline_stage_bits: a per-pipeline bit number given to each stage when
// it is created. The funnel's reached counts then read one covering index
// over the cohort instead of joining millions of stage entries.
//
// Bits live in their own table, never deleted, so a stage removed from a
// pipeline never hands its bit to a new stage (closed deals keep the old
// stage in their history). Only the bits of a deal's current pipeline
// count, and only bits 0..62 (a pipeline past 63 stage creations falls
// back to the plain query in the report). Triggers keep the mask in the
// writing transaction: stage entries inserted, deleted or re-pointed, a
// deal inserted after its first entry (the service writes the entry
// first), a deal moved to another pipeline.
func v0019FunnelReached() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "0019_funnel_reached",
		Migrate: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			stmts := []string{
				`CREATE TABLE pipeline_stage_bits (stage_id varchar(36) PRIMARY KEY, pipeline_id varchar(36) NOT NULL,
					bit integer NOT NULL, UNIQUE (pipeline_id, bit))`,
				`INSERT INTO pipeline_stage_bits (stage_id, pipeline_id, bit)
					SELECT id, pipeline_id, ROW_NUMBER() OVER (PARTITION BY pipeline_id ORDER BY position, id) - 1
					FROM pipeline_stages`,
				"ALTER TABLE opportunities ADD COLUMN reached_stages bigint NOT NULL DEFAULT 0",
			}
			if pg {
				stmts = append(stmts, pgReachedTriggers...)
				stmts = append(stmts, `UPDATE opportunities o SET reached_stages = m.mask FROM (
					SELECT e.opportunity_id, b.pipeline_id, bit_or(CAST(1 AS bigint) << b.bit) AS mask
					FROM opportunity_stage_entries e JOIN pipeline_stage_bits b ON b.stage_id = e.stage_id
					WHERE b.bit < 63 GROUP BY 1, 2) m
					WHERE o.id = m.opportunity_id AND o.pipeline_id = m.pipeline_id`)
			} else {
				stmts = append(stmts, sqliteReachedTriggers...)
				stmts = append(stmts, "UPDATE opportunities SET reached_stages = "+sqliteMaskOf("opportunities.id", "opportunities.pipeline_id"))
			}
			for _, x := range v0019Indexes {
				stmts = append(stmts, x.sql(pg))
			}
			for _, s := range stmts {
				if err := tx.Exec(s).Error; err != nil {
					return err
				}
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			var drops []string
			for _, x := range v0019Indexes {
				drops = append(drops, "DROP INDEX IF EXISTS "+x.name)
			}
			for _, t := range [][2]string{{"stage_bits_ins", "pipeline_stages"}, {"reached_entries_ins", "opportunity_stage_entries"},
				{"reached_entries_del", "opportunity_stage_entries"}, {"reached_entries_upd", "opportunity_stage_entries"},
				{"reached_opps_ins", "opportunities"}, {"reached_opps_pipe", "opportunities"}} {
				s := "DROP TRIGGER IF EXISTS " + t[0]
				if pg {
					s += " ON " + t[1]
				}
				drops = append(drops, s)
			}
			if pg {
				drops = append(drops, "DROP FUNCTION IF EXISTS stage_bits_assign()", "DROP FUNCTION IF EXISTS reached_recompute()",
					"DROP FUNCTION IF EXISTS reached_add()", "DROP FUNCTION IF EXISTS reached_opps_pipe()")
			}
			drops = append(drops, "ALTER TABLE opportunities DROP COLUMN reached_stages", "DROP TABLE IF EXISTS pipeline_stage_bits")
			for _, s := range drops {
				if err := tx.Exec(s).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// v0019Indexes cover the funnel's cohort scan: all of a pipeline's deals
// created in a period (admins), or those of a set of owners (managers,
// reps, team and user filters); and lead conversion's two passes.
var v0019Indexes = []scaleIndex{
	{"idx_opps_pipeline_created_reached", "opportunities", "pipeline_id, created_at", "owner_id, reached_stages", "deleted_at IS NULL"},
	{"idx_opps_owner_pipeline_created_reached", "opportunities", "owner_id, pipeline_id, created_at", "reached_stages", "deleted_at IS NULL"},
	// The funnel's totals and outcomes: a pipeline's open deals, and those
	// closed in a period, whole or for a set of owners.
	{"idx_opps_pipeline_status_closed", "opportunities", "pipeline_id, status, closed_at", "stage_id, amount, owner_id, created_at", "deleted_at IS NULL"},
	{"idx_opps_owner_pipeline_status_closed", "opportunities", "owner_id, pipeline_id, status, closed_at", "stage_id, amount, created_at", "deleted_at IS NULL"},
	// Lead conversion: the cohort's leads with a contact (the only ones
	// joined to deals, ~10% of leads), and the cohort of a set of owners.
	{"idx_leads_live_contact_created", "leads", "created_at", "owner_id, source, region, contact_id", "deleted_at IS NULL AND contact_id IS NOT NULL"},
	{"idx_leads_owner_live_created", "leads", "owner_id, created_at", "source, region, contact_id, converted_at", "deleted_at IS NULL"},
}

// sqliteMaskOf is the mask of deal opp in pipeline pipe, from its entries.
// Bits of one pipeline are distinct, so SUM(DISTINCT) is their OR.
func sqliteMaskOf(opp, pipe string) string {
	return "(SELECT COALESCE(SUM(DISTINCT 1 << b.bit), 0) FROM opportunity_stage_entries e " +
		"JOIN pipeline_stage_bits b ON b.stage_id = e.stage_id WHERE e.opportunity_id = " + opp +
		" AND b.pipeline_id = " + pipe + " AND b.bit < 63)"
}

// sqliteReachedTriggers keep bits and masks row by row.
var sqliteReachedTriggers = []string{
	`CREATE TRIGGER stage_bits_ins AFTER INSERT ON pipeline_stages BEGIN
		INSERT INTO pipeline_stage_bits (stage_id, pipeline_id, bit)
		SELECT NEW.id, NEW.pipeline_id, COALESCE(MAX(bit) + 1, 0) FROM pipeline_stage_bits WHERE pipeline_id = NEW.pipeline_id
		ON CONFLICT (stage_id) DO NOTHING; END`,
	`CREATE TRIGGER reached_entries_ins AFTER INSERT ON opportunity_stage_entries BEGIN
		UPDATE opportunities SET reached_stages = reached_stages | (SELECT 1 << b.bit FROM pipeline_stage_bits b
			WHERE b.stage_id = NEW.stage_id AND b.pipeline_id = opportunities.pipeline_id AND b.bit < 63)
		WHERE id = NEW.opportunity_id AND EXISTS (SELECT 1 FROM pipeline_stage_bits b
			WHERE b.stage_id = NEW.stage_id AND b.pipeline_id = opportunities.pipeline_id AND b.bit < 63); END`,
	`CREATE TRIGGER reached_entries_del AFTER DELETE ON opportunity_stage_entries BEGIN
		UPDATE opportunities SET reached_stages = ` + sqliteMaskOf("opportunities.id", "opportunities.pipeline_id") + `
		WHERE id = OLD.opportunity_id; END`,
	`CREATE TRIGGER reached_entries_upd AFTER UPDATE OF opportunity_id, stage_id ON opportunity_stage_entries BEGIN
		UPDATE opportunities SET reached_stages = ` + sqliteMaskOf("opportunities.id", "opportunities.pipeline_id") + `
		WHERE id IN (OLD.opportunity_id, NEW.opportunity_id); END`,
	`CREATE TRIGGER reached_opps_ins AFTER INSERT ON opportunities BEGIN
		UPDATE opportunities SET reached_stages = ` + sqliteMaskOf("opportunities.id", "opportunities.pipeline_id") + `
		WHERE id = NEW.id; END`,
	`CREATE TRIGGER reached_opps_pipe AFTER UPDATE OF pipeline_id ON opportunities WHEN OLD.pipeline_id <> NEW.pipeline_id BEGIN
		UPDATE opportunities SET reached_stages = ` + sqliteMaskOf("opportunities.id", "opportunities.pipeline_id") + `
		WHERE id = NEW.id; END`,
}

// pgReachedTriggers work per statement from the transition tables, so a
// bulk COPY of entries costs one grouped update. Deals are updated in id
// order so concurrent writers lock them in the same order.
var pgReachedTriggers = []string{
	`CREATE OR REPLACE FUNCTION stage_bits_assign() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- One pipeline's stages get their bits one at a time.
  PERFORM pg_advisory_xact_lock(hashtext('pipeline_stage_bits:' || NEW.pipeline_id));
  INSERT INTO pipeline_stage_bits (stage_id, pipeline_id, bit)
  SELECT NEW.id, NEW.pipeline_id, COALESCE(MAX(bit) + 1, 0) FROM pipeline_stage_bits WHERE pipeline_id = NEW.pipeline_id
  ON CONFLICT (stage_id) DO NOTHING;
  RETURN NULL;
END $$`,
	`CREATE TRIGGER stage_bits_ins AFTER INSERT ON pipeline_stages FOR EACH ROW EXECUTE FUNCTION stage_bits_assign()`,
	// Entries added: OR their bits in.
	`CREATE OR REPLACE FUNCTION reached_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE opportunities o SET reached_stages = o.reached_stages | m.mask
  FROM (SELECT n.opportunity_id, b.pipeline_id, bit_or(CAST(1 AS bigint) << b.bit) AS mask
        FROM new_rows n JOIN pipeline_stage_bits b ON b.stage_id = n.stage_id
        WHERE b.bit < 63 GROUP BY 1, 2 ORDER BY 1) m
  WHERE o.id = m.opportunity_id AND o.pipeline_id = m.pipeline_id AND o.reached_stages | m.mask <> o.reached_stages;
  RETURN NULL;
END $$`,
	// Entries removed or re-pointed, deals inserted: recompute the masks of
	// the deals named, from their entries.
	`CREATE OR REPLACE FUNCTION reached_recompute() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'opportunities' THEN
    UPDATE opportunities o SET reached_stages = m.mask
    FROM (SELECT n.id, bit_or(CAST(1 AS bigint) << b.bit) AS mask FROM new_rows n
          JOIN opportunity_stage_entries e ON e.opportunity_id = n.id
          JOIN pipeline_stage_bits b ON b.stage_id = e.stage_id AND b.pipeline_id = n.pipeline_id
          WHERE b.bit < 63 GROUP BY n.id ORDER BY n.id) m
    WHERE o.id = m.id;
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    UPDATE opportunities o SET reached_stages = COALESCE((SELECT bit_or(CAST(1 AS bigint) << b.bit)
      FROM opportunity_stage_entries e JOIN pipeline_stage_bits b ON b.stage_id = e.stage_id
      WHERE e.opportunity_id = o.id AND b.pipeline_id = o.pipeline_id AND b.bit < 63), 0)
    WHERE o.id IN (SELECT x FROM old_rows r JOIN new_rows n ON n.id = r.id,
      LATERAL (VALUES (r.opportunity_id), (n.opportunity_id)) v(x)
      WHERE r.opportunity_id <> n.opportunity_id OR r.stage_id <> n.stage_id);
  ELSE
    UPDATE opportunities o SET reached_stages = COALESCE((SELECT bit_or(CAST(1 AS bigint) << b.bit)
      FROM opportunity_stage_entries e JOIN pipeline_stage_bits b ON b.stage_id = e.stage_id
      WHERE e.opportunity_id = o.id AND b.pipeline_id = o.pipeline_id AND b.bit < 63), 0)
    WHERE o.id IN (SELECT opportunity_id FROM old_rows);
  END IF;
  RETURN NULL;
END $$`,
	`CREATE TRIGGER reached_entries_ins AFTER INSERT ON opportunity_stage_entries REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION reached_add()`,
	`CREATE TRIGGER reached_entries_del AFTER DELETE ON opportunity_stage_entries REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION reached_recompute()`,
	// (PostgreSQL allows no column list with transition tables: the
	// function skips rows whose deal and stage did not change.)
	`CREATE TRIGGER reached_entries_upd AFTER UPDATE ON opportunity_stage_entries
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reached_recompute()`,
	`CREATE TRIGGER reached_opps_ins AFTER INSERT ON opportunities REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION reached_recompute()`,
	// A deal moved to another pipeline: recompute it (row level, only when
	// the pipeline really changes).
	`CREATE OR REPLACE FUNCTION reached_opps_pipe() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.reached_stages := COALESCE((SELECT bit_or(CAST(1 AS bigint) << b.bit) FROM opportunity_stage_entries e
    JOIN pipeline_stage_bits b ON b.stage_id = e.stage_id
    WHERE e.opportunity_id = NEW.id AND b.pipeline_id = NEW.pipeline_id AND b.bit < 63), 0);
  RETURN NEW;
END $$`,
	`CREATE TRIGGER reached_opps_pipe BEFORE UPDATE OF pipeline_id ON opportunities FOR EACH ROW
  WHEN (OLD.pipeline_id IS DISTINCT FROM NEW.pipeline_id) EXECUTE FUNCTION reached_opps_pipe()`,
}
