package main

import (
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"syscall"
	"testing"
	"time"

	"qmail-remote-go/lib/scache"
	"qmail-remote-go/lib/tcpto"
)

// A fakeNet plays each address's behaviour for the dialer: "ok",
// "refuse", "hang" (until timeoutconnect or cancellation), "bind",
// "unreach" (no route) or "denied" (another error of connect).
type fakeNet struct {
	mu     sync.Mutex
	how    map[string]string
	starts []string        // addresses in the order dialed
	at     []time.Duration // when, since t0
	local  []string        // the bind address each got, "" for none
	t0     time.Time
}

func (n *fakeNet) dial(ctx context.Context, local netip.Addr, remote netip.AddrPort) (net.Conn, error) {
	a := remote.Addr().String()
	n.mu.Lock()
	n.starts = append(n.starts, a)
	n.at = append(n.at, time.Since(n.t0))
	l := ""
	if local.IsValid() {
		l = local.String()
	}
	n.local = append(n.local, l)
	how := n.how[a]
	n.mu.Unlock()
	switch how {
	case "ok":
		c, _ := net.Pipe()
		return c, nil
	case "refuse":
		return nil, &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	case "bind":
		return nil, &net.OpError{Op: "dial", Err: os.NewSyscallError("bind", syscall.EADDRNOTAVAIL)}
	case "unreach":
		return nil, &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}
	case "denied":
		return nil, &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.EACCES)}
	}
	<-ctx.Done()
	if ctx.Err() == context.DeadlineExceeded {
		return nil, &net.OpError{Op: "dial", Err: os.ErrDeadlineExceeded}
	}
	return nil, &net.OpError{Op: "dial", Err: ctx.Err()}
}

const testNow = 1_700_000_000

func newDialer(t *testing.T, how map[string]string) (*dialer, *fakeNet) {
	p := filepath.Join(t.TempDir(), "tcpto")
	os.WriteFile(p, make([]byte, tcpto.Size), 0o644)
	n := &fakeNet{how: how, t0: time.Now()}
	return &dialer{timeout: 2 * time.Second, port: 25, table: p, pid: 1,
		now: func() int64 { return testNow }, dial: n.dial}, n
}

func host1(addrs ...string) *host {
	var cands []candidate
	for _, a := range addrs {
		cands = append(cands, candidate{Pref: 10, Addr: netip.MustParseAddr(a), Name: "mx.test"})
	}
	return hosts(cands)[0]
}

// count is the tcpto count of a, -1 without a record.
func count(t *testing.T, k *dialer, a string) int {
	tf, err := tcpto.Open(k.table)
	if err != nil {
		t.Fatal(err)
	}
	defer tf.Close()
	for i := range tcpto.Records {
		if r := tf.T.Record(i); r.Addr == netip.MustParseAddr(a) {
			return r.Count
		}
	}
	return -1
}

func TestHappyEyeballs(t *testing.T) {
	k, n := newDialer(t, map[string]string{"2001:db8::1": "hang", "2001:db8::2": "ok", "192.0.2.1": "ok"})
	h := host1("2001:db8::1", "2001:db8::2", "192.0.2.1")
	conn, c, f := k.next(h)
	took := time.Since(n.t0)
	if conn == nil || f != nil || c.Addr.String() != "192.0.2.1" {
		t.Fatalf("next = %v, %v, %v; want the IPv4 address", conn, c, f)
	}
	conn.Close()
	if !reflect.DeepEqual(n.starts, []string{"2001:db8::1", "192.0.2.1"}) {
		t.Errorf("dialed %v", n.starts)
	}
	if n.at[1] < attemptDelay || took > attemptDelay+200*time.Millisecond {
		t.Errorf("IPv4 started after %v, connected after %v; want 250 ms", n.at[1], took)
	}
	if got := count(t, k, "2001:db8::1"); got != -1 {
		t.Errorf("the pending loser has a tcpto record (count %d)", got)
	}
	// The loser gets its own full attempt when the host is tried again
	// (say the winner greeted 554), then the next IPv6 address.
	conn, c, f = k.next(h)
	if conn == nil || c.Addr.String() != "2001:db8::2" || f != nil {
		t.Fatalf("second next = %v, %v, %v", conn, c, f)
	}
	if got := count(t, k, "2001:db8::1"); got != 1 {
		t.Errorf("the timeout of the retried loser: count %d, want 1", got)
	}
	if conn, _, _ = k.next(h); conn != nil {
		t.Error("a third connection from a host of three addresses, one dead")
	}
}

