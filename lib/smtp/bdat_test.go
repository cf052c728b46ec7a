package smtp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// plainForm is the BDAT form written the slow way, byte by byte: every
// LF, CR LF and lone CR becomes CR LF (SPEC D25), nothing else changes.
func plainForm(in string) (out string, partial bool) {
	var b strings.Builder
	for i := 0; i < len(in); i++ {
		switch c := in[i]; {
		case c == '\r' && i+1 < len(in) && in[i+1] == '\n':
			b.WriteString("\r\n")
			i++
		case c == '\r' || c == '\n':
			b.WriteString("\r\n")
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), len(in) > 0 && in[len(in)-1] != '\n' && in[len(in)-1] != '\r'
}

var bdatInputs = []string{"", "\n", "a\n.b\n..c\n", ".\n", "a\r\nb\n", "a\rb\n", "\r\r\n\n", "\n\r", "a\r",
	"a\r\nb", "abc", "a\x00", "\x00", "\x00\xff\xe9\n", "\xe9", strings.Repeat(".x\r", 40000) + "\n",
	strings.Repeat("y", 3*BlockSize+17) + "\r\n" + strings.Repeat("\n", BlockSize+3)}

func TestScan(t *testing.T) {
	for _, in := range bdatInputs {
		want, partial := plainForm(in)
		for _, r := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in))} {
			info, err := Scan(r)
			if err != nil || info.Size != int64(len(want)) || info.Partial != partial || info.EightBit != strings.ContainsFunc(in, func(r rune) bool { return r >= 0x80 }) {
				t.Errorf("Scan(%.40q) = %+v, %v; want size %d, partial %v", in, info, err, len(want), partial)
			}
		}
	}
	if _, err := Scan(iotest.ErrReader(errors.New("EIO"))); !errors.As(err, new(*ReadError)) {
		t.Errorf("read error: %v", err)
	}
}

func TestEightBit(t *testing.T) {
	for i := range 17 {
		b := bytes.Repeat([]byte{0x7f}, 17)
		if eightBit(b) {
			t.Fatal("7-bit taken as 8-bit")
		}
		b[i] = 0x80
		if !eightBit(b) {
			t.Errorf("0x80 at %d missed", i)
		}
	}
}

// The chunks put together are the plain form, every chunk but the last
// is exactly max bytes, the last is marked, and a partial final line
// never yields a last chunk.
func TestChunker(t *testing.T) {
	for _, in := range bdatInputs {
		want, partial := plainForm(in)
		for _, max := range []int{1, 2, 7, 1000, BlockSize, 1 << 20} {
			for _, r := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in)), iotest.HalfReader(strings.NewReader(in))} {
				got, err := chunks(NewChunker(r), max)
				if partial {
					if err != ErrPartialLine || !strings.HasPrefix(want, got) {
						t.Errorf("%.40q max %d: %v after %d bytes, want ErrPartialLine", in, max, err, len(got))
					}
					continue
				}
				if err != nil || got != want {
					t.Errorf("%.40q max %d: %.60q, %v; want %.60q", in, max, got, err, want)
				}
			}
		}
	}
}

func chunks(k *Chunker, max int) (string, error) {
	var all strings.Builder
	for {
		c, last, err := k.Next(max)
		if err != nil {
			return all.String(), err
		}
		if len(c) > max || (!last && len(c) != max) {
			return all.String(), errors.New("chunk of a wrong size")
		}
		all.Write(c)
		if last {
			return all.String(), nil
		}
	}
}

func TestChunkerReadError(t *testing.T) {
	r := io.MultiReader(strings.NewReader("a\n"), iotest.ErrReader(errors.New("EIO")))
	if _, _, err := NewChunker(r).Next(100); !errors.As(err, new(*ReadError)) {
		t.Errorf("got %v", err)
	}
}

// FuzzChunker: for any message and chunk size, the chunks are the plain
// form and Scan agrees with them.
func FuzzChunker(f *testing.F) {
	for _, in := range bdatInputs[:13] {
		f.Add(in, uint16(3))
	}
	f.Fuzz(func(t *testing.T, in string, n uint16) {
		max := 1 + int(n)
		want, partial := plainForm(in)
		got, err := chunks(NewChunker(strings.NewReader(in)), max)
		if partial != (err == ErrPartialLine) || (!partial && (err != nil || got != want)) {
			t.Fatalf("%q max %d: %q %v", in, max, got, err)
		}
		for _, r := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in)), iotest.HalfReader(strings.NewReader(in))} {
			info, _ := Scan(r)
			if info.Size != int64(len(want)) || info.Partial != partial {
				t.Fatalf("%q: %+v, want %d", in, info, len(want))
			}
		}
	})
}

// TestChunkerClose: chunks of 1 MiB come from a buffer that Close gives
// back (a mapping on Linux); a Chunker reused for many messages must
// not keep them.
func TestChunkerClose(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 30000; i++ { // 3 MB, lines told apart
		fmt.Fprintf(&b, "%05d %s\n", i, strings.Repeat("x", 93))
	}
	msg := b.String()
	want := strings.ReplaceAll(msg, "\n", "\r\n")
	before := rssKB()
	for i := 0; i < 200; i++ {
		k := NewChunker(strings.NewReader(msg))
		n := 0
		var got strings.Builder
		for {
			c, last, err := k.Next(1 << 20)
			if err != nil {
				t.Fatal(err)
			}
			n += len(c)
			if i == 0 {
				got.Write(c)
			}
			if last {
				break
			}
		}
		if i == 0 && got.String() != want {
			t.Fatal("the chunks are not the message in BDAT form")
		}
		k.Close()
		k.Close() // twice is harmless
		if n != 30000*101 {
			t.Fatalf("%d bytes, want %d", n, 30000*101)
		}
	}
	// 200 buffers kept would be 400 MiB or more
	if after := rssKB(); before > 0 && after-before > 100<<10 {
		t.Errorf("resident memory grew from %d to %d KiB", before, after)
	}
}

// rssKB is VmRSS of this process, 0 where /proc cannot tell.
func rssKB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}
