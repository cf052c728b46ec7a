// Stsfetch fetches a domain's MTA-STS policy (RFC 8461 3.3) over the
// connection on descriptors 6 and 7, which tlswrap -i has made HTTPS,
// and prints it in canonical form. It is the only program of the
// pipeline that speaks HTTP. See stsfetch.8.
package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"qmail-remote-go/lib/fdio"
	"qmail-remote-go/lib/mtasts"
	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/version"
)

const usage = "usage: stsfetch domain"

func main() {
	// A dead peer or a closed fd 1 must give EPIPE, not kill us.
	signal.Ignore(syscall.SIGPIPE)
	os.Exit(run(os.Args[1:], os.Stdout))
}

// run fetches and prints. Exit codes (stsfetch.8): 0 the policy is on
// stdout; 100 the server gave a definite answer that is no policy (a
// status other than 200, an invalid policy); 111 a temporary failure
// (the connection, a timeout). Either failure prints one line saying
// why.
func run(args []string, stdout io.Writer) int {
	if len(args) != 1 || !mtasts.IsDomain(strings.TrimSuffix(args[0], ".")) {
		fmt.Fprintln(os.Stderr, version.Usage(usage))
		return 100
	}
	domain := strings.ToLower(strings.TrimSuffix(args[0], "."))
	timeout, err := fdio.TimeoutRemote()
	if err != nil {
		fmt.Fprintln(os.Stderr, "stsfetch: fatal: "+err.Error())
		return 100
	}
	conn, err := fdio.Open(6, 7, timeout)
	if err != nil {
		fmt.Fprintln(stdout, "unable to use network fds 6/7: "+report.Printable(err.Error()))
		return 111
	}
	defer conn.Close()
	// The whole fetch ends within TIMEOUTREMOTE: a server that sends a
	// byte just before each read's timeout does not hold us longer.
	deadline := time.AfterFunc(timeout, func() { conn.Close() })
	defer deadline.Stop()
	body, code, err := get(conn, "mta-sts."+domain)
	if err == nil {
		var p mtasts.Policy
		if p, err = mtasts.ParsePolicy(body); err == nil {
			if _, err := stdout.Write(p.Bytes()); err != nil {
				return 111
			}
			return 0
		}
		err, code = fmt.Errorf("invalid policy: %v", err), 100
	}
	fmt.Fprintf(stdout, "mta-sts.%s: %s\n", domain, report.Printable(err.Error()))
	return code
}
