//go:build linux && !portable

package main

import "syscall"

// A watcher tells the cache when an idle session's read descriptor
// becomes readable or hangs up: the server sent something (421) or
// closed, and the session is of no more use. It is one epoll instance
// of its own and one goroutine waiting on it, so that Go's poller never
// holds the sessions' descriptors (and never changes their O_NONBLOCK,
// which the holders of their other copies share).
type watcher struct{ ep int }

func newWatcher() (*watcher, error) {
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return &watcher{ep}, nil
}

// add watches s until remove; one event at most (EPOLLONESHOT), named
// by s.id, which no other session ever has. False: it cannot be
// watched.
func (w *watcher) add(s *session) bool {
	ev := syscall.EpollEvent{
		Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT,
		Fd:     int32(uint32(s.id)),
		Pad:    int32(uint32(s.id >> 32)),
	}
	return syscall.EpollCtl(w.ep, syscall.EPOLL_CTL_ADD, s.readFD(), &ev) == nil
}

// remove stops watching s (nothing when it was not watched). It must
// come before the descriptor is closed or handed on: epoll forgets a
// descriptor only when every copy of it is closed.
func (w *watcher) remove(s *session) {
	syscall.EpollCtl(w.ep, syscall.EPOLL_CTL_DEL, s.readFD(), nil)
}

// run sends the id of every session that woke to dead, for ever. An
// event of a session the table no longer holds is harmless: the table
// ignores ids it does not know.
func (w *watcher) run(dead chan<- uint64) {
	events := make([]syscall.EpollEvent, 64)
	for {
		n, err := syscall.EpollWait(w.ep, events, -1)
		if err != nil {
			continue // EINTR; the descriptor is ours, nothing else fails
		}
		for _, e := range events[:n] {
			dead <- uint64(uint32(e.Fd)) | uint64(uint32(e.Pad))<<32
		}
	}
}
