package netstring

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzRead: whatever the bytes, Read does not panic, returns data of at
// most max bytes, and an error that is either ErrMalformed or an
// end-of-input/reader error. Data it accepts encodes back to exactly the
// bytes it consumed (no leading zeros, no other spelling), and Append's
// output always reads back to its input.
func FuzzRead(f *testing.F) {
	for _, s := range []string{"0:,", "12:hello world!,", "3:abc,3:def,", "00:,", "01:a,", "1:a;", ":,", "10000000000:", "5:ab", "22:Kok 1700000000 qp 4321,"} {
		f.Add([]byte(s), uint16(20))
	}
	f.Fuzz(func(t *testing.T, in []byte, max uint16) {
		br := bufio.NewReader(bytes.NewReader(in))
		data, err := Read(br, int(max))
		if err != nil {
			if !errors.Is(err, ErrMalformed) && err != io.EOF && err != io.ErrUnexpectedEOF {
				t.Fatalf("Read(%q): unexpected error %v", in, err)
			}
			if err == io.EOF && len(in) != 0 {
				t.Fatalf("Read(%q): EOF with input", in)
			}
		} else {
			if len(data) > int(max) {
				t.Fatalf("Read(%q, %d): %d bytes", in, max, len(data))
			}
			enc := Append(nil, data)
			if !bytes.HasPrefix(in, enc) || br.Buffered() != len(in)-len(enc) {
				t.Fatalf("Read(%q) = %q, which encodes as %q", in, data, enc)
			}
		}
		back, err := Read(bufio.NewReader(bytes.NewReader(Append(nil, in))), len(in))
		if err != nil || !bytes.Equal(back, in) {
			t.Fatalf("round trip of %q: %q, %v", in, back, err)
		}
	})
}
