//go:build linux

package main

// -split: where the CPU of a process goes, from `perf script` output of
// a `perf record -g -e cpu-clock` run (issue 12, item 3: the remaining
// cost, measured). Each sample is put in the first category whose
// function is on its stack; the figures are milliseconds per run of
// each program (command name), so a delivery's programs can be held
// against the floor's (bench/README.md has the procedure).

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// splitOrder: the categories, first match wins (main.main before the
// runtime, so the runtime work our code asks for counts as ours).
var splitOrder = []struct{ name, fn string }{
	{"our code (main.main and below)", "main.main"},
	{"package initialisers", "runtime.doInit1"},
	{"sysmon (the runtime's monitor thread)", "runtime.sysmon"},
	{"runtime start (schedinit: CPU features, heap, cgroup, environment)", "runtime.schedinit"},
	{"GC", "runtime.gcBgMarkWorker"},
	{"threads and goroutines", "runtime.newm"},
	{"threads and goroutines", "runtime.mstart1"},
	{"threads and goroutines", "runtime.newproc"},
	{"exec and exit (kernel)", "do_execveat_common"},
	{"exec and exit (kernel)", "do_exit"},
	{"exec and exit (kernel)", "exit_mmap"},
}

// split reads perf script output from r; runs is how many times each
// program ran, hz the sampling frequency (perf record -F).
func split(r io.Reader, runs, hz int, w io.Writer) error {
	per := map[string]map[string]int{} // comm -> category -> samples
	total := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	comm, category := "", ""
	flush := func() {
		if comm == "" {
			return
		}
		if category == "" {
			category = "other runtime (scheduler, network poller, stack growth, its system calls)"
		}
		if per[comm] == nil {
			per[comm] = map[string]int{}
		}
		per[comm][category]++
		total[comm]++
		comm, category = "", ""
	}
	rank := len(splitOrder)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			flush()
		case line[0] != ' ' && line[0] != '\t': // a sample's header: comm first
			flush()
			comm, rank = strings.Fields(line)[0], len(splitOrder)
		default: // a frame: address, symbol+offset, (object)
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			sym, _, _ := strings.Cut(f[1], "+0x")
			sym = strings.TrimSuffix(sym, ".isra.0") // a kernel symbol's clone
			for i, o := range splitOrder[:rank] {
				if sym == o.fn {
					category, rank = o.name, i
					break
				}
			}
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return err
	}
	comms := make([]string, 0, len(total))
	for c := range total {
		comms = append(comms, c)
	}
	sort.Slice(comms, func(i, j int) bool { return total[comms[i]] > total[comms[j]] })
	ms := func(n int) float64 { return float64(n) / float64(runs) / float64(hz) * 1000 }
	for _, c := range comms {
		fmt.Fprintf(w, "%s: %.2f ms per run\n", c, ms(total[c]))
		cats := make([]string, 0, len(per[c]))
		for k := range per[c] {
			cats = append(cats, k)
		}
		sort.Slice(cats, func(i, j int) bool { return per[c][cats[i]] > per[c][cats[j]] })
		for _, k := range cats {
			fmt.Fprintf(w, "  %6.2f ms  %s\n", ms(per[c][k]), k)
		}
	}
	return nil
}

// splitMode is `bench -split FILE RUNS HZ`.
func splitMode(args []string) error {
	runs, err1 := strconv.Atoi(args[1])
	hz, err2 := strconv.Atoi(args[2])
	if err1 != nil || err2 != nil || runs <= 0 || hz <= 0 {
		return fmt.Errorf("usage: bench -split PERF_SCRIPT_OUTPUT RUNS HZ")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	return split(f, runs, hz, os.Stdout)
}
