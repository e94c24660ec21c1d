// Package dedupe finds existing leads and customers that a new record
// duplicates (查重): it normalises phones, emails and company names to
// comparable keys and looks them up in the normalised columns that the
// lead and customer stores keep beside the raw values.
package dedupe

import (
	"strings"
	"unicode"
)

// Fold maps full-width ASCII variants (Ｕ+FF01–FF5E, as typed with a
// Chinese IME) to their ASCII forms and the ideographic space to a space:
// the part of NFKC that matters for phones, emails and company names,
// without folding anything else.
func Fold(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 0xFF01 && r <= 0xFF5E || r == 0x3000 }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}

// Phone is the comparable key of a phone number: width folded, only the
// digits kept, and China's country code dropped, so "+86 138-0013-8000",
// "0086 138 0013 8000", "８６１３８００１３８０００" and "13800138000" agree.
// A landline after +86/0086 gets its trunk 0 back ("+86 512 6288 1234" is
// "051262881234", as dialled at home). Other international numbers keep a
// leading "+" ("001 …" becomes "+1…"). Empty when there are no digits.
func Phone(s string) string {
	s = Fold(s)
	var b strings.Builder
	plus := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0:
			plus = true
		}
	}
	d := b.String()
	if d == "" {
		return ""
	}
	intl := ""
	switch {
	case plus:
		intl = d
	case strings.HasPrefix(d, "00"):
		intl = d[2:]
	case len(d) == 13 && strings.HasPrefix(d, "86") && isMobile(d[2:]):
		return d[2:]
	default:
		return d
	}
	if rest, ok := strings.CutPrefix(intl, "86"); ok && rest != "" {
		if isMobile(rest) || strings.HasPrefix(rest, "0") {
			return rest
		}
		return "0" + rest
	}
	return "+" + intl
}

// isMobile reports an 11-digit Chinese mobile number (1xx xxxx xxxx).
func isMobile(d string) bool { return len(d) == 11 && d[0] == '1' }

// IsMobile reports whether a phone number is a Chinese mobile number.
func IsMobile(s string) bool { return isMobile(Phone(s)) }

// Email is the comparable key of an email address: trimmed, width folded
// (＠ and full-width letters) and lower-cased.
func Email(s string) string { return strings.ToLower(strings.TrimSpace(Fold(s))) }

// cnSuffixes are Chinese legal-form suffixes, longest first, so a company
// entered with or without its legal form ("恒达精密机械" and "恒达精密机械有限公司")
// gets one key.
var cnSuffixes = []string{"股份有限公司", "有限责任公司", "集团有限公司", "有限公司"}

// enSuffixes are English legal-form words, dropped only as whole trailing
// words ("Acme Co., Ltd." → "acme"; "Costco" keeps its "co").
var enSuffixes = map[string]bool{"co": true, "ltd": true, "limited": true, "inc": true, "incorporated": true,
	"corp": true, "corporation": true, "llc": true, "company": true, "gmbh": true, "plc": true}

// Company is the comparable key of a company name: width folded,
// lower-cased, without spaces and punctuation, and without a trailing
// legal form (Chinese 有限公司 and the like, English Co., Ltd., Inc. …). A
// name that is nothing but a legal form keeps it rather than becoming
// empty (an empty key never matches anything).
func Company(s string) string {
	s = strings.ToLower(Fold(s))
	words := strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
	full := strings.Join(words, "")
	for len(words) > 1 && enSuffixes[words[len(words)-1]] {
		words = words[:len(words)-1]
	}
	key := strings.Join(words, "")
	for _, suf := range cnSuffixes {
		if k, ok := strings.CutSuffix(key, suf); ok && k != "" {
			key = k
			break
		}
	}
	if key == "" {
		return full
	}
	return key
}

// Key is the normalised form of what a new record would be matched on;
// empty parts match nothing.
type Key struct{ Phone, Email, Company string }

// Keys normalises raw values into a Key.
func Keys(phone, email, company string) Key {
	return Key{Phone: Phone(phone), Email: Email(email), Company: Company(company)}
}

// Empty reports a key that can match nothing.
func (k Key) Empty() bool { return k.Phone == "" && k.Email == "" && k.Company == "" }
