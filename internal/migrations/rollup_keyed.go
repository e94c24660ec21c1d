package migrations

import (
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// rollupCol is a column of a keyed rollup: its name and the SQL giving its
// value for a row of the source table aliased r (a key, or a term summed).
type rollupCol struct {
	name string
	of   func(r string) string
	// typ is a key's SQL type; varchar(64) when empty.
	typ string
}

// keyedRollup sums a table's rows that count (live) per key: optionally
// the UTC month of a timestamp (month, "YYYY-MM"; at == "" for a rollup of
// the rows' present state) or, with daily, its UTC day (day,
// "YYYY-MM-DD"), then the key columns; each sum is a bigint
// column. Like v0017's monthly rollups it is kept by triggers in the
// writing transaction (per statement from transition tables on
// PostgreSQL, per row on SQLite): an update takes the old row's terms out
// and puts the new row's in. cols are the source columns whose change can
// move a row (SQLite's UPDATE OF). Keys emptied by deletes stay as rows of
// zeros; readers sum.
type keyedRollup struct {
	name, table, at, cols string
	daily                 bool
	keys, sums            []rollupCol
	live                  func(r string) string
	// month, when set, is the UTC month ("YYYY-MM") of row r, for a
	// timestamp read elsewhere (at is then only a marker that there is a
	// month).
	month func(r string, pg bool) string
	// id is the source table's key columns when it has no id column.
	id []string
	// links are the tables a key reads besides table (see rollupLink).
	links []rollupLink
}

func (k keyedRollup) rowID() []string {
	if len(k.id) > 0 {
		return k.id
	}
	return []string{"id"}
}

// utcMonth is the UTC month ("YYYY-MM") of the timestamp expression ts.
func utcMonth(ts string, pg bool) string {
	if pg {
		return "to_char(" + ts + " AT TIME ZONE 'UTC', 'YYYY-MM')"
	}
	return "strftime('%Y-%m', " + ts + ")"
}

// timeCol is the name of the time key: month, or day when daily.
func (k keyedRollup) timeCol() string {
	if k.daily {
		return "day"
	}
	return "month"
}

func (k keyedRollup) monthOf(r string, pg bool) string {
	switch {
	case k.month != nil:
		return k.month(r, pg)
	case pg && k.daily:
		return "to_char(" + r + "." + k.at + " AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	case pg:
		return "to_char(" + r + "." + k.at + " AT TIME ZONE 'UTC', 'YYYY-MM')"
	case k.daily:
		return "strftime('%Y-%m-%d', " + r + "." + k.at + ")"
	}
	return "strftime('%Y-%m', " + r + "." + k.at + ")"
}

// keyNames and keyValues list month (when kept) then the keys.
func (k keyedRollup) keyNames() []string {
	var out []string
	if k.at != "" {
		out = append(out, k.timeCol())
	}
	for _, c := range k.keys {
		out = append(out, c.name)
	}
	return out
}

// keyValues are row r's keys; over replaces a key's SQL by name.
func (k keyedRollup) keyValues(r string, pg bool, over map[string]string) []string {
	var out []string
	if k.at != "" {
		out = append(out, k.monthOf(r, pg))
	}
	for _, c := range k.keys {
		if v, ok := over[c.name]; ok {
			out = append(out, v)
			continue
		}
		out = append(out, c.of(r))
	}
	return out
}

func (k keyedRollup) sumNames() []string {
	out := make([]string, len(k.sums))
	for i, c := range k.sums {
		out[i] = c.name
	}
	return out
}

// groupedFrom is the grouped SELECT of the rows of from (aliased o) that
// count, where the extra condition holds: keys then sums.
func (k keyedRollup) groupedFrom(from, where string, pg bool) string {
	return k.signedGroupedFrom(from, where, "", pg)
}

// signedGroupedFrom is groupedFrom with sums negated for sign "-": the
// rows' terms taken out.
func (k keyedRollup) signedGroupedFrom(from, where, sign string, pg bool) string {
	return k.grouped(from+" o", where, sign, pg, nil)
}

// grouped is signedGroupedFrom over src, a FROM clause naming the rows
// summed o, with the keys of over (by name) in place of their own.
func (k keyedRollup) grouped(src, where, sign string, pg bool, over map[string]string) string {
	sel := k.keyValues("o", pg, over)
	for _, c := range k.sums {
		sel = append(sel, sign+"SUM("+c.of("o")+")")
	}
	cond := k.live("o")
	if where != "" {
		cond += " AND " + where
	}
	var by []string
	for i := range k.keyNames() {
		by = append(by, strconv.Itoa(i+1))
	}
	return "SELECT " + strings.Join(sel, ", ") + " FROM " + src + " WHERE " + cond +
		" GROUP BY " + strings.Join(by, ", ") + " ORDER BY " + strings.Join(by, ", ")
}

// upsert adds the grouped rows of sel into the rollup.
func (k keyedRollup) upsert(sel string) string {
	var set []string
	for _, s := range k.sumNames() {
		set = append(set, s+" = "+k.name+"."+s+" + excluded."+s)
	}
	return "INSERT INTO " + k.name + " (" + strings.Join(append(k.keyNames(), k.sumNames()...), ", ") + ") " + sel +
		" ON CONFLICT (" + strings.Join(k.keyNames(), ", ") + ") DO UPDATE SET " + strings.Join(set, ", ")
}

// create makes the table, its triggers, and fills it from the table.
func (k keyedRollup) create(tx *gorm.DB, pg bool) error {
	var cols []string
	switch {
	case k.at != "" && k.daily:
		cols = append(cols, "day varchar(10) NOT NULL")
	case k.at != "":
		cols = append(cols, "month varchar(7) NOT NULL")
	}
	for _, c := range k.keys {
		typ := c.typ
		if typ == "" {
			typ = "varchar(64)"
		}
		cols = append(cols, c.name+" "+typ+" NOT NULL")
	}
	for _, n := range k.sumNames() {
		cols = append(cols, n+" bigint NOT NULL")
	}
	stmts := []string{"CREATE TABLE " + k.name + " (" + strings.Join(cols, ", ") +
		", PRIMARY KEY (" + strings.Join(k.keyNames(), ", ") + "))"}
	if pg {
		stmts = append(stmts, k.pgTriggers()...)
	} else {
		stmts = append(stmts, k.sqliteTriggers()...)
	}
	for _, l := range k.links {
		stmts = append(stmts, k.linkTriggers(l, pg)...)
	}
	stmts = append(stmts, k.upsert(k.groupedFrom(k.table, "", pg)))
	return execAll(tx, stmts)
}

// rebuildKeysIn is the statements that recompute the rollup rows whose key
// col (a key's name) is in set (SQL that may stand in IN (…): one value
// such as NEW.id, or a subquery such as the ids a statement changed) from
// the source rows: for a change outside the source table that a term
// reads, such as a stage's probability.
func (k keyedRollup) rebuildKeysIn(col, set string, pg bool) []string {
	var of func(string) string
	for _, c := range k.keys {
		if c.name == col {
			of = c.of
		}
	}
	return []string{
		"DELETE FROM " + k.name + " WHERE " + col + " IN (" + set + ")",
		k.upsert(k.groupedFrom(k.table, of("o")+" IN ("+set+")", pg)),
	}
}

// parentTriggers keep the rollup when a parent row that the terms or the
// month read (the child's fk names it) changes in one of cols or goes: a
// BEFORE trigger takes its children's terms out while the parent still
// holds its old values, an AFTER trigger puts them back with the new ones.
// Row level on both databases (a parent changes one at a time).
func (k keyedRollup) parentTriggers(parent, fk string, cols []string, pg bool) []string {
	var changed []string
	for _, c := range cols {
		changed = append(changed, "OLD."+c+" IS DISTINCT FROM NEW."+c)
	}
	if !pg {
		for i, c := range cols {
			changed[i] = "OLD." + c + " IS NOT NEW." + c
		}
	}
	when := strings.Join(changed, " OR ")
	out := k.upsert(k.signedGroupedFrom(k.table, "o."+fk+" = OLD.id", "-", pg))
	in := k.upsert(k.groupedFrom(k.table, "o."+fk+" = NEW.id", pg))
	on := strings.Join(cols, ", ")
	if !pg {
		return []string{
			"CREATE TRIGGER " + k.name + "_parent_out BEFORE UPDATE OF " + on + " ON " + parent + " WHEN " + when +
				" BEGIN " + out + "; END",
			"CREATE TRIGGER " + k.name + "_parent_del BEFORE DELETE ON " + parent + " BEGIN " + out + "; END",
			"CREATE TRIGGER " + k.name + "_parent_in AFTER UPDATE OF " + on + " ON " + parent + " WHEN " + when +
				" BEGIN " + in + "; END",
		}
	}
	return []string{
		`CREATE OR REPLACE FUNCTION ` + k.name + `_parent_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ` + out + `;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$`,
		`CREATE OR REPLACE FUNCTION ` + k.name + `_parent_in() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ` + in + `;
  RETURN NULL;
END $$`,
		"CREATE TRIGGER " + k.name + "_parent_out BEFORE UPDATE OF " + on + " ON " + parent + " FOR EACH ROW WHEN (" + when +
			") EXECUTE FUNCTION " + k.name + "_parent_out()",
		"CREATE TRIGGER " + k.name + "_parent_del BEFORE DELETE ON " + parent + " FOR EACH ROW EXECUTE FUNCTION " +
			k.name + "_parent_out()",
		"CREATE TRIGGER " + k.name + "_parent_in AFTER UPDATE OF " + on + " ON " + parent + " FOR EACH ROW WHEN (" + when +
			") EXECUTE FUNCTION " + k.name + "_parent_in()",
	}
}

// parentDrops undoes parentTriggers.
func (k keyedRollup) parentDrops(parent string, pg bool) []string {
	var out []string
	for _, t := range []string{"_parent_out", "_parent_del", "_parent_in"} {
		d := "DROP TRIGGER IF EXISTS " + k.name + t
		if pg {
			d += " ON " + parent
		}
		out = append(out, d)
	}
	if pg {
		out = append(out, "DROP FUNCTION IF EXISTS "+k.name+"_parent_out()", "DROP FUNCTION IF EXISTS "+k.name+"_parent_in()")
	}
	return out
}

// sqliteTriggers keep the rollup row by row.
func (k keyedRollup) sqliteTriggers() []string {
	// Terms are taken out by adding their negatives (an upsert): another
	// trigger on the table may change the row before this rollup's insert
	// trigger has counted it, and the key must still net out.
	put := func(r, sign string) string {
		vals := k.keyValues(r, false, nil)
		for _, c := range k.sums {
			vals = append(vals, sign+"("+c.of(r)+")")
		}
		return k.upsert("SELECT "+strings.Join(vals, ", ")+" WHERE "+k.live(r)) + ";"
	}
	sub := func(r string) string { return put(r, "-") }
	add := put("NEW", "")
	return []string{
		"CREATE TRIGGER " + k.name + "_ins AFTER INSERT ON " + k.table + " WHEN " + k.live("NEW") + " BEGIN " + add + " END",
		"CREATE TRIGGER " + k.name + "_del AFTER DELETE ON " + k.table + " WHEN " + k.live("OLD") + " BEGIN " + sub("OLD") + " END",
		"CREATE TRIGGER " + k.name + "_upd AFTER UPDATE OF " + k.cols + " ON " + k.table + " WHEN (" + k.live("OLD") + ") OR (" +
			k.live("NEW") + ") BEGIN " + sub("OLD") + " " + add + " END",
	}
}

// pgTriggers keep the rollup per statement: the old rows' grouped terms
// out, the new rows' in, keys in order so concurrent writers cannot
// deadlock on rollup rows. An update touches only the rows whose cols
// changed: editing a deal's name locks no rollup row.
func (k keyedRollup) pgTriggers() []string {
	fn := k.name + "_fn"
	// Old terms are taken out by upserting their negatives: another
	// statement-level trigger on the table (v0019's mask) may update rows
	// before this rollup's insert trigger has counted them.
	subtract := func(from string) string { return k.upsert(k.signedGroupedFrom(from, "", "-", true)) }
	// A row moves only when one of cols changed (what SQLite's UPDATE OF
	// names): comparing them is cheaper than the keys and terms, some of
	// which read other tables.
	state := func(r string) string {
		var cols []string
		for _, c := range strings.Split(k.cols, ",") {
			cols = append(cols, r+"."+strings.TrimSpace(c))
		}
		return "ROW(" + strings.Join(cols, ", ") + ")"
	}
	var same []string
	for _, c := range k.rowID() {
		same = append(same, "n."+c+" = p."+c)
	}
	changed := " FROM old_rows p JOIN new_rows n ON " + strings.Join(same, " AND ") + " WHERE " + state("p") +
		" IS DISTINCT FROM " + state("n")
	return []string{
		`CREATE OR REPLACE FUNCTION ` + fn + `() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    ` + subtract("old_rows") + `;
  ELSIF TG_OP = 'INSERT' THEN
    ` + k.upsert(k.groupedFrom("new_rows", "", true)) + `;
  ELSE
    ` + subtract("(SELECT p.*"+changed+")") + `;
    ` + k.upsert(k.groupedFrom("(SELECT n.*"+changed+")", "", true)) + `;
  END IF;
  RETURN NULL;
END $$`,
		`CREATE TRIGGER ` + k.name + `_ins AFTER INSERT ON ` + k.table + ` REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ` + fn + `()`,
		`CREATE TRIGGER ` + k.name + `_upd AFTER UPDATE ON ` + k.table + ` REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ` + fn + `()`,
		`CREATE TRIGGER ` + k.name + `_del AFTER DELETE ON ` + k.table + ` REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ` + fn + `()`,
	}
}

// drops undoes create.
func (k keyedRollup) drops(pg bool) []string {
	var out []string
	drop := func(name, table string) {
		for _, op := range []string{"ins", "upd", "del"} {
			d := "DROP TRIGGER IF EXISTS " + name + "_" + op
			if pg {
				d += " ON " + table
			}
			out = append(out, d)
		}
		if pg {
			out = append(out, "DROP FUNCTION IF EXISTS "+name+"_fn()")
		}
	}
	drop(k.name, k.table)
	for _, l := range k.links {
		drop(k.name+"_"+l.table, l.table)
	}
	return append(out, "DROP TABLE IF EXISTS "+k.name)
}

// execAll runs stmts in order, stopping at the first error.
func execAll(tx *gorm.DB, stmts []string) error {
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return err
		}
	}
	return nil
}

