package idna

import (
	"errors"
	"math"
	"strings"
	"unicode/utf8"
)

// Bootstring parameters for Punycode (RFC 3492 5).
const (
	base        = 36
	tmin        = 1
	tmax        = 26
	skew        = 38
	damp        = 700
	initialBias = 72
	initialN    = 128
	delimiter   = '-'
	maxInt      = math.MaxInt32 // the overflow limit of RFC 3492 6.4, on every platform
)

var (
	errOverflow = errors.New("punycode: overflow")
	errBadInput = errors.New("punycode: bad input")
	errBadUTF8  = errors.New("punycode: not valid UTF-8")
)

// adapt is the bias adaptation function of RFC 3492 6.1.
func adapt(delta, numPoints int, first bool) int {
	if first {
		delta /= damp
	} else {
		delta /= 2
	}
	delta += delta / numPoints
	k := 0
	for delta > ((base-tmin)*tmax)/2 {
		delta /= base - tmin
		k += base
	}
	return k + (base-tmin+1)*delta/(delta+skew)
}

// threshold is t(k) of RFC 3492 6.2 and 6.3, clamped to [tmin, tmax].
func threshold(k, bias int) int {
	switch {
	case k <= bias:
		return tmin
	case k >= bias+tmax:
		return tmax
	}
	return k - bias
}

// digit returns the lower-case basic code point for d (RFC 3492 5:
// a-z are 0-25, 0-9 are 26-35).
func digit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}

// value returns the digit value of c, either case, and false for a
// code point that is no digit (RFC 3492 5).
func value(c byte) (int, bool) {
	switch {
	case c >= 'a' && c <= 'z':
		return int(c - 'a'), true
	case c >= 'A' && c <= 'Z':
		return int(c - 'A'), true
	case c >= '0' && c <= '9':
		return int(c-'0') + 26, true
	}
	return 0, false
}

// Encode returns the RFC 3492 Punycode of label (without the "xn--"
// prefix): its basic (ASCII) code points as they are, in their order, a
// delimiter when there are any, then the deltas in lower case. Encode
// neither maps nor validates; ToASCII does.
func Encode(label string) (string, error) {
	if !utf8.ValidString(label) {
		return "", errBadUTF8
	}
	var out []byte
	for i := 0; i < len(label); i++ {
		if label[i] < utf8.RuneSelf {
			out = append(out, label[i])
		}
	}
	runes := utf8.RuneCountInString(label)
	b := len(out)
	h := b
	if b > 0 {
		out = append(out, delimiter)
	}
	n, delta, bias := initialN, 0, initialBias
	for h < runes { // RFC 3492 6.3
		m := math.MaxInt
		for _, r := range label {
			if int(r) >= n && int(r) < m {
				m = int(r)
			}
		}
		if m-n > (maxInt-delta)/(h+1) {
			return "", errOverflow
		}
		delta += (m - n) * (h + 1)
		n = m
		for _, r := range label {
			if int(r) < n {
				if delta++; delta > maxInt {
					return "", errOverflow
				}
			}
			if int(r) != n {
				continue
			}
			q := delta
			for k := base; ; k += base {
				t := threshold(k, bias)
				if q < t {
					break
				}
				out = append(out, digit(t+(q-t)%(base-t)))
				q = (q - t) / (base - t)
			}
			out = append(out, digit(q))
			bias = adapt(delta, h+1, h == b)
			delta = 0
			h++
		}
		delta++
		n++
	}
	return string(out), nil
}

// Decode returns the Unicode string whose RFC 3492 Punycode is s
// (without the "xn--" prefix). Digits may be in either case; basic code
// points keep theirs (Decode ignores the mixed-case annotation of RFC
// 3492 Appendix A). Non-ASCII input, a bad digit, a truncated delta,
// arithmetic overflow and a result that is a surrogate or beyond
// U+10FFFF are errors.
func Decode(s string) (string, error) {
	var out []rune
	in := 0
	if d := strings.LastIndexByte(s, delimiter); d >= 0 {
		for i := 0; i < d; i++ {
			if s[i] >= utf8.RuneSelf {
				return "", errBadInput
			}
			out = append(out, rune(s[i]))
		}
		in = d + 1
	}
	n, i, bias := initialN, 0, initialBias
	for in < len(s) { // RFC 3492 6.2
		oldi, w := i, 1
		for k := base; ; k += base {
			if in >= len(s) {
				return "", errBadInput
			}
			d, ok := value(s[in])
			in++
			if !ok {
				return "", errBadInput
			}
			if d > (maxInt-i)/w {
				return "", errOverflow
			}
			i += d * w
			t := threshold(k, bias)
			if d < t {
				break
			}
			if w > maxInt/(base-t) {
				return "", errOverflow
			}
			w *= base - t
		}
		l := len(out) + 1
		bias = adapt(i-oldi, l, oldi == 0)
		if i/l > maxInt-n {
			return "", errOverflow
		}
		n += i / l
		i %= l
		if n > utf8.MaxRune || (n >= 0xD800 && n <= 0xDFFF) {
			return "", errBadInput
		}
		out = append(out, 0)
		copy(out[i+1:], out[i:])
		out[i] = rune(n)
		i++
	}
	return string(out), nil
}