func TestSequentialWhenFast(t *testing.T) {
	k, n := newDialer(t, map[string]string{"2001:db8::1": "refuse", "2001:db8::2": "refuse", "192.0.2.1": "refuse", "192.0.2.2": "ok"})
	conn, c, _ := k.next(host1("2001:db8::1", "2001:db8::2", "192.0.2.1", "192.0.2.2"))
	if conn == nil || c.Addr.String() != "192.0.2.2" {
		t.Fatalf("next = %v", c)
	}
	conn.Close()
	if !reflect.DeepEqual(n.starts, []string{"2001:db8::1", "2001:db8::2", "192.0.2.1", "192.0.2.2"}) {
		t.Errorf("dialed %v, want the list order", n.starts)
	}
	for _, a := range []string{"2001:db8::1", "2001:db8::2", "192.0.2.1"} {
		if got := count(t, k, a); got != 1 {
			t.Errorf("%s: tcpto count %d, want 1 (refused)", a, got)
		}
	}
	if got := count(t, k, "192.0.2.2"); got != -1 {
		t.Errorf("the winner has a record")
	}
}

func TestOneFamilyIsSequential(t *testing.T) {
	k, n := newDialer(t, map[string]string{"192.0.2.1": "hang", "192.0.2.2": "ok"})
	k.timeout = 400 * time.Millisecond
	conn, c, _ := k.next(host1("192.0.2.1", "192.0.2.2"))
	if conn == nil || c.Addr.String() != "192.0.2.2" {
		t.Fatalf("next = %v", c)
	}
	conn.Close()
	if n.at[1] < 400*time.Millisecond {
		t.Errorf("the second IPv4 address started after %v, before the first timed out", n.at[1])
	}
	if got := count(t, k, "192.0.2.1"); got != 1 {
		t.Errorf("timeout: tcpto count %d, want 1", got)
	}
}

func TestBothFamiliesDead(t *testing.T) {
	k, n := newDialer(t, map[string]string{"2001:db8::1": "hang", "192.0.2.1": "refuse"})
	k.timeout = 400 * time.Millisecond
	conn, _, f := k.next(host1("2001:db8::1", "192.0.2.1"))
	if conn != nil || f != nil {
		t.Fatalf("next = %v, %v", conn, f)
	}
	if len(n.starts) != 2 || count(t, k, "2001:db8::1") != 1 || count(t, k, "192.0.2.1") != 1 {
		t.Errorf("dialed %v; counts %d %d", n.starts, count(t, k, "2001:db8::1"), count(t, k, "192.0.2.1"))
	}
}

func TestTcptoSkip(t *testing.T) {
	k, n := newDialer(t, map[string]string{"192.0.2.1": "ok", "192.0.2.2": "ok"})
	tcpto.Failed(k.table, netip.MustParseAddr("192.0.2.1"), testNow-1000)
	tcpto.Failed(k.table, netip.MustParseAddr("192.0.2.1"), testNow-500)
	conn, c, _ := k.next(host1("192.0.2.1", "192.0.2.2"))
	if conn == nil || c.Addr.String() != "192.0.2.2" || !reflect.DeepEqual(n.starts, []string{"192.0.2.2"}) {
		t.Fatalf("next = %v; dialed %v", c, n.starts)
	}
	conn.Close()
	// A success zeroes an existing record.
	k.now = func() int64 { return testNow + 10000 }
	conn, _, _ = k.next(host1("192.0.2.1"))
	conn.Close()
	if got := count(t, k, "192.0.2.1"); got != 0 {
		t.Errorf("after a success: count %d", got)
	}
}

// TestReasons: the D33 line of the latest address that failed, for each
// kind of failure, and the tcpto skip.
func TestReasons(t *testing.T) {
	for _, c := range []struct{ how, addr, want string }{
		{"refuse", "192.0.2.1", "192.0.2.1:25: connection refused"},
		{"hang", "192.0.2.1", "192.0.2.1:25: timed out after 1 s"},
		{"unreach", "192.0.2.1", "192.0.2.1:25: no route"},
		{"denied", "192.0.2.1", "192.0.2.1:25: permission denied"},
		{"refuse", "2001:db8::1", "[2001:db8::1]:25: connection refused"},
	} {
		k, _ := newDialer(t, map[string]string{c.addr: c.how})
		k.timeout = time.Second
		if conn, _, f := k.next(host1(c.addr)); conn != nil || f != nil {
			t.Fatalf("%s: next = %v, %v", c.how, conn, f)
		}
		if k.why != c.want {
			t.Errorf("%s: why %q, want %q", c.how, k.why, c.want)
		}
	}
	// The latest failure wins: the second address's.
	k, _ := newDialer(t, map[string]string{"192.0.2.1": "unreach", "192.0.2.2": "refuse"})
	k.next(host1("192.0.2.1", "192.0.2.2"))
	if want := "192.0.2.2:25: connection refused"; k.why != want {
		t.Errorf("two addresses: why %q, want %q", k.why, want)
	}
	k, _ = newDialer(t, map[string]string{"192.0.2.1": "ok"})
	tcpto.Failed(k.table, netip.MustParseAddr("192.0.2.1"), testNow-1000)
	tcpto.Failed(k.table, netip.MustParseAddr("192.0.2.1"), testNow-500)
	if conn, _, _ := k.next(host1("192.0.2.1")); conn != nil {
		t.Fatal("connected to an address tcpto skips")
	}
	if want := "192.0.2.1:25: skipped: marked dead in the timeout table"; k.why != want {
		t.Errorf("tcpto skip: why %q, want %q", k.why, want)
	}
}

