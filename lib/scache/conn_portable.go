//go:build !linux || portable

package scache

import (
	"errors"
	"os"
	"time"
)

// Timeout bounds every operation of a client on the cache's socket.
const Timeout = 2 * time.Second

// Supported tells whether this system has a session cache: qmail-scache
// needs SO_PEERCRED to know who connects, which is Linux's; elsewhere
// there is no cache and qmail-remote connects afresh every time.
const Supported = false

var errUnsupported = errors.New("scache: no session cache on this system")

// A Client is one connection to the cache; there is none here.
type Client struct{}

func Dial(path string) (*Client, error)            { return nil, errUnsupported }
func FromFD(fd int) *Client                        { return nil }
func PeerUID(fd int) (int, error)                  { return -1, errUnsupported }
func (c *Client) Get(key string) (*Session, error) { return nil, errUnsupported }
func (c *Client) Put(key, proto string, expires int64, st State, files ...*os.File) error {
	return errUnsupported
}
func (c *Client) File() (*os.File, error)           { return nil, errUnsupported }
func (c *Client) Close() error                      { return nil }
func Send(fd int, b []byte, files []*os.File) error { return errUnsupported }
func Recv(fd int) (Record, []*os.File, error)       { return Record{}, nil, errUnsupported }
func ParseRights(oob []byte) ([]*os.File, error)    { return nil, errUnsupported }
func ParseFDs(oob []byte) ([]int, error)            { return nil, errUnsupported }
func CloseFDs(fds []int)                            {}

// Quiet: without a cache there is no idle session to ask about.
func Quiet(fd int) bool { return true }
