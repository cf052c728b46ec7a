//go:build linux && !portable

package scache

import (
	"errors"
	"os"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

// Timeout bounds every operation of a client on the cache's socket: a
// cache that hangs costs a delivery this much, and then counts as none.
const Timeout = 2 * time.Second

// A Client is one connection to the cache. Its records go one by one:
// Get waits for its answer, Put does not have one.
type Client struct{ fd int }

// Dial connects to the cache at path and checks that the program
// listening there runs as our own user (SO_PEERCRED): a cache of
// another user is no cache. Any error means: go on without one.
func Dial(path string) (*Client, error) {
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	c := &Client{fd}
	if err := c.setTimeouts(); err != nil {
		c.Close()
		return nil, err
	}
	for {
		err = syscall.Connect(fd, &syscall.SockaddrUnix{Name: path})
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	uid, err := PeerUID(fd)
	if err == nil && uid != os.Geteuid() {
		err = errors.New("scache: the cache at " + path + " runs as uid " + strconv.Itoa(uid) + ", not ours")
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Client) setTimeouts() error {
	tv := syscall.NsecToTimeval(int64(Timeout))
	if err := syscall.SetsockoptTimeval(c.fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv); err != nil {
		return err
	}
	return syscall.SetsockoptTimeval(c.fd, syscall.SOL_SOCKET, syscall.SO_SNDTIMEO, &tv)
}

// PeerUID is the user id of the process at the other end of the UNIX
// socket fd (for a client, the cache's when it listened; for the
// cache, the client's when it connected).
func PeerUID(fd int) (int, error) {
	cred, err := syscall.GetsockoptUcred(fd, syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	if err != nil {
		return -1, err
	}
	return int(cred.Uid), nil
}

// FromFD is the connection a parent handed on as descriptor fd
// (smtpclient's SESSIONFD). It keeps the parent's timeouts, which
// belong to the socket. The descriptor becomes close-on-exec: it is
// for this program only.
func FromFD(fd int) *Client {
	syscall.CloseOnExec(fd)
	return &Client{fd}
}

// Get asks for an idle session made under key: nil and no error when
// the cache has none. The descriptors of a session are close-on-exec.
func (c *Client) Get(key string) (*Session, error) {
	s, err := c.get(key)
	if err != nil {
		// An answer that comes late would be read as the answer to the
		// next question, and hand a session to the wrong key: a
		// connection that failed once is used no more.
		c.Close()
	}
	return s, err
}

func (c *Client) get(key string) (*Session, error) {
	if c.fd < 0 {
		return nil, errClosed
	}
	if err := c.send(Record{Kind: KindGet, Fields: []Field{{"key", key}}}, nil); err != nil {
		return nil, err
	}
	r, files, err := Recv(c.fd)
	if err != nil {
		return nil, err
	}
	switch {
	case r.Kind == KindNone && len(files) == 0:
		return nil, nil
	case r.Kind == KindSession && (len(files) == 1 || len(files) == 2):
		st, err := stateOf(r.Fields)
		if err == nil {
			return &Session{State: st, Files: files}, nil
		}
	}
	closeAll(files)
	return nil, errMalformed
}

var errClosed = errors.New("scache: the connection to the cache is closed")

// Put hands a session back: its descriptors (one socket, or the read
// and the write end of the pipes to its tlswrap), made under key, to be
// handed out no later than expires (Unix seconds). The cache has its
// own copies once Put returns; the caller closes its own.
func (c *Client) Put(key, proto string, expires int64, st State, files ...*os.File) error {
	if len(files) != 1 && len(files) != 2 {
		return errors.New("scache: a session is one or two descriptors")
	}
	return c.send(PutRecord(key, proto, expires, st), files)
}

func (c *Client) send(r Record, files []*os.File) error {
	b, err := r.Marshal()
	if err != nil {
		return err
	}
	return Send(c.fd, b, files)
}

// File is a duplicate of the connection for a child's descriptor
// (SESSIONFD); it is close-on-exec here, as every file of ours.
func (c *Client) File() (*os.File, error) {
	fd, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(c.fd), syscall.F_DUPFD_CLOEXEC, 0)
	if e != 0 {
		return nil, e
	}
	return os.NewFile(fd, "scache"), nil
}

// Close closes the connection.
func (c *Client) Close() error {
	if c == nil || c.fd < 0 {
		return nil
	}
	err := syscall.Close(c.fd)
	c.fd = -1
	return err
}

// Send sends one record b with files' descriptors (none for nil) on
// the SOCK_SEQPACKET socket fd, in one message.
func Send(fd int, b []byte, files []*os.File) error {
	var oob []byte
	if len(files) > 0 {
		fds := make([]int, len(files))
		for i, f := range files {
			fds[i] = int(f.Fd())
		}
		oob = syscall.UnixRights(fds...)
	}
	for {
		err := syscall.Sendmsg(fd, b, oob, nil, syscall.MSG_NOSIGNAL)
		if err != syscall.EINTR {
			return err
		}
	}
}

// Recv receives one record on the SOCK_SEQPACKET socket fd, with the
// descriptors that came with it (close-on-exec). End of file, a
// truncated record or truncated descriptors are errors, and whatever
// descriptors came are closed.
func Recv(fd int) (Record, []*os.File, error) {
	buf := make([]byte, MaxRecord+1)
	oob := make([]byte, syscall.CmsgSpace(4*4))
	var n, oobn, flags int
	var err error
	for {
		n, oobn, flags, _, err = syscall.Recvmsg(fd, buf, oob, syscall.MSG_CMSG_CLOEXEC)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return Record{}, nil, err
	}
	files, ferr := ParseRights(oob[:oobn])
	switch {
	case ferr != nil:
		err = ferr
	case flags&(syscall.MSG_TRUNC|syscall.MSG_CTRUNC) != 0:
		err = errTooLong
	case n == 0:
		err = errEOF
	}
	if err != nil {
		closeAll(files)
		return Record{}, nil, err
	}
	r, err := ParseRecord(buf[:n])
	if err != nil {
		closeAll(files)
		return Record{}, nil, err
	}
	return r, files, nil
}

var errEOF = errors.New("scache: the other end closed the connection")

// ParseRights takes the descriptors out of a message's control data.
func ParseRights(oob []byte) ([]*os.File, error) {
	fds, err := ParseFDs(oob)
	if err != nil {
		return nil, err
	}
	var files []*os.File
	for _, fd := range fds {
		files = append(files, os.NewFile(uintptr(fd), "session"))
	}
	return files, nil
}

// ParseFDs takes the descriptors out of a message's control data as
// plain numbers, close-on-exec: what qmail-scache keeps, so that Go's
// poller never registers them and nothing changes their O_NONBLOCK
// (which the holders of the other copies share). On an error every
// descriptor that came is closed.
func ParseFDs(oob []byte) ([]int, error) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, err
	}
	var fds []int
	for _, m := range msgs {
		if m.Header.Level != syscall.SOL_SOCKET || m.Header.Type != syscall.SCM_RIGHTS {
			continue
		}
		got, err := syscall.ParseUnixRights(&m)
		fds = append(fds, got...)
		if err != nil {
			CloseFDs(fds)
			return nil, err
		}
	}
	for _, fd := range fds {
		syscall.CloseOnExec(fd) // MSG_CMSG_CLOEXEC did; a net.UnixConn reader may not have
	}
	return fds, nil
}

// CloseFDs closes every descriptor of fds.
func CloseFDs(fds []int) {
	for _, fd := range fds {
		syscall.Close(fd)
	}
}

// Supported tells whether this system has a session cache.
const Supported = true

// Quiet tells whether an idle session's read descriptor fd has nothing
// to read and no hang-up: a ppoll with a zero timeout, which reads
// nothing. A server that closed the session or said 421 while it was
// idle makes it readable. qmail-scache asks before it hands a session
// out, smtpclient once more before it writes to one.
func Quiet(fd int) bool {
	const pollIn, pollRDHup = 0x1, 0x2000
	pfd := struct {
		fd             int32
		events, revent int16
	}{int32(fd), pollIn | pollRDHup, 0}
	var ts syscall.Timespec
	for {
		n, _, e := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&pfd)), 1, uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		if e == syscall.EINTR {
			continue
		}
		return e == 0 && n == 0
	}
}
