// Package org owns the organisation: users, the team tree and roles.
package org

import (
	"strings"
	"time"
)

// User is a person who logs in.
type User struct {
	ID                string
	Email             string
	Name              string
	Phone             string
	PasswordHash      string
	Role              string
	TeamID            *string
	Active            bool
	LastLoginAt       *time.Time
	PasswordChangedAt *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
	Version           int
}

// TeamIDValue is the team id or "".
func (u *User) TeamIDValue() string {
	if u.TeamID == nil {
		return ""
	}
	return *u.TeamID
}

// Team is a node of the team tree (departments, regions).
type Team struct {
	ID        string
	Name      string
	ParentID  *string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// Subtree returns root and every team below it, from a flat list of all
// teams. Cycles cannot form (updates refuse them), but the walk guards
// against one anyway.
func Subtree(all []Team, root string) []string {
	children := map[string][]string{}
	for _, t := range all {
		if t.ParentID != nil {
			children[*t.ParentID] = append(children[*t.ParentID], t.ID)
		}
	}
	seen := map[string]bool{root: true}
	out := []string{root}
	for i := 0; i < len(out); i++ {
		for _, c := range children[out[i]] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// NormaliseEmail is the stored form of an email: trimmed, lower case.
func NormaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CurrentVersion is the version as read (record.Versioned).
func (u *User) CurrentVersion() int { return u.Version }

// Touch moves the user to its next version, changed at now.
func (u *User) Touch(now time.Time) { u.Version++; u.UpdatedAt = now }

// CurrentVersion is the version as read (record.Versioned).
func (t *Team) CurrentVersion() int { return t.Version }

// Touch moves the team to its next version, changed at now.
func (t *Team) Touch(now time.Time) { t.Version++; t.UpdatedAt = now }
