//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// manyMode is the helper the link rows run once inside the client's
// namespace (`ip netns exec NS bench -many N QMAILREMOTE MSG`, with
// QMAILHOME in its environment): N deliveries at concurrency 20, each
// qmail-remote started from here, so no delivery pays for an `ip netns
// exec` of its own (about 45 ms of CPU, which made those rows measure
// the harness instead of the link). It prints the rate and the CPU per
// delivery of its children, in nanoseconds.
func manyMode(args []string) error {
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 {
		return fmt.Errorf("-many: bad count %q", args[0])
	}
	qr, msg := args[1], args[2]
	one := func() error {
		f, err := os.Open(msg)
		if err != nil {
			return err
		}
		defer f.Close()
		cmd := exec.Command(qr, "rtt.test", "bench@qr.test", "sink@real.test")
		cmd.Stdin = f
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Run(); err != nil {
			return err
		}
		return okReport(out.Bytes())
	}
	elapsed, cpu, fails, first := batch(20, n, one)
	if fails > 0 {
		return fmt.Errorf("%d of %d deliveries failed, first: %v", fails, n, first)
	}
	fmt.Printf("%d %d\n", elapsed.Nanoseconds(), cpu.Nanoseconds()/int64(n))
	return nil
}

// many runs manyMode in the client's namespace and reads its figures.
func (b *bench) many(home string, n int) (rate float64, cpu time.Duration, err error) {
	self, _ := os.Executable()
	cmd := exec.Command("ip", "netns", "exec", nsClient, self, "-many", strconv.Itoa(n), b.bin+"/qmail-remote", b.small)
	cmd.Env, cmd.Stderr = b.env(home), os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, 0, fmt.Errorf("-many: %v", err)
	}
	var elapsed, perDelivery int64
	if _, err := fmt.Sscan(string(out), &elapsed, &perDelivery); err != nil {
		return 0, 0, fmt.Errorf("-many printed %q", out)
	}
	return float64(n) / time.Duration(elapsed).Seconds(), time.Duration(perDelivery), nil
}
