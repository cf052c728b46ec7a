package dns

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strings"
)

// Record types and the class we ask for (RFC 1035 3.2.2, RFC 3596 2.1).
const (
	TypeA     Type = 1
	TypeCNAME Type = 5
	TypeMX    Type = 15
	TypeTXT   Type = 16
	TypeAAAA  Type = 28
	TypeTLSA  Type = 52 // RFC 6698 7.1
	typeOPT   Type = 41 // RFC 6891 6.1.1
	classIN        = 1
)

// ednsSize is the UDP payload size we offer with EDNS0 (RFC 6891 6.2.5):
// the DNS flag day 2020 value, which avoids fragmented replies. Signed
// answers are larger, and a larger one comes over TCP (TC).
const ednsSize = 1232

// Response codes we tell apart (RFC 1035 4.1.1).
const (
	rcodeOK       = 0
	rcodeFormErr  = 1
	rcodeNXDomain = 3
	rcodeNotImp   = 4
)

const (
	headerLen = 12
	maxName   = 255 // RFC 1035 2.3.4, in wire form
	maxLabel  = 63
	maxMsg    = 65535
)

var (
	errShort      = errors.New("truncated message")
	errBadName    = errors.New("malformed name")
	errNotReply   = errors.New("not a reply to our query")
	errQuestion   = errors.New("reply to another question")
	errRdata      = errors.New("malformed record data")
	errInvalidArg = errors.New("invalid name")
)

// A record is one answer record of a type we understand. Owner and Target
// are names in presentation form (see name).
type record struct {
	Owner  string
	Type   Type
	Pref   uint16     // MX
	Target string     // MX exchange or CNAME target
	Addr   netip.Addr // A or AAAA
	TLSA   TLSA       // TLSA
	Text   string     // TXT: its character-strings joined
}

// A TLSA record (RFC 6698 2.1): what a server's certificate must match
// for DANE (RFC 7671, RFC 7672). Data is the certificate association
// data, as it came.
type TLSA struct {
	Usage, Selector, MatchingType uint8
	Data                          []byte
}

// A message is what we keep of a reply.
type message struct {
	ID      uint16
	TC      bool
	AD      bool // the server says it validated the answer (RFC 4035 3.2.3); see trustAD
	Rcode   int
	Answers []record
}

// buildQuery returns a query for name and t with recursion desired
// (RFC 1035 4.1.1: header, then one question, 4.1.2). With edns it
// carries an OPT record (RFC 6891 6.1) with the DO bit (RFC 3225 3):
// a validating resolver then tells us in the AD bit whether it
// validated the answer, which DANE needs (RFC 7672 2.1).
func buildQuery(id uint16, name string, t Type, edns bool) ([]byte, error) {
	b := make([]byte, headerLen, headerLen+maxName+4+11)
	binary.BigEndian.PutUint16(b[0:], id)
	b[2] = 0x01                          // RD
	binary.BigEndian.PutUint16(b[4:], 1) // QDCOUNT
	b, err := appendName(b, name)
	if err != nil {
		return nil, err
	}
	b = binary.BigEndian.AppendUint16(b, uint16(t))
	b = binary.BigEndian.AppendUint16(b, classIN)
	if !edns {
		return b, nil
	}
	binary.BigEndian.PutUint16(b[10:], 1) // ARCOUNT
	b = append(b, 0)                      // the root
	b = binary.BigEndian.AppendUint16(b, uint16(typeOPT))
	b = binary.BigEndian.AppendUint16(b, ednsSize)
	b = binary.BigEndian.AppendUint32(b, 0x8000) // extended RCODE 0, version 0, DO
	return binary.BigEndian.AppendUint16(b, 0), nil
}

