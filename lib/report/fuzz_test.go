package report

import (
	"bytes"
	"testing"
)

// FuzzParse: Parse never panics; what it accepts is exactly what Bytes
// of its reports gives back (a round trip), it holds at most nrcpt
// recipient reports and one message report, last, and a K comes only
// with one report per recipient and at least one r.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"r\x00K1.2.3.4 accepted message.\nRemote host said: 250 ok\n\x00",
		"h1.2.3.4 does not like recipient.\n\x00DGiving up on 1.2.3.4.\n\x00",
		"ZConnected to 1.2.3.4 but connection died. (#4.4.2)\n\x00",
		"r\x00s1.2.3.4 probably greylisting.\n\x00K\x00",
		"K\x00", "r\x00", "\x00", "r\x00K", "Z\x00Z\x00", "x\x00", "",
	} {
		f.Add([]byte(s), uint8(1))
		f.Add([]byte(s), uint8(2))
	}
	f.Fuzz(func(t *testing.T, b []byte, n uint8) {
		nrcpt := int(n % 8)
		reps, err := Parse(b, nrcpt)
		if err != nil {
			if reps != nil {
				t.Fatalf("reports %q with error %v", reps, err)
			}
			return
		}
		var back []byte
		for _, r := range reps {
			back = append(back, r.Bytes()...)
		}
		if !bytes.Equal(back, b) {
			t.Fatalf("round trip %q -> %q", b, back)
		}
		last := reps[len(reps)-1]
		if !IsMessage(last.Letter) || len(reps)-1 > nrcpt {
			t.Fatalf("%d reports for %d recipients, last %q", len(reps), nrcpt, last.Letter)
		}
		accepted := 0
		for _, r := range reps[:len(reps)-1] {
			if !IsRecipient(r.Letter) || bytes.IndexByte([]byte(r.Text), 0) >= 0 {
				t.Fatalf("bad recipient report %q", r)
			}
			if r.Letter == 'r' {
				accepted++
			}
		}
		if last.Letter == 'K' && (len(reps)-1 != nrcpt || accepted == 0) {
			t.Fatalf("K with %d reports, %d accepted, for %d recipients", len(reps)-1, accepted, nrcpt)
		}
	})
}

// FuzzWrite: whatever text Write is given, it writes one report that
// Parse reads back as that letter and text, NUL made '?'.
func FuzzWrite(f *testing.F) {
	f.Add(byte('Z'), "Connected to 1.2.3.4 but connection died.\n")
	f.Add(byte('D'), "a\x00b")
	f.Fuzz(func(t *testing.T, letter byte, text string) {
		if !IsMessage(letter) || letter == 'K' {
			return
		}
		var b bytes.Buffer
		if err := Write(&b, letter, text); err != nil {
			t.Fatal(err)
		}
		reps, err := Parse(b.Bytes(), 0)
		if err != nil || len(reps) != 1 || reps[0].Letter != letter ||
			reps[0].Text != string(bytes.ReplaceAll([]byte(text), []byte{0}, []byte("?"))) {
			t.Fatalf("%q %q -> %q %v", letter, text, reps, err)
		}
	})
}
