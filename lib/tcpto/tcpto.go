// Package tcpto is qmail's host timeout table, queue/lock/tcpto: the
// addresses whose connections recently timed out or were refused, so
// that later deliveries skip them for about an hour instead of paying
// timeoutconnect again. The file holds 32 records of 32 bytes in
// s/qmail 3's layout (SPEC 3.7, D14):
//
//	byte 0      address family (the platform's AF_INET or AF_INET6)
//	byte 4      count of recent errors, 0 to 10
//	bytes 8-11  time of the last counted error, seconds, little-endian
//	bytes 16-31 the address (4 or 16 bytes)
//
// The other bytes are unused. Table holds the rules on the bytes; File
// reads and writes the file under an exclusive flock, so that any
// number of qmail-remote processes (and qmail-tcpto, qmail-tcpok)
// share it.
package tcpto

import (
	"encoding/binary"
	"net/netip"
	"syscall"
)

// Sizes of the table (D14).
const (
	RecordSize = 32
	Records    = 32
	Size       = Records * RecordSize
	MaxCount   = 10 // errors counted at most
)

// Families as the platform numbers them (sq3 writes its own values).
const (
	famInet  = byte(syscall.AF_INET)
	famInet6 = byte(syscall.AF_INET6)
)

// A Table is the whole file.
type Table [Size]byte

// A Record is one decoded record. Addr is invalid when the family byte
// is neither AF_INET nor AF_INET6.
type Record struct {
	Addr  netip.Addr
	Count int
	Last  int64 // seconds since the epoch
}

// Record decodes record i.
func (t *Table) Record(i int) Record {
	b := t[i*RecordSize : (i+1)*RecordSize]
	r := Record{Count: int(b[4]), Last: int64(binary.LittleEndian.Uint32(b[8:12]))}
	switch b[0] {
	case famInet:
		r.Addr = netip.AddrFrom4([4]byte(b[16:20]))
	case famInet6:
		r.Addr = netip.AddrFrom16([16]byte(b[16:32]))
	}
	return r
}

// find returns the index of the first record for a, or -1.
func (t *Table) find(a netip.Addr) int {
	a = a.Unmap()
	for i := range Records {
		if r := t.Record(i); r.Addr.IsValid() && r.Addr == a {
			return i
		}
	}
	return -1
}

// Window is how long an address with two or more counted errors is
// skipped: (60 + pid mod 32) x 64 seconds, 3840 to 5824 (qmail's
// tcpto.c; the pid spreads the retries of many processes).
func Window(pid int) int64 { return int64(60+(pid&31)) << 6 }

// Skip tells whether a connection to a should not be tried now, and
// whether a record for a exists (Success needs to know). A record
// time in the future counts as old: random bytes never make an
// address skipped for longer than one window.
func (t *Table) Skip(a netip.Addr, now int64, pid int) (skip, found bool) {
	i := t.find(a)
	if i < 0 {
		return false, false
	}
	r := t.Record(i)
	return r.Count >= 2 && r.Last <= now && now-r.Last < Window(pid), true
}

// Success records a connection to a that was made: its count goes to 0,
// its time is kept. It returns the record changed, or -1.
func (t *Table) Success(a netip.Addr) int {
	i := t.find(a)
	if i >= 0 && t[i*RecordSize+4] != 0 {
		t[i*RecordSize+4] = 0
		return i
	}
	return -1
}

// Failure counts a connect timeout or refusal of a (sq3, SPEC A22). An
// error within 120 seconds of the last counted one is not counted
// again; a new address takes the first free record (count 0), else
// the one with the smallest last + count x 1024. It returns the record
// changed, or -1.
func (t *Table) Failure(a netip.Addr, now int64) int {
	i := t.find(a)
	if i >= 0 {
		r := t.Record(i)
		if r.Count > 0 && r.Last <= now && now < r.Last+120 {
			return -1
		}
		t.put(i, a, min(r.Count+1, MaxCount), now)
		return i
	}
	i = t.victim()
	t.put(i, a, 1, now)
	return i
}

// victim is the record a new address replaces.
func (t *Table) victim() int {
	best, bestKey := 0, int64(-1)
	for i := range Records {
		r := t.Record(i)
		if r.Count == 0 {
			return i
		}
		if key := r.Last + int64(r.Count)*1024; bestKey < 0 || key < bestKey {
			best, bestKey = i, key
		}
	}
	return best
}

// put writes record i whole.
func (t *Table) put(i int, a netip.Addr, count int, now int64) {
	b := t[i*RecordSize : (i+1)*RecordSize]
	clear(b)
	a = a.Unmap()
	if a.Is4() {
		b[0] = famInet
		a4 := a.As4()
		copy(b[16:], a4[:])
	} else {
		b[0] = famInet6
		a16 := a.As16()
		copy(b[16:], a16[:])
	}
	b[4] = byte(count)
	binary.LittleEndian.PutUint32(b[8:12], uint32(now))
}