// rollupLink is a table one of a rollup's keys reads through, such as the
// customer whose region a deal is counted under: when a row of it is
// written, the rows of the rollup's table that reach it move from the key
// they were counted under to the key they have now. Ids never change.
type rollupLink struct {
	// table is the linked table; key the rollup key it feeds.
	table, key string
	// changed says whether old row p and new row n differ in what the
	// key reads; was is the key as old row p gave it, now as new row n
	// gives it, none the key when no row is there (before an insert,
	// after a delete).
	changed  func(p, n string) string
	was, now func(r string) string
	none     string
	// paths are FROM clauses joining the linked rows x (a FROM item
	// given) to the rows o of the rollup's table that reach them, from x
	// on, so the planner starts from the few rows written; one per path,
	// never overlapping.
	paths []func(x string) string
}

// moves is the upserts moving the rows that reach the linked rows of x (a
// FROM item with columns id, was and now: the key they were counted
// under and the key they have now) from was to now; now comes with x so
// the rows moved are not looked up again.
func (k keyedRollup) moves(l rollupLink, x string, pg bool) []string {
	var out []string
	for _, path := range l.paths {
		src := path(x)
		out = append(out, k.upsert(k.grouped(src, "", "-", pg, map[string]string{l.key: "x.was"})),
			k.upsert(k.grouped(src, "", "", pg, map[string]string{l.key: "x.now"})))
	}
	return out
}