// appendName appends name, in presentation form ("mx.example.test", a
// trailing dot optional, "." the root, "\DDD" and "\c" escapes allowed),
// in wire form: length-prefixed labels ending in a zero byte.
func appendName(b []byte, name string) ([]byte, error) {
	start := len(b)
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return append(b, 0), nil
	}
	label := []byte{}
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '.' {
			if len(label) == 0 || len(label) > maxLabel {
				return nil, errInvalidArg
			}
			b = append(append(b, byte(len(label))), label...)
			label = label[:0]
			continue
		}
		c := name[i]
		if c == '\\' {
			var n int
			if c, n = unescape(name[i+1:]); n == 0 {
				return nil, errInvalidArg
			}
			i += n
		}
		label = append(label, c)
	}
	b = append(b, 0)
	if len(b)-start > maxName {
		return nil, errInvalidArg
	}
	return b, nil
}

// unescape decodes what follows a backslash: "DDD" (decimal) or one
// character. n is how many bytes it used, 0 when it is malformed.
func unescape(s string) (c byte, n int) {
	if len(s) >= 3 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) {
		v := int(s[0]-'0')*100 + int(s[1]-'0')*10 + int(s[2]-'0')
		if v > 255 {
			return 0, 0
		}
		return byte(v), 3
	}
	if len(s) == 0 || isDigit(s[0]) {
		return 0, 0
	}
	return s[0], 1
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// canonical returns name in the presentation form readName gives, so
// that names can be compared with strings.EqualFold.
func canonical(name string) (string, error) {
	b, err := appendName(nil, name)
	if err != nil {
		return "", err
	}
	s, _, err := readName(b, 0)
	return s, err
}

// readName reads the name at off in msg, following compression pointers
// (RFC 1035 4.1.4), and returns it in presentation form: labels joined by
// dots, "." for the root, and every byte outside 33..126 as well as '.'
// and '\' inside a label written as "\DDD", so that the result never holds
// a space, a control character or an ambiguous dot. next is the offset
// just past the name where it started. A pointer must point before itself
// and every label counts against the 255 bytes of a name, so a pointer
// loop ends with an error.
func readName(msg []byte, off int) (name string, next int, err error) {
	var sb strings.Builder
	wire := 0
	next = -1
	for {
		if off >= len(msg) {
			return "", 0, errShort
		}
		n := int(msg[off])
		switch n & 0xC0 {
		case 0xC0:
			if off+1 >= len(msg) {
				return "", 0, errShort
			}
			ptr := int(binary.BigEndian.Uint16(msg[off:]) & 0x3FFF)
			if ptr >= off {
				return "", 0, errBadName
			}
			if next < 0 {
				next = off + 2
			}
			off = ptr
			continue
		case 0x00:
		default:
			return "", 0, errBadName // 0x40, 0x80: RFC 6891 9 retired them
		}
		wire += n + 1
		if wire > maxName {
			return "", 0, errBadName
		}
		if n == 0 {
			if next < 0 {
				next = off + 1
			}
			if sb.Len() == 0 {
				return ".", next, nil
			}
			return sb.String(), next, nil
		}
		if off+1+n > len(msg) {
			return "", 0, errShort
		}
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		writeLabel(&sb, msg[off+1:off+1+n])
		off += 1 + n
	}
}

func writeLabel(sb *strings.Builder, label []byte) {
	for _, c := range label {
		if c < 33 || c > 126 || c == '.' || c == '\\' {
			sb.WriteByte('\\')
			sb.WriteByte('0' + c/100)
			sb.WriteByte('0' + c/10%10)
			sb.WriteByte('0' + c%10)
			continue
		}
		sb.WriteByte(c)
	}
}

