// Package scache is the contract between qmail-scache, the program that
// holds idle SMTP sessions, and its clients (qmail-remote asks for a
// session, smtpclient hands one back): where the socket is, the records
// that go over it, and the state that travels with a session. A session
// is its open descriptors (a connected socket, or the two pipe ends to
// the tlswrap that runs its TLS) and the few facts a client needs to go
// on where the last one stopped; never message data, never a secret.
// See qmail-scache.8 and doc/pipeline.md.
package scache

import (
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"qmail-remote-go/lib/control"
)

// Where the cache listens, under the qmail home: a directory that only
// the user qmail-remote runs as may enter (make install makes it, mode
// 0700), and a SOCK_SEQPACKET socket in it.
const (
	Dir        = "queue/lock/scache"
	SocketName = "socket"
)

// Path is the cache's socket: $QMAILHOME/queue/lock/scache/socket.
func Path() string { return filepath.Join(control.HomeDir(), Dir, SocketName) }

// The limits of a session when control/sessionmessages and
// control/sessionlifetime are missing (qmail-remote reads them) and
// SESSIONMESSAGES and SESSIONLIFETIME are unset (smtpclient reads them):
// messages it carries, seconds from its connection on.
const (
	DefaultMessages = 100
	DefaultLifetime = 300
)

// MaxRecord bounds a record: a receiver reads at most this many bytes,
// and a longer one is an error, never half a record.
const MaxRecord = 16 << 10

// The kinds of record (the first byte of each).
const (
	KindGet     = 'G' // client: key
	KindPut     = 'P' // client: key, proto, expires, the state; with the descriptors
	KindNone    = 'N' // cache: nothing for that key
	KindSession = 'S' // cache: the state as it was put; with the descriptors
)

// Protocols of a stored session: what the cache sends before it closes
// one that is idle too long.
const (
	ProtoSMTP = "smtp" // QUIT, its reply not awaited
	ProtoQMTP = "qmtp" // nothing: QMTP ends by closing
)

// A Field is one line of a record: a name, a space, a value.
type Field struct{ Name, Value string }

// A Record is one message on the socket: its kind, then its fields in
// order, as lines "name value\n" after a first line of the kind alone.
type Record struct {
	Kind   byte
	Fields []Field
}

// Get is the value of the first field called name, "" if none.
func (r Record) Get(name string) string {
	for _, f := range r.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

var (
	errBadField  = errors.New("scache: a field name or value that cannot go in a record")
	errTooLong   = errors.New("scache: record too long")
	errMalformed = errors.New("scache: malformed record")
)

// Marshal is the record as it goes on the socket.
func (r Record) Marshal() ([]byte, error) {
	var b strings.Builder
	b.WriteByte(r.Kind)
	b.WriteByte('\n')
	for _, f := range r.Fields {
		if !goodName(f.Name) || strings.ContainsAny(f.Value, "\n\x00") {
			return nil, errBadField
		}
		b.WriteString(f.Name)
		b.WriteByte(' ')
		b.WriteString(f.Value)
		b.WriteByte('\n')
	}
	if b.Len() > MaxRecord {
		return nil, errTooLong
	}
	return []byte(b.String()), nil
}

func goodName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		if c := n[i]; c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// ParseRecord reads a record that Marshal made; anything else is an
// error (a record is never half read: the socket keeps its bounds).
func ParseRecord(b []byte) (Record, error) {
	if len(b) < 2 || b[1] != '\n' || b[0] <= ' ' || b[0] >= 0x7f || len(b) > MaxRecord {
		return Record{}, errMalformed
	}
	r := Record{Kind: b[0]}
	fields, err := parseLines(string(b[2:]))
	r.Fields = fields
	return r, err
}

func parseLines(text string) ([]Field, error) {
	var fields []Field
	if text == "" {
		return nil, nil
	}
	if !strings.HasSuffix(text, "\n") || strings.ContainsRune(text, 0) {
		return nil, errMalformed
	}
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		name, value, ok := strings.Cut(line, " ")
		if !ok || !goodName(name) {
			return nil, errMalformed
		}
		fields = append(fields, Field{name, value})
	}
	return fields, nil
}

