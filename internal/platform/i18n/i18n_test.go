package i18n

import (
	"regexp"
	"testing"
)

func TestFromAcceptLanguage(t *testing.T) {
	cases := map[string]Lang{
		"zh-CN,zh;q=0.9":              ZhCN,
		"zh-CN":                       ZhCN,
		"zh":                          ZhCN,
		"ZH-cn":                       ZhCN,
		"zh-TW,en;q=0.5":              ZhCN,
		"en-US":                       EN,
		"en-GB,en;q=0.9,zh-CN;q=0.8":  EN,
		"fr":                          EN,
		"fr-FR,fr;q=0.9":              EN,
		"":                            EN,
		"*":                           EN,
		"fr, zh-CN;q=0.8, en;q=0.5":   ZhCN, // unsupported first, then by q
		"en;q=0.3, zh-CN;q=0.9":       ZhCN, // q beats order
		"zh-CN;q=0, en":               EN,   // q=0 means not acceptable
		"zh-CN;q=0":                   EN,
		"en;q=0.8, zh;q=0.8":          EN, // a tie keeps the earlier one
		"zh-CN;q=abc, en;q=0.1":       EN, // a malformed q counts as 0
		"zhx, enx":                    EN, // not a zh-/en- tag
		" zh-CN ; q=0.7 , en ; q=0.6": ZhCN,
	}
	for h, want := range cases {
		if got := FromAcceptLanguage(h); got != want {
			t.Errorf("FromAcceptLanguage(%q) = %q, want %q", h, got, want)
		}
	}
}

func TestT(t *testing.T) {
	if got := T(EN, "not_found", "lead"); got != "The lead does not exist or is not visible to you." {
		t.Fatalf("en = %q", got)
	}
	if got := T(ZhCN, "not_found", "lead"); got != "线索不存在或您无权查看。" {
		t.Fatalf("zh = %q", got)
	}
	if got := T(ZhCN, "no_such_key"); got != "no_such_key" {
		t.Fatalf("unknown key = %q", got)
	}
	Register(map[string]map[Lang]string{"only_en_probe": {EN: "English only"}})
	if got := T(ZhCN, "only_en_probe"); got != "English only" {
		t.Fatalf("missing zh falls back to en: %q", got)
	}
}

// Rendering must not change the caller's params: errors keep their params
// and may be rendered again in another language.
func TestTDoesNotMutateParams(t *testing.T) {
	params := []any{"lead"}
	_ = T(ZhCN, "not_found", params...)
	if params[0] != "lead" {
		t.Fatalf("params changed to %v", params)
	}
	if got := T(EN, "not_found", params...); got != "The lead does not exist or is not visible to you." {
		t.Fatalf("second render = %q", got)
	}
}

var verb = regexp.MustCompile(`%[dsvq]`)

// Every message has both languages with the same placeholders, so no
// response ever shows "%!d(MISSING)".
func TestCatalogComplete(t *testing.T) {
	for key, m := range catalog {
		en, zh := m[EN], m[ZhCN]
		if key == "only_en_probe" {
			continue
		}
		if en == "" || zh == "" {
			t.Errorf("%s: missing a language: %q / %q", key, en, zh)
			continue
		}
		ev, zv := verb.FindAllString(en, -1), verb.FindAllString(zh, -1)
		if len(ev) != len(zv) {
			t.Errorf("%s: placeholders differ: %v vs %v", key, ev, zv)
			continue
		}
		for i := range ev {
			if ev[i] != zv[i] {
				t.Errorf("%s: placeholders differ: %v vs %v", key, ev, zv)
			}
		}
	}
}