// parseReply checks that msg answers our query (RFC 1035 4.1.1: same ID,
// QR set, a standard query; 4.1.2: the same question) and returns its
// header and, when the code is NOERROR or NXDOMAIN, the answer records of
// the types we know. Other records are skipped; every length is checked.
func parseReply(msg []byte, id uint16, name string, t Type) (*message, error) {
	if len(msg) < headerLen {
		return nil, errShort
	}
	flags := binary.BigEndian.Uint16(msg[2:])
	if binary.BigEndian.Uint16(msg[0:]) != id || flags&0x8000 == 0 || flags&0x7800 != 0 {
		return nil, errNotReply
	}
	m := &message{ID: id, TC: flags&0x0200 != 0, AD: flags&0x0020 != 0, Rcode: int(flags & 0x000F)}
	if m.TC || (m.Rcode != rcodeOK && m.Rcode != rcodeNXDomain) {
		return m, nil // the caller goes to TCP or another server
	}
	qd := binary.BigEndian.Uint16(msg[4:])
	an := binary.BigEndian.Uint16(msg[6:])
	if qd != 1 {
		return nil, errQuestion
	}
	qname, off, err := readName(msg, headerLen)
	if err != nil {
		return nil, err
	}
	if off+4 > len(msg) {
		return nil, errShort
	}
	if !strings.EqualFold(qname, name) || Type(binary.BigEndian.Uint16(msg[off:])) != t ||
		binary.BigEndian.Uint16(msg[off+2:]) != classIN {
		return nil, errQuestion
	}
	off += 4
	for range an {
		var r record
		var ok bool
		if r, ok, off, err = parseRecord(msg, off); err != nil {
			return nil, err
		}
		if ok {
			m.Answers = append(m.Answers, r)
		}
	}
	return m, nil
}

// parseRecord reads the resource record at off (RFC 1035 4.1.3). ok is
// false for a record of a class or type we do not use.
func parseRecord(msg []byte, off int) (r record, ok bool, next int, err error) {
	if r.Owner, off, err = readName(msg, off); err != nil {
		return r, false, 0, err
	}
	if off+10 > len(msg) {
		return r, false, 0, errShort
	}
	r.Type = Type(binary.BigEndian.Uint16(msg[off:]))
	class := binary.BigEndian.Uint16(msg[off+2:])
	rdlen := int(binary.BigEndian.Uint16(msg[off+8:]))
	off += 10
	if off+rdlen > len(msg) {
		return r, false, 0, errShort
	}
	rdata := msg[off : off+rdlen]
	next = off + rdlen
	if class != classIN {
		return r, false, next, nil
	}
	switch r.Type {
	case TypeA, TypeAAAA: // RFC 1035 3.4.1, RFC 3596 2.2
		if r.Type == TypeA && rdlen != 4 || r.Type == TypeAAAA && rdlen != 16 {
			return r, false, 0, errRdata
		}
		r.Addr, _ = netip.AddrFromSlice(rdata)
	case TypeMX: // RFC 1035 3.3.9
		if rdlen < 3 {
			return r, false, 0, errRdata
		}
		r.Pref = binary.BigEndian.Uint16(rdata)
		err = rdataName(msg, off+2, next, &r.Target)
	case TypeCNAME: // RFC 1035 3.3.1
		err = rdataName(msg, off, next, &r.Target)
	case TypeTLSA: // RFC 6698 2.1
		if rdlen < 3 {
			return r, false, 0, errRdata
		}
		r.TLSA = TLSA{rdata[0], rdata[1], rdata[2], append([]byte(nil), rdata[3:]...)}
	case TypeTXT: // RFC 1035 3.3.14: one or more <character-string>s
		// Malformed data is skipped, not an error: an MX answer with a
		// broken TXT record beside it stays as usable as before.
		var good bool
		if r.Text, good = txtData(rdata); !good {
			return r, false, next, nil
		}
	default:
		return r, false, next, nil
	}
	return r, err == nil, next, err
}

// txtData joins the character-strings of TXT data (RFC 7208 3.3 and
// RFC 8461 3.1 read a record so): each a length byte and that many bytes.
func txtData(rdata []byte) (string, bool) {
	if len(rdata) == 0 {
		return "", false
	}
	var sb strings.Builder
	for len(rdata) > 0 {
		n := int(rdata[0])
		if 1+n > len(rdata) {
			return "", false
		}
		sb.Write(rdata[1 : 1+n])
		rdata = rdata[1+n:]
	}
	return sb.String(), true
}

// rdataName reads a name that must end exactly where the record data ends.
func rdataName(msg []byte, off, end int, name *string) error {
	n, next, err := readName(msg[:end], off)
	if err != nil {
		return err
	}
	if next != end {
		return errRdata
	}
	*name = n
	return nil
}
