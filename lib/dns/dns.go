// Package dns is a small stub resolver: it asks a recursive server (a
// dnscache, a local unbound) for the MX, A and AAAA records of a name,
// and the TXT records of MTA-STS (RFC 8461).
//
// Go's net.Resolver would do the lookups, but it cannot reliably tell us
// what qmail-remote must report: NXDOMAIN apart from NODATA apart from
// SERVFAIL for each query, which name of a CNAME chain failed (SPEC D4
// names the target), a null MX (RFC 7505), nor whether a validating
// resolver authenticated the answer (the AD bit) for DANE, nor TLSA
// records. It also brings a search list, ndots and /etc/hosts,
// which have no place in mail routing. So we build and parse the messages
// ourselves (RFC 1035), always for absolute names.
//
// Each query goes over UDP, and again over TCP when the reply is truncated
// (RFC 1035 4.2.1, RFC 7766). It carries EDNS0 with the DO bit (RFC 6891,
// RFC 3225), so that a validating resolver sets the AD bit on answers it
// authenticated; that bit is believed only from a server on a loopback
// address (SPEC D30), and an Answer says whether it was set on every
// reply a lookup took. Servers are tried in turn with the growing
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

// An Answer says how a lookup was answered, with records or without.
type Answer struct {
	// Secure: every reply on the way (each step of a CNAME chain
	// included) came with the AD bit from a server we trust for it
	// (trustAD): the records, or their absence, are authenticated by
	// DNSSEC (RFC 4035 3.2.3, RFC 7672 2.1).
	Secure bool
	// Name is the name the records belong to: the end of the CNAME
	// chain, the name asked for when there was none.
	Name string
}

// LookupMX returns the MX records of name in answer order.
func (r *Resolver) LookupMX(name string) ([]MX, Answer, error) {
	recs, ans, err := r.lookup(name, TypeMX)
	var mxs []MX
	for _, rec := range recs {
		mxs = append(mxs, MX{rec.Pref, rec.Target})
	}
	return mxs, ans, err
}

// LookupAddr returns the addresses of name, t being TypeA or TypeAAAA,
// in answer order.
func (r *Resolver) LookupAddr(name string, t Type) ([]netip.Addr, Answer, error) {
	if t != TypeA && t != TypeAAAA {
		return nil, Answer{Name: name}, &Error{Kind: Temporary, Name: name, Err: errors.New("not an address type")}
	}
	recs, ans, err := r.lookup(name, t)
	var addrs []netip.Addr
	for _, rec := range recs {
		addrs = append(addrs, rec.Addr)
	}
	return addrs, ans, err
}

// LookupTLSA returns the TLSA records of name (RFC 6698), such as
// "_25._tcp.mx.example.test", in answer order.
func (r *Resolver) LookupTLSA(name string) ([]TLSA, Answer, error) {
	recs, ans, err := r.lookup(name, TypeTLSA)
	var tlsa []TLSA
	for _, rec := range recs {
		tlsa = append(tlsa, rec.TLSA)
	}
	return tlsa, ans, err
}

// LookupTXT returns the TXT records of name in answer order, each with
// its strings joined.
func (r *Resolver) LookupTXT(name string) ([]string, Answer, error) {
	recs, ans, err := r.lookup(name, TypeTXT)
	var txts []string
	for _, rec := range recs {
		txts = append(txts, rec.Text)
	}
	return txts, ans, err
}

// lookup returns the records of type t for name, following CNAME records
// in each answer and querying a chain's last name again when the answer
// stops there (a server that does not chase aliases). The Answer is
// secure only when every reply it took was.
func (r *Resolver) lookup(name string, t Type) ([]record, Answer, error) {
	cur, err := canonical(name)
	if err != nil {
		return nil, Answer{Name: name}, &Error{Kind: NXDomain, Name: name, Err: err}
	}
	hops := 0
	secure := true
	for {
		m, err := r.exchange(cur, t)
		if err != nil {
			return nil, Answer{Name: cur}, &Error{Kind: Temporary, Name: cur, Alias: hops > 0, Err: err}
		}
		secure = secure && m.AD
		before := hops
		recs, end := follow(m.Answers, cur, t, &hops)
		ans := Answer{Secure: secure, Name: end}
		fail := &Error{Name: end, Alias: hops > 0}
		switch {
		case hops > MaxHops:
			fail.Kind, fail.Err = Temporary, errors.New("CNAME chain too long or looping")
			return nil, Answer{Name: end}, fail
		case len(recs) > 0:
			return recs, ans, nil
		case m.Rcode == rcodeNXDomain: // RFC 6604: the code is about the chain's end
			fail.Kind = NXDomain
			return nil, ans, fail
		case hops == before:
			fail.Kind = NoData
			return nil, ans, fail
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
