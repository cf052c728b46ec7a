package main

import (
	"container/heap"
	"container/list"
	"time"

	"qmail-remote-go/lib/scache"
)

// A session is one idle connection the cache holds: its descriptors
// (one socket, or the read and the write end of the pipes to a detached
// tlswrap) and what came with it. The cache never reads from or writes
// to it except QUIT when it closes it.
type session struct {
	id      uint64 // unique for the life of the process: the watcher's name for it
	key     string
	proto   string         // "smtp": QUIT before closing; "qmtp": just close
	expires int64          // unix seconds: never handed out from then on
	state   []scache.Field // the state's fields, as they came: handed out with it
	fds     []int          // fds[0] is read from, fds[len-1] written to
	stored  time.Time
	due     time.Time // the earlier of stored + idle and expires

	index int           // in the table's heap
	elem  *list.Element // in the table's order of storage
}

// readFD is the descriptor the server's words (or its EOF) arrive on.
func (s *session) readFD() int { return s.fds[0] }

// writeFD is the descriptor QUIT goes to.
func (s *session) writeFD() int { return s.fds[len(s.fds)-1] }

// A table holds the idle sessions. It is not safe for concurrent use:
// one goroutine owns it (serve's loop), so a session leaves it through
// exactly one of get, expire, drop, evict or all, and only once.
type table struct {
	idle   time.Duration
	maxFDs int // the descriptors all sessions together may hold

	fds   int                   // the descriptors held now
	byKey map[string][]*session // per key, most recently stored last
	byID  map[uint64]*session
	order *list.List // every session, oldest stored first
	due   dueHeap
}

func newTable(idle time.Duration, maxFDs int) *table {
	return &table{idle: idle, maxFDs: maxFDs, byKey: map[string][]*session{}, byID: map[uint64]*session{}, order: list.New()}
}

// len is the number of sessions held.
func (t *table) len() int { return len(t.byID) }

// put stores s at now. It returns the sessions to close with QUIT: the
// oldest ones when the descriptors would exceed maxFDs (s itself when it
// alone is more than that), and s when it is already due.
func (t *table) put(s *session, now time.Time) (out []*session) {
	s.stored = now
	s.due = now.Add(t.idle)
	if exp := time.Unix(s.expires, 0); exp.Before(s.due) {
		s.due = exp
	}
	if !now.Before(s.due) || len(s.fds) > t.maxFDs {
		return []*session{s}
	}
	for t.fds+len(s.fds) > t.maxFDs {
		out = append(out, t.remove(t.order.Front().Value.(*session)))
	}
	t.fds += len(s.fds)
	t.byKey[s.key] = append(t.byKey[s.key], s)
	t.byID[s.id] = s
	s.elem = t.order.PushBack(s)
	heap.Push(&t.due, s)
	return out
}

// get takes the most recently stored session for key that is not due at
// now and that alive says is still idle and open. It returns that
// session (nil when there is none), the ones for key that were due (to
// be closed with QUIT, as expire would have at their time) and the ones
// alive found dead on the way (to be closed without QUIT).
func (t *table) get(key string, now time.Time, alive func(*session) bool) (got *session, due, dead []*session) {
	for {
		stack := t.byKey[key]
		if len(stack) == 0 {
			return nil, due, dead
		}
		s := t.remove(stack[len(stack)-1])
		switch {
		case !now.Before(s.due):
			due = append(due, s)
		case alive(s):
			return s, due, dead
		default:
			dead = append(dead, s)
		}
	}
}

// expire takes every session due at now, to be closed with QUIT.
func (t *table) expire(now time.Time) (out []*session) {
	for len(t.due) > 0 && !now.Before(t.due[0].due) {
		out = append(out, t.remove(t.due[0]))
	}
	return out
}

// next is when the next session falls due; ok is false when the table
// is empty.
func (t *table) next() (when time.Time, ok bool) {
	if len(t.due) == 0 {
		return time.Time{}, false
	}
	return t.due[0].due, true
}

// drop takes the session with this id, if the table still holds it: the
// watcher saw it readable or hung up.
func (t *table) drop(id uint64) *session {
	s := t.byID[id]
	if s == nil {
		return nil
	}
	return t.remove(s)
}

// all takes every session, oldest first.
func (t *table) all() (out []*session) {
	for t.order.Len() > 0 {
		out = append(out, t.remove(t.order.Front().Value.(*session)))
	}
	return out
}

// remove takes s out of every index and returns it.
func (t *table) remove(s *session) *session {
	stack := t.byKey[s.key]
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i] == s {
			stack = append(stack[:i], stack[i+1:]...)
			break
		}
	}
	if len(stack) == 0 {
		delete(t.byKey, s.key)
	} else {
		t.byKey[s.key] = stack
	}
	delete(t.byID, s.id)
	t.order.Remove(s.elem)
	heap.Remove(&t.due, s.index)
	t.fds -= len(s.fds)
	return s
}

// dueHeap orders sessions by when they fall due, the earliest first.
type dueHeap []*session

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *dueHeap) Push(x any) {
	s := x.(*session)
	s.index = len(*h)
	*h = append(*h, s)
}
func (h *dueHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return s
}
