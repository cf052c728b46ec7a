package mtasts

import "testing"

func TestParseTXT(t *testing.T) {
	for _, c := range []struct {
		in, id string
	}{
		{"v=STSv1; id=20160831085700Z;", "20160831085700Z"},
		{"v=STSv1; id=20160831085700Z", "20160831085700Z"},
		{"v=STSv1;id=abc", "abc"},
		{"v=STSv1 ;\tid=abc ; ", "abc"},
		{"v=STSv1; id = abc", ""},
		{"v=STSv1; ext=x; id=abc; other.v-1=y", "abc"},
		{"v=STSv1; id=" + "a12345678901234567890123456789bc", "a12345678901234567890123456789bc"},
		{"v=STSv1; id=", ""},
		{"v=STSv1; id=" + "a123456789012345678901234567890bc", ""}, // 33
		{"v=STSv1", ""},
		{"v=STSv1;", ""},
		{"v=STSv2; id=abc", ""},
		{"v=stsv1; id=abc", ""},
		{"id=abc; v=STSv1", ""},
		{" v=STSv1; id=abc", ""},
		{"v=STSv1; id=a-b", ""},
		{"v=STSv1; id=abc; id=def", ""},
		{"v=STSv1; id=abc;; ", ""},
		{"v=STSv1; id=abc; ext", ""},
		{"v=STSv1; id=abc; _ext=1", ""},
		{"v=STSv1; id=abc; ext=a=b", ""},
		{"v=STSv1; id=abc; ext=a b", ""},
		{"v=STSv1; id=abc; ext=\x80", ""},
	} {
		id, err := ParseTXT(c.in)
		if id != c.id || (err == nil) != (c.id != "") {
			t.Errorf("ParseTXT(%q) = %q, %v; want %q", c.in, id, err, c.id)
		}
	}
}

func TestSelectTXT(t *testing.T) {
	for _, c := range []struct {
		recs []string
		id   string
	}{
		{[]string{"v=STSv1; id=a1"}, "a1"},
		{[]string{"v=spf1 -all", "v=STSv1; id=a1", "hello"}, "a1"},
		{[]string{"v=STSv1; id=a1", "v=STSv1; id=a2"}, ""}, // RFC 8461 3.1: not exactly one
		{[]string{"v=STSv1; id=a1", "v=STSv1; junk"}, ""},
		{[]string{"v=STSv1 ; id=a1"}, ""}, // does not begin with "v=STSv1;"
		{[]string{"v=STSv1; bad"}, ""},
		{nil, ""},
	} {
		id, ok := SelectTXT(c.recs)
		if id != c.id || ok != (c.id != "") {
			t.Errorf("SelectTXT(%q) = %q, %v; want %q", c.recs, id, ok, c.id)
		}
	}
}