// linkTriggers keep the rollup when rows of l's table are written: per
// statement from the transition tables on PostgreSQL, per row on SQLite.
func (k keyedRollup) linkTriggers(l rollupLink, pg bool) []string {
	name := k.name + "_" + l.table
	sel := func(id, was, now, from string) string {
		return "(SELECT " + id + " AS id, " + was + " AS was, " + now + " AS now" + from + ") x"
	}
	if !pg {
		body := func(x string) string { return strings.Join(k.moves(l, x, false), "; ") + ";" }
		return []string{
			"CREATE TRIGGER " + name + "_ins AFTER INSERT ON " + l.table + " BEGIN " +
				body(sel("NEW.id", l.none, l.now("NEW"), "")) + " END",
			"CREATE TRIGGER " + name + "_del AFTER DELETE ON " + l.table + " BEGIN " +
				body(sel("OLD.id", l.was("OLD"), l.none, "")) + " END",
			"CREATE TRIGGER " + name + "_upd AFTER UPDATE ON " + l.table + " WHEN " + l.changed("OLD", "NEW") +
				" BEGIN " + body(sel("OLD.id", l.was("OLD"), l.now("NEW"), "")) + " END",
		}
	}
	body := func(x string) string { return strings.Join(k.moves(l, x, true), ";\n    ") + ";" }
	fn := name + "_fn"
	return []string{
		`CREATE OR REPLACE FUNCTION ` + fn + `() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    ` + body(sel("p.id", l.was("p"), l.none, " FROM old_rows p")) + `
  ELSIF TG_OP = 'INSERT' THEN
    ` + body(sel("n.id", l.none, l.now("n"), " FROM new_rows n")) + `
  ELSE
    ` + body(sel("p.id", l.was("p"), l.now("n"), " FROM old_rows p JOIN new_rows n ON n.id = p.id WHERE "+l.changed("p", "n"))) + `
  END IF;
  RETURN NULL;
END $$`,
		`CREATE TRIGGER ` + name + `_ins AFTER INSERT ON ` + l.table + ` REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ` + fn + `()`,
		`CREATE TRIGGER ` + name + `_upd AFTER UPDATE ON ` + l.table + ` REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ` + fn + `()`,
		`CREATE TRIGGER ` + name + `_del AFTER DELETE ON ` + l.table + ` REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ` + fn + `()`,
	}
}
