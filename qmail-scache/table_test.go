package main

import (
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Unix(1_800_000_000, 0)

// mk is a session of n descriptors (made-up numbers: the table never
// touches them) that expires far away.
func mk(id uint64, key string, n int) *session {
	s := &session{id: id, key: key, proto: "smtp", expires: t0.Unix() + 3600}
	for i := range n {
		s.fds = append(s.fds, int(id)*10+i)
	}
	return s
}

func always(*session) bool { return true }

func ids(ss []*session) []uint64 {
	var out []uint64
	for _, s := range ss {
		out = append(out, s.id)
	}
	return out
}

func same(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTableLIFO(t *testing.T) {
	tb := newTable(10*time.Second, 100)
	for i := uint64(1); i <= 3; i++ {
		if out := tb.put(mk(i, "a", 1), t0.Add(time.Duration(i)*time.Second)); out != nil {
			t.Fatalf("put %d evicted %v", i, ids(out))
		}
	}
	tb.put(mk(4, "b", 2), t0.Add(4*time.Second))
	if tb.len() != 4 || tb.fds != 5 {
		t.Fatalf("len %d fds %d", tb.len(), tb.fds)
	}
	now := t0.Add(5 * time.Second)
	var got []uint64
	for {
		s, due, dead := tb.get("a", now, always)
		if due != nil || dead != nil {
			t.Fatalf("due %v dead %v", ids(due), ids(dead))
		}
		if s == nil {
			break
		}
		got = append(got, s.id)
	}
	if !same(got, []uint64{3, 2, 1}) {
		t.Errorf("gets gave %v, want 3 2 1", got)
	}
	if s, _, _ := tb.get("c", now, always); s != nil {
		t.Errorf("another key gave %d", s.id)
	}
	if tb.len() != 1 || tb.fds != 2 {
		t.Errorf("len %d fds %d after the gets", tb.len(), tb.fds)
	}
}

// A session alive says is dead is passed over, closed by the caller
// (dead), and the next one for the key is tried.
func TestTableGetDead(t *testing.T) {
	tb := newTable(10*time.Second, 100)
	tb.put(mk(1, "a", 1), t0)
	tb.put(mk(2, "a", 1), t0)
	tb.put(mk(3, "a", 1), t0)
	s, due, dead := tb.get("a", t0, func(s *session) bool { return s.id == 1 })
	if s == nil || s.id != 1 || due != nil || !same(ids(dead), []uint64{3, 2}) {
		t.Fatalf("got %v, due %v, dead %v", s, ids(due), ids(dead))
	}
	if tb.len() != 0 || tb.fds != 0 {
		t.Errorf("len %d fds %d", tb.len(), tb.fds)
	}
}

// Idle time and expiry: the earlier decides; expire takes exactly what
// is due, in order; a due session is never handed out by get.
func TestTableDue(t *testing.T) {
	tb := newTable(10*time.Second, 100)
	early := mk(1, "a", 1)
	early.expires = t0.Unix() + 3 // before the idle time ends
	tb.put(early, t0)
	tb.put(mk(2, "a", 1), t0.Add(1*time.Second))
	tb.put(mk(3, "b", 1), t0.Add(2*time.Second))
	if when, ok := tb.next(); !ok || !when.Equal(t0.Add(3*time.Second)) {
		t.Fatalf("next = %v, %v", when, ok)
	}
	if out := tb.expire(t0.Add(2 * time.Second)); out != nil {
		t.Fatalf("expired early: %v", ids(out))
	}
	if out := tb.expire(t0.Add(3 * time.Second)); !same(ids(out), []uint64{1}) {
		t.Fatalf("at 3 s: %v", ids(out))
	}
	if when, _ := tb.next(); !when.Equal(t0.Add(11 * time.Second)) {
		t.Fatalf("next = %v", when)
	}
	s, due, dead := tb.get("a", t0.Add(11*time.Second), always)
	if s != nil || !same(ids(due), []uint64{2}) || dead != nil {
		t.Fatalf("get at 11 s: %v %v %v", s, ids(due), ids(dead))
	}
	if out := tb.expire(t0.Add(time.Hour)); !same(ids(out), []uint64{3}) {
		t.Fatalf("at the end: %v", ids(out))
	}
	if _, ok := tb.next(); ok || tb.len() != 0 {
		t.Error("the table is not empty")
	}
}

// A session that is due when it is put is given straight back.
func TestTablePutDue(t *testing.T) {
	tb := newTable(10*time.Second, 100)
	s := mk(1, "a", 1)
	s.expires = t0.Unix()
	if out := tb.put(s, t0); !same(ids(out), []uint64{1}) || tb.len() != 0 {
		t.Fatalf("put gave %v, len %d", ids(out), tb.len())
	}
}

// A full table: the sessions stored longest ago make room, counting
// descriptors; one larger than the whole table is not held.
func TestTableFull(t *testing.T) {
	tb := newTable(10*time.Second, 4)
	tb.put(mk(1, "a", 2), t0)
	tb.put(mk(2, "b", 1), t0)
	if out := tb.put(mk(3, "a", 1), t0); out != nil || tb.fds != 4 {
		t.Fatalf("put into room evicted %v (fds %d)", ids(out), tb.fds)
	}
	if out := tb.put(mk(4, "c", 1), t0); !same(ids(out), []uint64{1}) || tb.fds != 3 {
		t.Fatalf("evicted %v, fds %d; want 1", ids(out), tb.fds)
	}
	if out := tb.put(mk(5, "c", 2), t0); !same(ids(out), []uint64{2}) || tb.fds != 4 {
		t.Fatalf("evicted %v, fds %d; want 2", ids(out), tb.fds)
	}
	if out := tb.put(mk(6, "d", 2), t0); !same(ids(out), []uint64{3, 4}) || tb.fds != 4 {
		t.Fatalf("evicted %v, fds %d; want 3 4", ids(out), tb.fds)
	}
	tiny := newTable(time.Second, 1)
	if out := tiny.put(mk(7, "a", 2), t0); !same(ids(out), []uint64{7}) || tiny.len() != 0 {
		t.Fatalf("too large: %v", ids(out))
	}
	if !same(ids(tb.all()), []uint64{5, 6}) || tb.len() != 0 || tb.fds != 0 {
		t.Error("all is not oldest first, or left something")
	}
}

func TestTableDrop(t *testing.T) {
	tb := newTable(10*time.Second, 100)
	tb.put(mk(1, "a", 1), t0)
	tb.put(mk(2, "a", 1), t0)
	if s := tb.drop(1); s == nil || s.id != 1 {
		t.Fatalf("drop 1 = %v", s)
	}
	if s := tb.drop(1); s != nil {
		t.Fatal("dropped twice")
	}
	if s := tb.drop(99); s != nil {
		t.Fatal("dropped an unknown id")
	}
	if s, _, _ := tb.get("a", t0, always); s == nil || s.id != 2 {
		t.Fatalf("get after drop = %v", s)
	}
}

// TestTableModel runs random operations and checks, after each, that
// every session left the table exactly once, through one operation,
// and that the table's counts agree with a plain list of what it holds.
func TestTableModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tb := newTable(10*time.Second, 12)
	held := map[uint64]*session{}
	out := map[uint64]bool{}
	take := func(ss []*session, op string) {
		for _, s := range ss {
			if out[s.id] {
				t.Fatalf("%s: session %d left twice", op, s.id)
			}
			out[s.id] = true
			delete(held, s.id)
		}
	}
	now := t0
	var next uint64
	for range 20000 {
		now = now.Add(time.Duration(r.IntN(1500)) * time.Millisecond)
		key := string(rune('a' + r.IntN(4)))
		switch r.IntN(6) {
		case 0, 1:
			next++
			s := mk(next, key, 1+r.IntN(2))
			s.expires = now.Unix() + int64(r.IntN(30)) - 2
			held[s.id] = s
			take(tb.put(s, now), "put")
		case 2:
			s, due, dead := tb.get(key, now, func(*session) bool { return r.IntN(4) != 0 })
			take(due, "get due")
			take(dead, "get dead")
			if s != nil {
				if !now.Before(s.due) {
					t.Fatalf("get handed out %d, due at %v, at %v", s.id, s.due, now)
				}
				take([]*session{s}, "get")
			}
		case 3:
			for _, s := range tb.expire(now) {
				if now.Before(s.due) {
					t.Fatalf("expire took %d before its time", s.id)
				}
				take([]*session{s}, "expire")
			}
		case 4:
			if s := tb.drop(uint64(r.IntN(int(next) + 1))); s != nil {
				take([]*session{s}, "drop")
			}
		case 5:
			if when, ok := tb.next(); ok {
				for _, s := range held {
					if s.due.Before(when) {
						t.Fatalf("next %v, but %d is due at %v", when, s.id, s.due)
					}
				}
			}
		}
		fds := 0
		for _, s := range held {
			fds += len(s.fds)
		}
		if tb.len() != len(held) || tb.fds != fds || fds > tb.maxFDs || len(tb.due) != len(held) || tb.order.Len() != len(held) {
			t.Fatalf("table len %d fds %d, model %d %d", tb.len(), tb.fds, len(held), fds)
		}
	}
	take(tb.all(), "all")
	if len(out) != int(next) {
		t.Errorf("%d sessions left the table, %d went in", len(out), next)
	}
}
