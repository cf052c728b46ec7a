// Package dns is a small stub resolver: it asks a recursive server (a
// dnscache, a local unbound) for the MX, A and AAAA records of a name.
//
// Go's net.Resolver would do the lookups, but it cannot reliably tell us
// what qmail-remote must report: NXDOMAIN apart from NODATA apart from
// SERVFAIL for each query, which name of a CNAME chain failed (SPEC D4
// names the target), a null MX (RFC 7505), and later the AD bit and TLSA
// records for DANE. It also brings a search list, ndots and /etc/hosts,
// which have no place in mail routing. So we build and parse the messages
// ourselves (RFC 1035), always for absolute names.
//
// Each query goes over UDP, and again over TCP when the reply is truncated
// (RFC 1035 4.2.1, RFC 7766). Servers are tried in turn with the growing
// timeouts of djbdns (1, 3, 11, 45 seconds); a server that answers
// SERVFAIL, REFUSED or garbage is passed over like one that is silent.
// A Resolver's Deadline bounds all of its queries together.
package dns

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// A Type is a record type.
type Type uint16

// A Kind says how a lookup failed.
type Kind int

// The ways a lookup fails.
const (
	NXDomain  Kind = iota + 1 // the name does not exist (or cannot: malformed)
	NoData                    // the name exists, without records of the type
	Temporary                 // no usable answer: try again later
)

// Error is the error of every lookup.
type Error struct {
	Kind  Kind
	Name  string // the name whose query failed: the last of a CNAME chain
	Alias bool   // Name was reached through a CNAME
	Err   error  // the cause, for Temporary
}

func (e *Error) Error() string {
	switch e.Kind {
	case NXDomain:
		return e.Name + ": no such name"
	case NoData:
		return e.Name + ": no records of that type"
	}
	return fmt.Sprintf("%s: temporary failure: %v", e.Name, e.Err)
}

// KindOf returns the kind of a lookup error, 0 for nil or another error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// MaxHops bounds the CNAME records followed in one lookup. A longer chain
// or a loop is a Temporary failure: it is a mistake someone may fix, and a
// bounce would be final.
const MaxHops = 10

// DefaultTimeouts is the djbdns schedule: each entry is tried on every
// server in turn before the next, longer one (60 s for one server).
var DefaultTimeouts = []time.Duration{1 * time.Second, 3 * time.Second, 11 * time.Second, 45 * time.Second}

// A Resolver asks Servers, in order, with the Timeouts schedule
// (DefaultTimeouts when nil), and gives up on any query when Deadline
// (when not zero) has passed.
type Resolver struct {
	Servers  []netip.AddrPort
	Timeouts []time.Duration
	Deadline time.Time
}

// An MX is one mail exchanger. Host is "." for a null MX (RFC 7505).
type MX struct {
	Pref uint16
	Host string
}

// LookupMX returns the MX records of name in answer order.
func (r *Resolver) LookupMX(name string) ([]MX, error) {
	recs, err := r.lookup(name, TypeMX)
	var mxs []MX
	for _, rec := range recs {
		mxs = append(mxs, MX{rec.Pref, rec.Target})
	}
	return mxs, err
}

// LookupAddr returns the addresses of name, t being TypeA or TypeAAAA,
// in answer order.
func (r *Resolver) LookupAddr(name string, t Type) ([]netip.Addr, error) {
	if t != TypeA && t != TypeAAAA {
		return nil, &Error{Kind: Temporary, Name: name, Err: errors.New("not an address type")}
	}
	recs, err := r.lookup(name, t)
	var addrs []netip.Addr
	for _, rec := range recs {
		addrs = append(addrs, rec.Addr)
	}
	return addrs, err
}

// lookup returns the records of type t for name, following CNAME records
// in each answer and querying a chain's last name again when the answer
// stops there (a server that does not chase aliases).
func (r *Resolver) lookup(name string, t Type) ([]record, error) {
	cur, err := canonical(name)
	if err != nil {
		return nil, &Error{Kind: NXDomain, Name: name, Err: err}
	}
	hops := 0
	for {
		m, err := r.exchange(cur, t)
		if err != nil {
			return nil, &Error{Kind: Temporary, Name: cur, Alias: hops > 0, Err: err}
		}
		before := hops
		recs, end := follow(m.Answers, cur, t, &hops)
		fail := &Error{Name: end, Alias: hops > 0}
		switch {
		case hops > MaxHops:
			fail.Kind, fail.Err = Temporary, errors.New("CNAME chain too long or looping")
			return nil, fail
		case len(recs) > 0:
			return recs, nil
		case m.Rcode == rcodeNXDomain: // RFC 6604: the code is about the chain's end
			fail.Kind = NXDomain
			return nil, fail
		case hops == before:
			fail.Kind = NoData
			return nil, fail
		}
		cur = end
	}
}

// follow walks the CNAME chain from name through answers and returns the
// records of type t at its end, and the end. hops counts the CNAMEs
// followed; it stops once past MaxHops.
func follow(answers []record, name string, t Type, hops *int) ([]record, string) {
	for *hops <= MaxHops {
		var recs []record
		next := ""
		for _, a := range answers {
			if !strings.EqualFold(a.Owner, name) {
				continue
			}
			if a.Type == t {
				recs = append(recs, a)
			} else if a.Type == TypeCNAME && next == "" {
				next = a.Target
			}
		}
		if len(recs) > 0 || next == "" {
			return recs, name
		}
		name = next
		*hops++
	}
	return nil, name
}
