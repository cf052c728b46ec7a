package route

import (
	"iter"
	"strings"

	"qmail-remote-go/lib/control"
)

// The transports a Route may name.
const (
	SMTP = "smtp"
	QMTP = "qmtp" // qmtproutes, SPEC 4.6 and 6
)

// DefaultQMTPPort is the port of a qmtproutes route that names none
// (qmtp.txt 7, SPEC 4.6).
const DefaultQMTPPort = 209

// A source is one routes table and the transport its lines choose.
type source struct {
	table control.Table
	proto string
}

// sources are the route tables in the order SPEC 4.6 consults them at
// each step: qmtproutes, then smtproutes, so QMTP wins only at equal
// specificity.
func (t Tables) sources() [2]source {
	return [2]source{{t.QMTPRoutes, QMTP}, {t.SMTPRoutes, SMTP}}
}

// parse reads a line of the source's table. qmtproutes has smtproutes'
// syntax, port 209 by default and no AUTH: credentials are ignored. An
// empty relay keeps the MX lookup of the host, over QMTP for qmtproutes.
func (s source) parse(e control.Entry, def Route) (Route, error) {
	if s.proto == QMTP {
		def.Proto, def.Port = QMTP, DefaultQMTPPort
	}
	r, err := parse(e, def)
	if s.proto == QMTP {
		r.User, r.Pass = "", ""
	}
	return r, err
}

// bounceRoute is SPEC 3.1 step 6: for the empty sender the key "!@",
// first in qmtproutes, then in smtproutes (SPEC 4.5, 4.6). A "!@" line
// with an empty relay is no bounce route; the search goes on.
func bounceRoute(t Tables, def Route) (Route, bool, error) {
	for _, s := range t.sources() {
		if e, ok := s.table.Get("!@"); ok {
			r, err := s.parse(e, def)
			if err != nil || r.Relay {
				return r, true, err
			}
		}
	}
	return Route{}, false, nil
}

// hostRoute is SPEC 3.1 step 7: the suffix lookup of SPEC 4.1 on host,
// both tables at each step. The first line found decides, even with an
// empty relay (it shields host from less specific lines).
func hostRoute(t Tables, host string, def Route) (Route, bool, error) {
	for key := range keys(host, ".") {
		for _, s := range t.sources() {
			if e, ok := s.table.Get(key); ok {
				r, err := s.parse(e, def)
				return r, true, err
			}
		}
	}
	return Route{}, false, nil
}

// keys yields the keys of the suffix lookup of SPEC 4.1, most specific
// first: name, each suffix of it that starts at one of seps ("." for a
// host, "@." for a sender), then "".
func keys(name, seps string) iter.Seq[string] {
	return func(yield func(string) bool) {
		if !yield(name) {
			return
		}
		for i := 1; i < len(name); i++ {
			if strings.IndexByte(seps, name[i]) >= 0 && !yield(name[i:]) {
				return
			}
		}
		if name != "" {
			yield("")
		}
	}
}
