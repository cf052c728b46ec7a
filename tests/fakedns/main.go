// Fakedns is a DNS server for the tests. It answers from a zone file on
// 127.0.0.1, over UDP and TCP on one port, which it prints alone on the
// first line of its standard output. It serves until it is killed or its
// standard input reaches end of file.
//
//	fakedns ZONEFILE
//
// The zone file has one record a line; blank lines and lines starting
// with # are skipped; names are case-insensitive, a trailing dot optional:
//
//	example.test MX 10 mx1.example.test
//	nullmx.test MX 0 .
//	mx1.example.test A 127.0.0.2
//	mx1.example.test AAAA ::1
//	alias.test CNAME target.test
//	_25._tcp.mx1.example.test TLSA 3 1 1 0123abcd
//
// A name may be marked as signed: every reply about it or a name under it
// (NOERROR, NXDOMAIN or NODATA) then has the AD bit, as a validating
// resolver gives it:
//
//	mx1.example.test AD
//
//	_mta-sts.example.test TXT v=STSv1; id=abc
//
// A TXT record's text is the rest of the line after "TXT " (spaces
// kept), sent as character-strings of at most 255 bytes.
//
// or one behaviour for a name, which then applies to every query for it:
//
//	broken.test SERVFAIL    answers SERVFAIL
//	nope.test REFUSED       answers REFUSED
//	slow.test TIMEOUT       never answers
//	big.test TRUNCATE       over UDP: TC set and no records; over TCP: the
//	                        name's records as usual
//	junk.test GARBAGE       answers the query's ID followed by bytes that
//	                        are not a DNS message
//	cut.test SHORT          over UDP and TCP: a reply whose header counts
//	                        one answer record that the packet cuts off in
//	                        the middle (a truncated packet without TC)
//
// A name absent from the file is NXDOMAIN; a name present without records
// of the asked type is NODATA (NOERROR, no answer). A name with a CNAME is
// answered with the CNAME record alone, whatever the type asked, like an
// authoritative server whose target lies elsewhere: the client follows
// the chain. Answers are in file order. Each query is logged on standard
// error as "fakedns: info: udp|tcp NAME TYPE".
package main

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

type rr struct {
	typ   uint16
	rdata []byte
}

type entry struct {
	behaviour string
	ad        bool
	rrs       []rr
}

var types = map[string]uint16{"A": 1, "CNAME": 5, "MX": 15, "TXT": 16, "AAAA": 28, "TLSA": 52}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: fakedns zonefile")
		os.Exit(100)
	}
	zone, err := load(os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "fakedns: fatal: %v\n", err)
		os.Exit(111)
	}
	uc, tl, err := listen()
	if err != nil {
		fmt.Fprintf(os.Stderr, "fakedns: fatal: unable to listen: %v\n", err)
		os.Exit(111)
	}
	fmt.Println(uc.LocalAddr().(*net.UDPAddr).Port)
	go serveUDP(uc, zone)
	go serveTCP(tl, zone)
	io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

// listen binds UDP on 127.0.0.1 port 0, then TCP on the same port.
func listen() (*net.UDPConn, net.Listener, error) {
	var last error
	for range 50 {
		uc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return nil, nil, err
		}
		tl, err := net.Listen("tcp", uc.LocalAddr().String())
		if err == nil {
			return uc, tl, nil
		}
		uc.Close()
		last = err
	}
	return nil, nil, last
}

func load(file string) (map[string]*entry, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	zone := map[string]*entry{}
	for i, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) > 2 && strings.EqualFold(f[1], "TXT") {
			// The text, spaces kept: after the type and one space.
			_, rest, _ := strings.Cut(strings.TrimLeft(line, " \t"), f[1])
			f = []string{f[0], "TXT", strings.TrimSuffix(strings.TrimPrefix(rest, " "), "\r")}
		}
		if err := add(zone, f); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", file, i+1, err)
		}
	}
	return zone, nil
}

func add(zone map[string]*entry, f []string) error {
	if len(f) < 2 {
		return errors.New("want NAME TYPE DATA or NAME BEHAVIOUR")
	}
	name := key(f[0])
	e := zone[name]
	if e == nil {
		e = &entry{}
		zone[name] = e
	}
	typ := strings.ToUpper(f[1])
	switch typ {
	case "SERVFAIL", "REFUSED", "TIMEOUT", "TRUNCATE", "GARBAGE", "SHORT":
		e.behaviour = typ
		return nil
	case "AD":
		e.ad = true
		return nil
	}
	rdata, err := parseRdata(typ, f[2:])
	if err != nil {
		return err
	}
	e.rrs = append(e.rrs, rr{types[typ], rdata})
	return nil
}

func parseRdata(typ string, f []string) ([]byte, error) {
	switch {
	case (typ == "A" || typ == "AAAA") && len(f) == 1:
		a, err := netip.ParseAddr(f[0])
		if err != nil || a.Is4() != (typ == "A") {
			return nil, fmt.Errorf("bad %s address %q", typ, f[0])
		}
		return a.AsSlice(), nil
	case typ == "TXT" && len(f) == 1:
		var b []byte
		for t := f[0]; t != ""; {
			n := min(len(t), 255)
			b = append(append(b, byte(n)), t[:n]...)
			t = t[n:]
		}
		return b, nil
	case typ == "CNAME" && len(f) == 1:
		return wireName(f[0]), nil
	case typ == "MX" && len(f) == 2:
		p, err := strconv.ParseUint(f[0], 10, 16)
		if err != nil {
			return nil, fmt.Errorf("bad MX preference %q", f[0])
		}
		return append(binary.BigEndian.AppendUint16(nil, uint16(p)), wireName(f[1])...), nil
	case typ == "TLSA" && len(f) == 4:
		var b []byte
		for _, v := range f[:3] {
			n, err := strconv.ParseUint(v, 10, 8)
			if err != nil {
				return nil, fmt.Errorf("bad TLSA field %q", v)
			}
			b = append(b, byte(n))
		}
		data, err := hex.DecodeString(f[3])
		if err != nil {
			return nil, fmt.Errorf("bad TLSA data %q", f[3])
		}
		return append(b, data...), nil
	}
	return nil, fmt.Errorf("bad record: %s %s", typ, strings.Join(f, " "))
}

func key(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

// wireName encodes a name without escapes or compression.
func wireName(name string) []byte {
	var b []byte
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if l != "" {
			b = append(append(b, byte(len(l))), l...)
		}
	}
	return append(b, 0)
}

// question returns the query's name (lower case, dotted) and type, and
// the offset past the question.
func question(q []byte) (string, uint16, int, bool) {
	var labels []string
	off := 12
	for off < len(q) && q[off] != 0 {
		n := int(q[off])
		if n > 63 || off+1+n > len(q) {
			return "", 0, 0, false
		}
		labels = append(labels, string(q[off+1:off+1+n]))
		off += 1 + n
	}
	if len(q) < 12 || off+5 > len(q) {
		return "", 0, 0, false
	}
	return strings.ToLower(strings.Join(labels, ".")), binary.BigEndian.Uint16(q[off+1:]), off + 5, true
}