func TestRefused(t *testing.T) {
	for _, c := range []struct {
		text, said string
		ok         bool
	}{
		{"Connected to 192.0.2.1 but greeting failed.\nRemote host said: 554 5.7.1 go away\n", "Remote host said: 554 5.7.1 go away", true},
		{"Connected to 192.0.2.1 but greeting failed.\nRemote host said: 554-a\n554 b\n", "Remote host said: 554-a\n554 b", true},
		{"Connected to 192.0.2.9 but greeting failed.\nRemote host said: 554 a\n", "", false},
		{"Connected to 192.0.2.1 but greeting failed.\n", "", false},
		{"I wasn't able to negotiate a TLS connection with: mx.test. (#4.4.1)\n", "", false},
	} {
		if said, ok := refused(c.text, "192.0.2.1"); said != c.said || ok != c.ok {
			t.Errorf("refused(%q) = %q, %v, want %q, %v", c.text, said, ok, c.said, c.ok)
		}
	}
}

func TestBind(t *testing.T) {
	k, n := newDialer(t, map[string]string{"192.0.2.1": "ok", "2001:db8::1": "ok"})
	k.bind = netip.MustParseAddr("2001:db8::25")
	conn, _, _ := k.next(host1("192.0.2.1"))
	conn.Close()
	conn, _, _ = k.next(host1("2001:db8::1"))
	conn.Close()
	if !reflect.DeepEqual(n.local, []string{"", "2001:db8::25"}) {
		t.Errorf("bound to %q, want only the IPv6 connection bound", n.local)
	}
	k, _ = newDialer(t, map[string]string{"192.0.2.1": "bind"})
	k.bind, k.where = netip.MustParseAddr("192.0.2.25"), "control/domainips line 2"
	conn, _, f := k.next(host1("192.0.2.1"))
	if conn != nil || f == nil || string(f.bytes()) != "ZCan't bind to local ip address: 192.0.2.25. (#4.3.0)\ncontrol/domainips line 2: bind: cannot assign requested address\n\x00" {
		t.Errorf("bind failure: %v, %q", conn, f)
	}
}

func TestHosts(t *testing.T) {
	c := func(pref int, a, name string) candidate {
		return candidate{Pref: pref, Addr: netip.MustParseAddr(a), Name: name}
	}
	hs := hosts([]candidate{c(10, "::1", "a"), c(10, "127.0.0.1", "a"), c(10, "127.0.0.2", "b"), c(20, "127.0.0.3", "b"), c(20, "::3", "b")})
	var sizes []int
	for _, h := range hs {
		sizes = append(sizes, len(h.cands))
	}
	if !reflect.DeepEqual(sizes, []int{2, 1, 2}) {
		t.Errorf("hosts of sizes %v", sizes)
	}
}

// TestLinkAsksCache: link asks the cache for each address that the
// timeout table does not skip, before dialling it; a session found wins
// as a connection would, and tcpto hears nothing of it. A host marked
// fresh (the retry after a stale session, SPEC D8's) is never asked.
func TestLinkAsksCache(t *testing.T) {
	k, n := newDialer(t, map[string]string{"192.0.2.1": "refuse", "192.0.2.2": "ok", "192.0.2.3": "ok"})
	tcpto.Failed(k.table, netip.MustParseAddr("192.0.2.3"), testNow-500)
	tcpto.Failed(k.table, netip.MustParseAddr("192.0.2.3"), testNow-300)
	tcpto.Failed(k.table, netip.MustParseAddr("192.0.2.3"), testNow-100)
	var asked []string
	r, w, _ := os.Pipe()
	defer r.Close()
	defer w.Close()
	k.ask = func(c candidate) *reused {
		asked = append(asked, c.Addr.String())
		if c.Addr.String() == "192.0.2.2" {
			return &reused{Session: &scache.Session{Files: []*os.File{r}}}
		}
		return nil
	}
	h := host1("192.0.2.3", "192.0.2.1", "192.0.2.2")
	l, c, f := k.link(h)
	if l.sess == nil || l.conn != nil || f != nil || c.Addr.String() != "192.0.2.2" {
		t.Fatalf("link = %+v, %v, %v; want the session of 192.0.2.2", l, c, f)
	}
	if !reflect.DeepEqual(asked, []string{"192.0.2.1", "192.0.2.2"}) || !reflect.DeepEqual(n.starts, []string{"192.0.2.1"}) {
		t.Errorf("asked %v, dialed %v; want the two addresses tcpto does not skip asked, 192.0.2.1 dialed", asked, n.starts)
	}
	if got := count(t, k, "192.0.2.2"); got != -1 {
		t.Errorf("a session from the cache made a tcpto record (count %d)", got)
	}
	asked = nil
	conn, c, _ := k.next(host1("192.0.2.2"))
	if conn == nil || asked != nil {
		t.Errorf("next asked the cache (%v) or did not connect (%v)", asked, conn)
	}
	if conn != nil {
		conn.Close()
	}
}
