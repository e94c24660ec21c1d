package dedupe

import "testing"

func TestPhone(t *testing.T) {
	cases := map[string]string{
		"13800138000":             "13800138000",
		"+86 138 0013 8000":       "13800138000",
		"0086 138 0013 8000":      "13800138000",
		"＋８６ １３８-0013-8000":       "13800138000",
		"８６１３８００１３８０００":           "13800138000",
		"86-138-0013-8000":        "13800138000",
		"(138) 0013.8000":         "13800138000",
		"138\u30000013\u30008000": "13800138000", // ideographic spaces
		"0512-6288 1234":          "051262881234",
		"+86 512 6288 1234":       "051262881234",
		"+86 (0512) 6288-1234":    "051262881234",
		"+1 415 555 0100":         "+14155550100",
		"001 415 555 0100":        "+14155550100",
		"8612345":                 "8612345", // too short to be +86 and a mobile
		"":                        "",
		"n/a":                     "",
	}
	for in, want := range cases {
		if got := Phone(in); got != want {
			t.Errorf("Phone(%q) = %q, want %q", in, got, want)
		}
	}
	if !IsMobile("+86 139 1234 5678") || IsMobile("0512-6288 1234") {
		t.Error("IsMobile")
	}
}

func TestEmail(t *testing.T) {
	cases := map[string]string{
		"  Li.Na@Example.COM ": "li.na@example.com",
		"ｌｉ．ｎａ＠ｅｘａｍｐｌｅ．ｃｏｍ":    "li.na@example.com",
		"LI.NA＠EXAMPLE.COM":    "li.na@example.com",
		"":                     "",
	}
	for in, want := range cases {
		if got := Email(in); got != want {
			t.Errorf("Email(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompany(t *testing.T) {
	same := [][]string{
		{"苏州恒达精密机械有限公司", "苏州恒达精密机械", " 苏州 恒达 精密机械 有限公司 ", "苏州恒达精密机械股份有限公司"},
		{"Acme Co., Ltd.", "ACME", "acme inc", "Ａｃｍｅ　Ｃｏ．，Ｌｔｄ．", "Acme Corporation"},
		{"Open CRM", "opencrm", "OPEN-CRM"},
	}
	for _, group := range same {
		want := Company(group[0])
		if want == "" {
			t.Fatalf("Company(%q) is empty", group[0])
		}
		for _, in := range group[1:] {
			if got := Company(in); got != want {
				t.Errorf("Company(%q) = %q, want %q (as %q)", in, got, want, group[0])
			}
		}
	}
	differ := [][2]string{{"Costco", "Cost"}, {"恒达机械有限公司", "恒通机械有限公司"}, {"Co", "Ltd"}}
	for _, p := range differ {
		if Company(p[0]) == Company(p[1]) {
			t.Errorf("Company(%q) == Company(%q) = %q", p[0], p[1], Company(p[0]))
		}
	}
	// A name that is only a legal form keeps it rather than matching
	// every other such name through an empty key.
	if Company("有限公司") == "" || Company("Ltd.") == "" || Company("  ") != "" {
		t.Errorf("legal-form-only names: %q %q %q", Company("有限公司"), Company("Ltd."), Company("  "))
	}
}

func TestKeys(t *testing.T) {
	k := Keys("＋８６ １３８-0013-8000", "A@B.CN", "")
	if k != (Key{Phone: "13800138000", Email: "a@b.cn"}) || k.Empty() || !Keys("", " ", "").Empty() {
		t.Errorf("Keys: %+v", k)
	}
}
