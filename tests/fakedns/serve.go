package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
)

var typeNames = map[uint16]string{1: "A", 5: "CNAME", 15: "MX", 28: "AAAA", 52: "TLSA"}

// answer returns the reply to query q, or nil to stay silent. A reply
// about a name marked AD, or a name under one, has the AD bit.
func answer(zone map[string]*entry, q []byte, tcp bool) []byte {
	r := answer1(zone, q, tcp)
	name, _, _, ok := question(q)
	if r == nil || !ok || len(r) < 4 {
		return r
	}
	for n := name; ; {
		if e := zone[n]; e != nil && e.ad {
			r[3] |= 0x20
			break
		}
		_, parent, more := strings.Cut(n, ".")
		if !more {
			break
		}
		n = parent
	}
	return r
}

func answer1(zone map[string]*entry, q []byte, tcp bool) []byte {
	name, typ, end, ok := question(q)
	if !ok {
		return nil
	}
	proto := map[bool]string{false: "udp", true: "tcp"}[tcp]
	tn := typeNames[typ]
	if tn == "" {
		tn = fmt.Sprint(typ)
	}
	fmt.Fprintf(os.Stderr, "fakedns: info: %s %s %s\n", proto, name, tn)
	e := zone[name]
	if e == nil {
		return reply(q[:end], 3, false, nil)
	}

	switch {
	case e.behaviour == "SERVFAIL":
		return reply(q[:end], 2, false, nil)
	case e.behaviour == "REFUSED":
		return reply(q[:end], 5, false, nil)
	case e.behaviour == "TIMEOUT":
		return nil
	case e.behaviour == "GARBAGE":
		return append(q[:2:2], "\x81\x80\x00\x01\x00\x05garbage!"...)
	case e.behaviour == "SHORT":
		r := reply(q[:end], 0, false, []rr{{1, []byte{127, 0, 0, 1}}})
		return r[:len(r)-3]
	case e.behaviour == "TRUNCATE" && !tcp:
		return reply(q[:end], 0, true, nil)
	}
	var rrs []rr
	for _, r := range e.rrs {
		if r.typ == 5 { // a CNAME, alone, whatever was asked
			return reply(q[:end], 0, false, []rr{r})
		}
		if r.typ == typ {
			rrs = append(rrs, r)
		}
	}
	return reply(q[:end], 0, false, rrs)
}

// reply builds a reply from the query's header and question: QR, AA, RA,
// RD as asked; each record's owner is a pointer to the question's name.
func reply(q []byte, rcode byte, tc bool, rrs []rr) []byte {
	b := append([]byte(nil), q...)
	b[2] = 0x84 | b[2]&0x01
	if tc {
		b[2] |= 0x02
	}
	b[3] = 0x80 | rcode
	binary.BigEndian.PutUint16(b[4:], 1)
	binary.BigEndian.PutUint16(b[6:], uint16(len(rrs)))
	binary.BigEndian.PutUint32(b[8:], 0)
	for _, r := range rrs {
		b = append(b, 0xC0, 12)
		b = binary.BigEndian.AppendUint16(b, r.typ)
		b = binary.BigEndian.AppendUint16(b, 1)
		b = binary.BigEndian.AppendUint32(b, 60)
		b = binary.BigEndian.AppendUint16(b, uint16(len(r.rdata)))
		b = append(b, r.rdata...)
	}
	return b
}

func serveUDP(c *net.UDPConn, zone map[string]*entry) {
	buf := make([]byte, 512)
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		if r := answer(zone, buf[:n], false); r != nil {
			c.WriteToUDPAddrPort(r, from)
		}
	}
}

func serveTCP(l net.Listener, zone map[string]*entry) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go serveConn(c, zone)
	}
}

// serveConn answers queries on one connection (RFC 1035 4.2.2) until the
// client closes it. A silent name keeps the connection open.
func serveConn(c net.Conn, zone map[string]*entry) {
	defer c.Close()
	for {
		var n [2]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		q := make([]byte, binary.BigEndian.Uint16(n[:]))
		if _, err := io.ReadFull(c, q); err != nil {
			return
		}
		r := answer(zone, q, true)
		if r == nil {
			io.Copy(io.Discard, c)
			return
		}
		if _, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(r))), r...)); err != nil {
			return
		}
	}
}
