package main

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestStageRun: how a stage ends, as run tells it.
func TestStageRun(t *testing.T) {
	sh := func(script string, limit time.Duration, max int) result {
		return stage{name: "sh", args: []string{"-c", script}, limit: limit, max: max}.run("/bin")
	}
	r := sh("echo out; echo one >&2; echo last >&2; exit 7", 10*time.Second, 100)
	if string(r.out) != "out\n" || r.said != "last" || r.exitCode() != 7 || r.why("x") != "x crashed: exit status 7" {
		t.Errorf("exit 7: %q, said %q, exit %d, %q", r.out, r.said, r.exitCode(), r.why("x"))
	}
	r = sh("kill -9 $$", 10*time.Second, 100)
	if r.exitCode() != -1 || r.why("x") != "x crashed: signal: killed" {
		t.Errorf("SIGKILL: exit %d, %q", r.exitCode(), r.why("x"))
	}
	t0 := time.Now()
	r = sh("echo started; exec sleep 30", 300*time.Millisecond, 100)
	if !r.timedOut || r.exitCode() != -1 || string(r.out) != "started\n" || time.Since(t0) > 5*time.Second {
		t.Errorf("over the limit: timed out %v, exit %d, %q after %v", r.timedOut, r.exitCode(), r.out, time.Since(t0))
	}
	r = sh("while :; do echo 0123456789; done", 10*time.Second, 1000)
	if !r.overflow || len(r.out) != 1000 {
		t.Errorf("too much output: overflow %v, %d bytes", r.overflow, len(r.out))
	}
	r = stage{name: "no-such-stage", limit: time.Second, max: 10}.run(t.TempDir())
	if r.err == nil || !strings.Contains(r.why("x"), "unable to run x: fork/exec ") {
		t.Errorf("a missing program: %v, %q", r.err, r.why("x"))
	}
}

// TestStageGrandchild: a grandchild that leaves our process group and
// keeps fd 1 open holds us waitDelay after the stage exits, not the
// stage's whole limit.
func TestStageGrandchild(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("no setsid")
	}
	defer func(d time.Duration) { waitDelay = d }(waitDelay)
	waitDelay = 300 * time.Millisecond
	t0 := time.Now()
	r := stage{name: "sh", args: []string{"-c", "echo ok; setsid sleep 5 & exit 0"}, limit: 20 * time.Second, max: 100}.run("/bin")
	if d := time.Since(t0); d > 3*time.Second || r.timedOut || r.exitCode() != 0 || string(r.out) != "ok\n" {
		t.Errorf("after %v: timed out %v, exit %d, %q", d, r.timedOut, r.exitCode(), r.out)
	}
}

// TestStageClosesItsOutput: a stage that closes fds 1 and 2 and goes on
// working is waited for (up to its limit), not killed.
func TestStageClosesItsOutput(t *testing.T) {
	dir := t.TempDir()
	r := stage{name: "sh", args: []string{"-c", "exec >&- 2>&-; sleep 0.3; touch " + dir + "/done"},
		limit: 10 * time.Second, max: 100}.run("/bin")
	if _, err := os.Stat(dir + "/done"); err != nil || r.exitCode() != 0 {
		t.Errorf("the stage did not finish its work: %v, exit %d", err, r.exitCode())
	}
	t0 := time.Now()
	r = stage{name: "sh", args: []string{"-c", "exec >&- 2>&-; exec sleep 30"}, limit: 300 * time.Millisecond, max: 100}.run("/bin")
	if !r.timedOut || time.Since(t0) > 5*time.Second {
		t.Errorf("a silent stage past its limit: timed out %v after %v", r.timedOut, time.Since(t0))
	}
}

// TestOneProc: qmail-remote itself runs on one P, unless the
// administrator set GOMAXPROCS.
func TestOneProc(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(2)
	t.Setenv("GOMAXPROCS", "2")
	oneProc()
	if n := runtime.GOMAXPROCS(0); n != 2 {
		t.Errorf("GOMAXPROCS=2 set, and qmail-remote runs on %d", n)
	}
	os.Unsetenv("GOMAXPROCS")
	oneProc()
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Errorf("GOMAXPROCS unset, and qmail-remote runs on %d", n)
	}
}
