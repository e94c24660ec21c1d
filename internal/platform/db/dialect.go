package db

import (
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// LikeEscape escapes LIKE wildcards in user text; pair with ESCAPE '\'.
func LikeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// Contains is a case-insensitive substring match over any of cols, written
// once for both dialects: LOWER(col) LIKE '%text%' ESCAPE '\'.
func Contains(q *gorm.DB, text string, cols ...string) *gorm.DB {
	pattern := "%" + LikeEscape(strings.ToLower(text)) + "%"
	var parts []string
	var args []any
	for _, c := range cols {
		parts = append(parts, "LOWER("+c+`) LIKE ? ESCAPE '\'`)
		args = append(args, pattern)
	}
	return q.Where("("+strings.Join(parts, " OR ")+")", args...)
}

// ForUpdate locks the rows q reads until the transaction ends. PostgreSQL
// takes row locks (SELECT … FOR UPDATE); SQLite needs none, since every
// transaction there begins IMMEDIATE and so holds the database's single
// write lock from its first statement.
func (d *DB) ForUpdate(q *gorm.DB) *gorm.DB {
	if d.dialect != Postgres {
		return q
	}
	return q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
}
