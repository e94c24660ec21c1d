// Package mask hides contact details from people who may know a record
// exists but not how to reach it (public pools): 138****8000, l***@example.com.
package mask

import (
	"strings"
	"unicode/utf8"
)

// Phone keeps the first three and last four digits: 138****8000. A
// Chinese +86/0086 prefix is dropped first; short numbers keep less.
func Phone(s string) string {
	var d []byte
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			d = append(d, s[i])
		}
	}
	digits := string(d)
	if len(digits) == 13 && strings.HasPrefix(digits, "86") {
		digits = digits[2:]
	} else if len(digits) == 15 && strings.HasPrefix(digits, "0086") {
		digits = digits[4:]
	}
	switch n := len(digits); {
	case n == 0:
		return s
	case n >= 8:
		return digits[:3] + "****" + digits[n-4:]
	case n >= 4:
		return "****" + digits[n-2:]
	default:
		return "****"
	}
}

// Email keeps the first character of the local part and the domain:
// l***@example.com.
func Email(s string) string {
	at := strings.LastIndex(s, "@")
	if at < 1 {
		return Text(s)
	}
	r, _ := utf8.DecodeRuneInString(s)
	return string(r) + "***" + s[at:]
}

// Text keeps the first character of any other contact handle.
func Text(s string) string {
	if s == "" {
		return s
	}
	r, _ := utf8.DecodeRuneInString(s)
	return string(r) + "***"
}
