package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestMain lets a test run authclient itself: the test binary again,
// with AUTHCLIENT_RUN set, its arguments after "--".
func TestMain(m *testing.M) {
	if os.Getenv("AUTHCLIENT_RUN") == "1" {
		for i, a := range os.Args {
			if a == "--" {
				os.Exit(run(os.Args[i+1:]))
			}
		}
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// -m prints the line a 235 gives for these credentials, reads fd 3 and
// nothing else: fd 6 keeps its bytes, fd 7 gets none.
func TestMailParam(t *testing.T) {
	for _, tc := range []struct {
		cred, out string
		exit      int
	}{
		{"user\x00secret\x00", "AUTH=user\n", 0},
		{"e=mc2+ j\x00pw\x00", "AUTH=e+3Dmc2+2B+20j\n", 0},
		{"\x00pw\x00", "ZConnected to 192.0.2.1 but the AUTH username is empty. (#4.7.0)\n\x00", 111},
		{"user\x00\x00", "ZConnected to 192.0.2.1 but the AUTH password is empty. (#4.7.0)\n\x00", 111},
		{"user", "ZConnected to 192.0.2.1 but the AUTH credentials are not in the form user NUL password NUL. (#4.7.0)\n\x00", 111},
	} {
		credR, credW, _ := os.Pipe()
		peerR, toPeer, _ := os.Pipe() // authclient's fd 6: what the peer "said"
		fromUs, peerW, _ := os.Pipe() // authclient's fd 7: what it sends
		toPeer.WriteString("220 unread\r\n")
		cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "-m")
		cmd.Env = append(os.Environ(), "AUTHCLIENT_RUN=1", "TCPREMOTEIP=192.0.2.1")
		cmd.ExtraFiles = []*os.File{credR, nil, nil, peerR, peerW}
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		credR.Close()
		peerR.Close()
		peerW.Close()
		credW.WriteString(tc.cred)
		credW.Close()
		cmd.Wait()
		if got := out.String(); got != tc.out || cmd.ProcessState.ExitCode() != tc.exit {
			t.Errorf("cred %q: fd 1 %q exit %d, want %q exit %d (fd 2 %q)", tc.cred, got, cmd.ProcessState.ExitCode(), tc.out, tc.exit, errOut.String())
		}
		if bytes.Contains(out.Bytes(), []byte("secret")) || bytes.Contains(errOut.Bytes(), []byte("secret")) {
			t.Errorf("the password came out")
		}
		sent, _ := io.ReadAll(fromUs)
		if len(sent) != 0 {
			t.Errorf("cred %q: sent %q to the peer", tc.cred, sent)
		}
		toPeer.Close()
		fromUs.Close()
	}
}

// -m with mechanisms is a usage error; nothing is read from fd 3.
func TestMailParamUsage(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "-m", "PLAIN")
	cmd.Env = append(os.Environ(), "AUTHCLIENT_RUN=1")
	cmd.WaitDelay = 5 * time.Second
	out, _ := cmd.Output()
	if want := "ZUnable to run authclient: -m takes no mechanisms. (#4.3.0)\n\x00"; string(out) != want || cmd.ProcessState.ExitCode() != 111 {
		t.Errorf("fd 1 %q exit %d", out, cmd.ProcessState.ExitCode())
	}
}
