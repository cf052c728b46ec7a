package scache

import "os"

// A Session is an idle session as the cache hands it out: its state
// and its descriptors, one socket (read and write) or the read and the
// write end of the pipes to its tlswrap.
type Session struct {
	State State
	Files []*os.File
}

// Close closes the session's descriptors. For a session that is not
// used, that ends it: a socket closes, a tlswrap sees the end of its
// pipes and sends close_notify.
func (s *Session) Close() {
	if s != nil {
		closeAll(s.Files)
		s.Files = nil
	}
}

// Read and Write are the session's descriptors for fds 6 and 7.
func (s *Session) Read() *os.File  { return s.Files[0] }
func (s *Session) Write() *os.File { return s.Files[len(s.Files)-1] }

func closeAll(files []*os.File) {
	for _, f := range files {
		if f != nil {
			f.Close()
		}
	}
}
