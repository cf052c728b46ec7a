package tcpto

import (
	"errors"
	"net/netip"
	"os"
	"syscall"
)

// Path is the table's file, relative to the qmail home.
const Path = "queue/lock/tcpto"

// ErrSize means the file is not Size bytes long: qmail-remote then
// neither checks nor records anything (qmail-tcpok makes it right).
var ErrSize = errors.New("tcpto is not 1024 bytes long")

// A File is the table file, open and locked.
type File struct {
	f *os.File
	T Table
}

// Open opens the table at path for reading and writing, takes an
// exclusive flock (waiting for it) and reads it. The file must exist:
// it is never created here.
func Open(path string) (*File, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	tf := &File{f: f}
	if err := tf.lockRead(); err != nil {
		f.Close()
		return nil, err
	}
	return tf, nil
}

func (tf *File) lockRead() error {
	if err := syscall.Flock(int(tf.f.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	st, err := tf.f.Stat()
	if err != nil {
		return err
	}
	if st.Size() != Size {
		return ErrSize
	}
	_, err = tf.f.ReadAt(tf.T[:], 0)
	return err
}

// Write writes record i back (i < 0: nothing changed).
func (tf *File) Write(i int) error {
	if i < 0 {
		return nil
	}
	_, err := tf.f.WriteAt(tf.T[i*RecordSize:(i+1)*RecordSize], int64(i*RecordSize))
	return err
}

// Reset writes a table of zeros over the file at path under the lock,
// and cuts it to Size bytes: it repairs a file of the wrong size too.
// The file must exist (it belongs to the user qmail-remote runs as).
func Reset(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	if _, err := f.WriteAt(make([]byte, Size), 0); err != nil {
		return err
	}
	return f.Truncate(Size)
}

// Close releases the lock.
func (tf *File) Close() error { return tf.f.Close() }

// Check is Table.Skip on the file at path. Any failure to use the file
// (missing, wrong size, unreadable) means "try the address".
func Check(path string, a netip.Addr, now int64, pid int) (skip, found bool) {
	tf, err := Open(path)
	if err != nil {
		return false, false
	}
	defer tf.Close()
	return tf.T.Skip(a, now, pid)
}

// Connected records that a connection to a was made; found is what
// Check said. Without a record there is nothing to do (qmail does not
// open the file then).
func Connected(path string, a netip.Addr, found bool) {
	if !found {
		return
	}
	update(path, func(t *Table) int { return t.Success(a) })
}

// Failed records a connect timeout or refusal of a.
func Failed(path string, a netip.Addr, now int64) {
	update(path, func(t *Table) int { return t.Failure(a, now) })
}

// update applies change to the table under the lock; failures are
// ignored, as qmail ignores them: the table is an optimisation.
func update(path string, change func(*Table) int) {
	tf, err := Open(path)
	if err != nil {
		return
	}
	defer tf.Close()
	tf.Write(change(&tf.T))
}
