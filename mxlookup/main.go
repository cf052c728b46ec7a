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
	"strings"
	"time"

	"qmail-remote-go/lib/dns"
	"qmail-remote-go/lib/idna"
	"qmail-remote-go/lib/literal"
	"qmail-remote-go/lib/mtasts"
	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/version"
)

const usage = "usage: mxlookup [-a | -s] [-t port] name"

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
	sts := fs.Bool("s", false, "")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 || fs.Arg(0) == "" || *port < 0 || *port > 65535 || *addrOnly && *sts {
		fmt.Fprintln(stderr, version.Usage(usage))
		return 100
	}
	cands, id, f := resolve(fs.Arg(0), *addrOnly, *sts, *port, getenv)
	w := bufio.NewWriter(stdout)
	code := 0
	if f != nil {
		fmt.Fprintln(w, f.text)
		code = f.code
	} else if id != "" {
		fmt.Fprintf(w, "mta-sts %s\n", id)
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
// configuration (SPEC 3.2). With sts, it also looks up the MTA-STS TXT
// record of name at the same time (SPEC D31) and returns its id, "" when
// there is none or the lookup failed.
func resolve(name string, addrOnly, sts bool, port int, getenv func(string) string) ([]candidate, string, *failure) {
	if a, ok := literal.Parse(name); ok {
		return []candidate{{0, a, report.Safe(name), security{}}}, "", nil
	}
	// RFC 5890: DNS holds internationalized names as A-labels. A name
	// that is not valid IDNA 2008 never becomes a query. ASCII names go
	// to DNS as they are, as before.
	if !idna.IsASCII(name) {
		a, err := idna.ToASCII(name)
		if err != nil {
			return nil, "", &failure{100, fmt.Sprintf("Sorry, %s is not a valid internationalized domain name: %s. (#5.1.2)",
				report.Safe(name), report.Printable(err.Error()))}
		}
		name = a
	}
	r, err := newResolver(getenv)
	if err != nil {
		return nil, "", local(err)
	}
	var id chan string
	if sts {
		id = make(chan string, 1)
		go func() { id <- stsID(r, name) }()
	}
	cands, f := lookup(r, name, addrOnly, port)
	if id == nil {
		return cands, "", f
	}
	return cands, <-id, f
}

// stsID returns the id of the MTA-STS TXT record of name (RFC 8461
// 3.1), "" when there is none, it is not valid, or the lookup failed:
// qmail-remote then goes by its cache alone. It runs beside the MX
// lookup, so it adds no time to a delivery but its own query's.
func stsID(r *dns.Resolver, name string) string {
	txts, _, err := r.LookupTXT("_mta-sts." + strings.TrimSuffix(name, "."))
	if err != nil {
		return ""
	}
	id, _ := mtasts.SelectTXT(txts)
	return id
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
