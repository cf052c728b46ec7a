//go:build linux

package main

import (
	"strings"
	"testing"
)

// TestSplit: each sample goes to the first category on its stack, per
// command name, in ms per run.
func TestSplit(t *testing.T) {
	in := `qmail-remote 100  1.000001:     100000 cpu-clock: 
	ffffffff81000000 clear_page_erms+0x10 ([kernel.kallsyms])
	          401000 runtime.mallocgc+0x20 (/bin/qr)
	          402000 main.(*delivery).run+0x5 (/bin/qr)
	          403000 main.main+0x9 (/bin/qr)
	          404000 runtime.main+0x1 (/bin/qr)

qmail-remote 100  1.000002:     100000 cpu-clock: 
	          405000 runtime.usleep.abi0+0x3 (/bin/qr)
	          406000 runtime.sysmon+0x7 (/bin/qr)

qmail-remote 100  1.000003:     100000 cpu-clock: 
	          407000 runtime.futex.abi0+0x3 (/bin/qr)

smtpclient 101  1.000004:     100000 cpu-clock: 
	ffffffff81000100 do_execveat_common.isra.0+0x1 ([kernel.kallsyms])
	ffffffff81000200 __x64_sys_execve+0x2 ([kernel.kallsyms])
`
	var out strings.Builder
	if err := split(strings.NewReader(in), 2, 1000, &out); err != nil {
		t.Fatal(err)
	}
	want := `qmail-remote: 1.50 ms per run
    0.50 ms  `
	got := out.String()
	if !strings.HasPrefix(got, want) {
		t.Fatalf("got\n%s", got)
	}
	for _, line := range []string{
		"0.50 ms  our code (main.main and below)",
		"0.50 ms  sysmon (the runtime's monitor thread)",
		"0.50 ms  other runtime (scheduler, network poller, stack growth, its system calls)",
		"smtpclient: 0.50 ms per run",
		"0.50 ms  exec and exit (kernel)",
	} {
		if !strings.Contains(got, line) {
			t.Errorf("no %q in\n%s", line, got)
		}
	}
}
