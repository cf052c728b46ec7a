// Mxlookup prints the addresses to deliver mail for a domain to, best
// first, for qmail-remote. See mxlookup.8.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"qmail-remote-go/lib/dns"
	"qmail-remote-go/lib/idna"
	"qmail-remote-go/lib/literal"
	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/version"
)

const usage = "usage: mxlookup [-a] [-t port] name"

// defaultDeadline bounds a whole run: every query together (mxlookup.8).
const defaultDeadline = 60 * time.Second

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("mxlookup", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addrOnly := fs.Bool("a", false, "")
	port := fs.Int("t", 0, "")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 || fs.Arg(0) == "" || *port < 0 || *port > 65535 {
		fmt.Fprintln(stderr, version.Usage(usage))
		return 100
	}
	cands, f := resolve(fs.Arg(0), *addrOnly, *port, getenv)
	w := bufio.NewWriter(stdout)
	code := 0
	if f != nil {
		fmt.Fprintln(w, f.text)
		code = f.code
	}
	if *port != 0 {
		writeDANE(w, cands)
	} else {
		for _, c := range cands {
			fmt.Fprintf(w, "%d %s %s\n", c.pref, c.addr, c.host)
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(stderr, "mxlookup: fatal: unable to write output: %v\n", err)
		return 111
	}
	return code
}

// resolve returns the candidates for name. A literal needs no DNS and no
// configuration (SPEC 3.2).
func resolve(name string, addrOnly bool, port int, getenv func(string) string) ([]candidate, *failure) {
	if a, ok := literal.Parse(name); ok {
		return []candidate{{0, a, report.Safe(name), security{}}}, nil
	}
	// RFC 5890: DNS holds internationalized names as A-labels. A name
	// that is not valid IDNA 2008 never becomes a query. ASCII names go
	// to DNS as they are, as before.
	if !idna.IsASCII(name) {
		a, err := idna.ToASCII(name)
		if err != nil {
			return nil, &failure{100, fmt.Sprintf("Sorry, %s is not a valid internationalized domain name: %s. (#5.1.2)",
				report.Safe(name), report.Printable(err.Error()))}
		}
		name = a
	}
	r, err := newResolver(getenv)
	if err != nil {
		return nil, local(err)
	}
	return lookup(r, name, addrOnly, port)
}

// newResolver reads the servers from $DNSCACHEIP or /etc/resolv.conf
// (SPEC D19) and the time limit from $MXLOOKUP_DEADLINE.
func newResolver(getenv func(string) string) (*dns.Resolver, error) {
	servers, err := dns.Servers(getenv("DNSCACHEIP"), dns.ResolvConf)
	if err != nil {
		return nil, err
	}
	limit := defaultDeadline
	if s := getenv("MXLOOKUP_DEADLINE"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > int(defaultDeadline/time.Second) {
			return nil, &dns.ConfError{What: "$MXLOOKUP_DEADLINE", Reason: "not a number of seconds from 1 to 60"}
		}
		limit = time.Duration(n) * time.Second
	}
	return &dns.Resolver{Servers: servers, Deadline: time.Now().Add(limit)}, nil
}