// State is what travels with a session besides its descriptors: when
// it was connected, how many messages it has carried, the server's EHLO
// keywords (upper case, with their parameters) and, for a TLS session,
// the entries of tlswrap's reply block that a K report uses
// (SSL_PROTOCOL, SSL_CIPHER, TLSWRAP_VERIFY, TLSWRAP_AUDIT). No TLS
// entries: clear text. Auth says the session authenticated (AUTH 235):
// only a delivery with credentials may use it, and only the fact goes
// in the state, never the user or anything of the credentials.
type State struct {
	Born  int64 // Unix seconds
	Count int
	Auth  bool
	Ext   map[string]string
	TLS   map[string]string
}

// Fields are the state as record fields: born, count, auth (only when
// true: "auth yes"), one ext per keyword and one tls per entry, in
// sorted order.
func (s State) Fields() []Field {
	f := []Field{{"born", strconv.FormatInt(s.Born, 10)}, {"count", strconv.Itoa(s.Count)}}
	if s.Auth {
		f = append(f, Field{"auth", "yes"})
	}
	for _, k := range sortedKeys(s.Ext) {
		f = append(f, Field{"ext", strings.TrimSpace(k + " " + s.Ext[k])})
	}
	for _, k := range sortedKeys(s.TLS) {
		f = append(f, Field{"tls", k + "=" + s.TLS[k]})
	}
	return f
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Encode is the state as text, one field a line: what the SESSION
// variable carries to smtpclient.
func (s State) Encode() string {
	var b strings.Builder
	for _, f := range s.Fields() {
		b.WriteString(f.Name + " " + f.Value + "\n")
	}
	return b.String()
}

// ParseState reads what Encode wrote.
func ParseState(text string) (State, error) {
	fields, err := parseLines(text)
	if err != nil {
		return State{}, err
	}
	return stateOf(fields)
}

// stateOf takes the state's fields out of a record's; others (key,
// proto, expires) are not its.
func stateOf(fields []Field) (State, error) {
	s := State{Ext: map[string]string{}, TLS: map[string]string{}}
	seen := 0
	for _, f := range fields {
		var err error
		switch f.Name {
		case "born":
			s.Born, err = strconv.ParseInt(f.Value, 10, 64)
			seen |= 1
		case "count":
			s.Count, err = strconv.Atoi(f.Value)
			seen |= 2
		case "auth":
			// Only "yes"; absent is false. Anything else is not a
			// state we wrote: better refused than read as either.
			if f.Value != "yes" {
				err = errMalformed
			}
			s.Auth = true
		case "ext":
			k, p, _ := strings.Cut(f.Value, " ")
			if k == "" {
				err = errMalformed
			}
			s.Ext[k] = p
		case "tls":
			k, v, ok := strings.Cut(f.Value, "=")
			if !ok || k == "" {
				err = errMalformed
			}
			s.TLS[k] = v
		}
		if err != nil {
			return State{}, errMalformed
		}
	}
	if seen != 3 || s.Count < 0 || s.Born < 0 {
		return State{}, errMalformed
	}
	return s, nil
}

// PutRecord is the record that hands a session back.
func PutRecord(key, proto string, expires int64, st State) Record {
	f := []Field{{"key", key}, {"proto", proto}, {"expires", strconv.FormatInt(expires, 10)}}
	return Record{Kind: KindPut, Fields: append(f, st.Fields()...)}
}

// A Put is a put record as the cache reads it: what it acts on, and
// the state's fields, which it hands out again as they came.
type Put struct {
	Key, Proto string
	Expires    int64
	State      []Field
}

// ParsePut checks a put record: a key, a known proto, an expiry, and a
// state that parses.
func ParsePut(r Record) (Put, error) {
	p := Put{Key: r.Get("key"), Proto: r.Get("proto")}
	var err error
	p.Expires, err = strconv.ParseInt(r.Get("expires"), 10, 64)
	if r.Kind != KindPut || err != nil || p.Key == "" || (p.Proto != ProtoSMTP && p.Proto != ProtoQMTP) {
		return Put{}, errMalformed
	}
	for _, f := range r.Fields {
		switch f.Name {
		case "key", "proto", "expires":
		default:
			p.State = append(p.State, f)
		}
	}
	if _, err := stateOf(p.State); err != nil {
		return Put{}, err
	}
	return p, nil
}
