package fdio

import (
	"os"
	"os/exec"
	"slices"
	"syscall"
)

// Start starts cmd, which gets among its files (Stdin, Stdout, Stderr,
// ExtraFiles) the files in shared: files of ours that we go on using
// once the child is done with them (a Conn's). It keeps shared's
// non-blocking mode, and with it their deadlines.
//
// exec.Cmd takes every *os.File it hands on by its Fd method, and Fd
// puts a descriptor that Go itself made non-blocking (os.Pipe's ends,
// say) into blocking mode for good: a Conn on it then waits in read(2)
// with no deadline, and a peer that stops answering holds the program
// for ever (issue 17, item 6: smtpclient after authclient exited early
// on the TLS pipes). So the child gets duplicates of shared, made so
// that Fd leaves their mode alone, closed again here once the child
// has started; cmd gets the caller's files back. The other files go as
// exec.Cmd hands them: blocking, as a child expects its descriptors
// (the child's own ends of pipes, say, which we close anyway).
//
// The mode (O_NONBLOCK) belongs to the open file description, which the
// child shares and may change as it likes. reclaim, called once the
// child has exited, sets O_NONBLOCK again on every file of shared that
// had it when Start was called.
func Start(cmd *exec.Cmd, shared ...*os.File) (reclaim func(), err error) {
	var lent []*os.File // files of shared that were non-blocking
	var dups []*os.File
	swap := func(f *os.File) *os.File {
		if f == nil || err != nil || !slices.Contains(shared, f) {
			return f
		}
		d, nonblock, e := lend(f)
		if e != nil {
			err = e
			return f
		}
		if nonblock {
			lent = append(lent, f)
		}
		dups = append(dups, d)
		return d
	}
	stdin, stdout, stderr := cmd.Stdin, cmd.Stdout, cmd.Stderr
	extra := cmd.ExtraFiles
	if f, ok := stdin.(*os.File); ok {
		cmd.Stdin = swap(f)
	}
	if f, ok := stdout.(*os.File); ok {
		cmd.Stdout = swap(f)
	}
	if f, ok := stderr.(*os.File); ok {
		cmd.Stderr = swap(f)
	}
	cmd.ExtraFiles = make([]*os.File, len(extra))
	for i, f := range extra {
		cmd.ExtraFiles[i] = swap(f)
	}
	if err == nil {
		err = cmd.Start()
	}
	for _, d := range dups {
		d.Close()
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr, cmd.ExtraFiles = stdin, stdout, stderr, extra
	return func() {
		for _, f := range lent {
			if rc, e := f.SyscallConn(); e == nil {
				rc.Control(func(fd uintptr) { syscall.SetNonblock(int(fd), true) })
			}
		}
	}, err
}

// lend returns a close-on-exec duplicate of f's descriptor for a child,
// whose Fd does not change the mode, and whether f is non-blocking. f's
// own descriptor is reached through SyscallConn, never Fd.
func lend(f *os.File) (dup *os.File, nonblock bool, err error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, false, err
	}
	nfd := -1
	var e error
	syscall.ForkLock.RLock()
	cerr := rc.Control(func(fd uintptr) {
		if nfd, e = syscall.Dup(int(fd)); e == nil {
			syscall.CloseOnExec(nfd)
		}
	})
	syscall.ForkLock.RUnlock()
	if cerr != nil {
		return nil, false, cerr
	}
	if e != nil {
		return nil, false, &os.PathError{Op: "dup", Path: f.Name(), Err: e}
	}
	// os.NewFile on a descriptor that is non-blocking already leaves its
	// Fd alone (it only undoes what it did itself); on a blocking one Fd
	// has nothing to undo.
	dup = os.NewFile(uintptr(nfd), f.Name())
	return dup, isNonblock(dup), nil
}
