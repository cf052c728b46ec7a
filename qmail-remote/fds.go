package main

import "syscall"

// inheritNothing marks every descriptor above 2 close-on-exec, at start,
// before anything of ours is open: a descriptor that qmail-rspawn, a
// shell or a test harness left open would otherwise go on to every stage
// (syscall.ForkExec and os/exec close only what they are told to), and
// from smtpclient to tlswrap and authclient. qmail-remote itself uses
// none of them. Marked, not closed: the Go runtime may already hold a
// descriptor of its own (close-on-exec anyway), which closing would
// break. cloexecFrom3 is the cheap way where the system has one
// (fds_linux.go); the walk below is the portable one.
func inheritNothing() {
	if !cloexecFrom3() {
		cloexecWalk()
	}
}

// cloexecWalk marks descriptors 3 and up close-on-exec one by one.
func cloexecWalk() {
	// Up to the descriptor limit, at most 65536 (a descriptor beyond
	// that was not left to us by accident; RLIM_INFINITY would be
	// endless).
	limit := 1024
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil {
		limit = int(min(rl.Cur, 1<<16))
	}
	for fd := 3; fd < limit; fd++ {
		syscall.CloseOnExec(fd) // EBADF on a closed one: nothing to do
	}
}
