package dns

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"time"
)

var (
	errNoServers = errors.New("no DNS servers")
	errDeadline  = errors.New("time limit reached")
)

// exchange sends the query for name and t to the servers, following the
// timeout schedule, and returns the first reply that is NOERROR or
// NXDOMAIN. The error is the last server's when none gives one.
func (r *Resolver) exchange(name string, t Type) (*message, error) {
	if len(r.Servers) == 0 {
		return nil, errNoServers
	}
	timeouts := r.Timeouts
	if timeouts == nil {
		timeouts = DefaultTimeouts
	}
	var last error
	for _, timeout := range timeouts {
		for _, s := range r.Servers {
			wait, ok := r.budget(timeout)
			if !ok {
				if last == nil {
					return nil, errDeadline
				}
				return nil, fmt.Errorf("%w after: %v", errDeadline, last)
			}
			m, err := r.ask(s, name, t, wait)
			if err == nil {
				return m, nil
			}
			last = err
		}
	}
	return nil, last
}

// budget cuts timeout down to what is left before the deadline.
func (r *Resolver) budget(timeout time.Duration) (time.Duration, bool) {
	if r.Deadline.IsZero() {
		return timeout, true
	}
	left := time.Until(r.Deadline)
	if left <= 0 {
		return 0, false
	}
	return min(timeout, left), true
}

// ask puts one query to one server: UDP, then TCP if the reply says it is
// truncated. A fresh random ID and a fresh socket (so a fresh source port)
// for each try make a forged reply hard to slip in. The query carries
// EDNS0 with DO; a server that answers it FORMERR or NOTIMP (one that
// predates EDNS0) is asked again without (RFC 6891 7).
func (r *Resolver) ask(s netip.AddrPort, name string, t Type, wait time.Duration) (*message, error) {
	m, err := r.ask1(s, name, t, wait, true)
	if err == nil && (m.Rcode == rcodeFormErr || m.Rcode == rcodeNotImp) {
		m, err = r.ask1(s, name, t, wait, false)
	}
	if err != nil {
		return nil, fmt.Errorf("%v: %w", s, err)
	}
	if m.Rcode != rcodeOK && m.Rcode != rcodeNXDomain {
		return nil, fmt.Errorf("%v: %s", s, rcodeText(m.Rcode))
	}
	m.AD = m.AD && trustAD(s.Addr())
	return m, nil
}

func (r *Resolver) ask1(s netip.AddrPort, name string, t Type, wait time.Duration, edns bool) (*message, error) {
	id := uint16(rand.Uint32())
	q, err := buildQuery(id, name, t, edns)
	if err != nil {
		return nil, err
	}
	m, err := askUDP(s, q, id, name, t, wait)
	if err == nil && m.TC { // RFC 1035 4.2.1, RFC 7766 5: retry over TCP
		wait, ok := r.budget(wait)
		if !ok {
			return nil, errDeadline
		}
		m, err = askTCP(s, q, id, name, t, wait)
	}
	return m, err
}

// trustAD tells whether the AD bit of a server's reply means anything.
// The bit is not signed: between us and a validating resolver elsewhere
// anyone on the path can set it (RFC 4035 4.9.3, RFC 6698 4.1). Only a
// resolver on this host, reached over loopback, is believed (SPEC D30).
// A variable so that a test can place its loopback server elsewhere.
var trustAD = func(a netip.Addr) bool { return a.Unmap().IsLoopback() }

func rcodeText(rcode int) string {
	switch rcode {
	case 1:
		return "format error (FORMERR)"
	case 2:
		return "server failure (SERVFAIL)"
	case 4:
		return "not implemented (NOTIMP)"
	case 5:
		return "refused (REFUSED)"
	}
	return fmt.Sprintf("response code %d", rcode)
}

// askUDP sends q and waits for the reply. Datagrams that cannot be a reply
// to q (too short, another ID, no QR bit) are ignored; a reply with our ID
// that does not parse counts as the server's failure.
func askUDP(s netip.AddrPort, q []byte, id uint16, name string, t Type, wait time.Duration) (*message, error) {
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(s))
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(wait)); err != nil {
		return nil, err
	}
	if _, err := c.Write(q); err != nil {
		return nil, err
	}
	buf := make([]byte, maxMsg)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return nil, err
		}
		m, err := parseReply(buf[:n], id, name, t)
		if errors.Is(err, errShort) && n < headerLen || errors.Is(err, errNotReply) {
			continue
		}
		return m, err
	}
}

// askTCP sends q with its two-byte length (RFC 1035 4.2.2) and reads one
// reply the same way.
func askTCP(s netip.AddrPort, q []byte, id uint16, name string, t Type, wait time.Duration) (*message, error) {
	c, err := net.DialTimeout("tcp", s.String(), wait)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(wait)); err != nil {
		return nil, err
	}
	if _, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(q))), q...)); err != nil {
		return nil, err
	}
	var l [2]byte
	if _, err := io.ReadFull(c, l[:]); err != nil {
		return nil, err
	}
	buf := make([]byte, binary.BigEndian.Uint16(l[:]))
	if _, err := io.ReadFull(c, buf); err != nil {
		return nil, err
	}
	m, err := parseReply(buf, id, name, t)
	if err == nil && m.TC {
		return nil, errors.New("truncated reply over TCP")
	}
	return m, err
}
