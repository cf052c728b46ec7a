package idna

import (
	"errors"
	"math"
	"strings"
	"unicode/utf8"
)

// Punycode parameters (RFC 3492 5); maxInt is the overflow limit of 6.4,
// the same on every platform.
const (
	base, tmin, tmax, skew, damp = 36, 1, 26, 38, 700
	initialBias, initialN        = 72, 128
	maxInt                       = math.MaxInt32
	digits                       = "abcdefghijklmnopqrstuvwxyz0123456789" // RFC 3492 5
)

var (
	errOverflow = errors.New("punycode: overflow")
	errBadInput = errors.New("punycode: bad input")
	errBadUTF8  = errors.New("punycode: not valid UTF-8")
)

// adapt is the bias adaptation of RFC 3492 6.1.
func adapt(delta, numPoints int, first bool) int {
	if first {
		delta /= damp
	} else {
		delta /= 2
	}
	delta += delta / numPoints
	k := 0
	for ; delta > (base-tmin)*tmax/2; k += base {
		delta /= base - tmin
	}
	return k + (base-tmin+1)*delta/(delta+skew)
}

// threshold is t(k) of RFC 3492 6.2 and 6.3.
func threshold(k, bias int) int { return min(max(k-bias, tmin), tmax) }

// Encode returns the RFC 3492 Punycode of label (no "xn--"): its ASCII
// code points as they are, a delimiter if there are any, then the deltas
// in lower case (6.3). It neither maps nor validates; ToASCII does.
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
	b, h, runes := len(out), len(out), utf8.RuneCountInString(label)
	if b > 0 {
		out = append(out, '-')
	}
	n, delta, bias := initialN, 0, initialBias
	for h < runes {
		m := math.MaxInt
		for _, r := range label {
			if int(r) >= n && int(r) < m {
				m = int(r)
			}
		}
		if m-n > (maxInt-delta)/(h+1) {
			return "", errOverflow
		}
		delta, n = delta+(m-n)*(h+1), m
		for _, r := range label {
			if int(r) < n {
				if delta++; delta > maxInt {
					return "", errOverflow
				}
			} else if int(r) == n {
				q := delta
				for k := base; ; k += base {
					t := threshold(k, bias)
					if q < t {
						break
					}
					out = append(out, digits[t+(q-t)%(base-t)])
					q = (q - t) / (base - t)
				}
				out = append(out, digits[q])
				bias, delta = adapt(delta, h+1, h == b), 0
				h++
			}
		}
		delta++
		n++
	}
	return string(out), nil
}

// Decode returns the string whose RFC 3492 Punycode is s (no "xn--").
// Digits may be in either case; ASCII code points keep theirs (the
// mixed-case annotation of Appendix A is ignored). Non-ASCII input, a bad
// digit, a truncated delta, overflow (6.4) and a surrogate or a code
// point past U+10FFFF are errors.
func Decode(s string) (string, error) {
	var out []rune
	in := 0
	if d := strings.LastIndexByte(s, '-'); d >= 0 {
		for _, c := range []byte(s[:d]) {
			if c >= utf8.RuneSelf {
				return "", errBadInput
			}
			out = append(out, rune(c))
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
			c := s[in]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			d := strings.IndexByte(digits, c)
			in++
			if d < 0 {
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
		n, i = n+i/l, i%l
		if n > utf8.MaxRune || n >= 0xD800 && n <= 0xDFFF {
			return "", errBadInput
		}
		out = append(out, 0)
		copy(out[i+1:], out[i:])
		out[i] = rune(n)
		i++
	}
	return string(out), nil
}
