package dns

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"strings"
)

// ResolvConf is where the servers are read from when $DNSCACHEIP is unset.
const ResolvConf = "/etc/resolv.conf"

// MaxServers bounds the server list, as djbdns does.
const MaxServers = 16

// A ConfError is a local configuration problem: a variable or file that
// cannot be read or parsed. Reason is short and has no file name in it.
type ConfError struct {
	What   string // "$DNSCACHEIP" or the file name
	Read   bool   // the file could not be read (else: not parsed)
	Reason string
}

func (e *ConfError) Error() string {
	if e.Read {
		return "unable to read " + e.What + ": " + e.Reason
	}
	return "unable to parse " + e.What + ": " + e.Reason
}

// Servers returns the servers named by dnscacheip (the value of
// $DNSCACHEIP: addresses separated by spaces or commas, each optionally
// with a port as ip:port or [ipv6]:port) when it is not blank; else the
// nameserver lines of the file resolvConf; else 127.0.0.1, as djbdns and
// the C library do when that file does not exist or names none.
func Servers(dnscacheip, resolvConf string) ([]netip.AddrPort, error) {
	if strings.TrimSpace(strings.ReplaceAll(dnscacheip, ",", " ")) != "" {
		return parseServers(dnscacheip)
	}
	b, err := os.ReadFile(resolvConf)
	if errors.Is(err, fs.ErrNotExist) {
		return local(), nil
	}
	if err != nil {
		var pe *fs.PathError
		reason := err.Error()
		if errors.As(err, &pe) {
			reason = pe.Err.Error()
		}
		return nil, &ConfError{What: resolvConf, Read: true, Reason: reason}
	}
	servers := nameservers(b)
	if len(servers) == 0 {
		return local(), nil
	}
	return servers, nil
}

func local() []netip.AddrPort {
	return []netip.AddrPort{netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), 53)}
}

func parseServers(s string) ([]netip.AddrPort, error) {
	var out []netip.AddrPort
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		ap, err := netip.ParseAddrPort(f)
		if err != nil {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, &ConfError{What: "$DNSCACHEIP", Reason: fmt.Sprintf("not an address: %.40q", f)}
			}
			ap = netip.AddrPortFrom(a, 53)
		}
		if len(out) < MaxServers {
			out = append(out, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()))
		}
	}
	return out, nil
}

// nameservers reads the "nameserver ADDRESS" lines of resolv.conf(5);
// lines it cannot use are skipped, as the C library does.
func nameservers(b []byte) []netip.AddrPort {
	var out []netip.AddrPort
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "nameserver" {
			continue
		}
		if a, err := netip.ParseAddr(f[1]); err == nil && len(out) < MaxServers {
			out = append(out, netip.AddrPortFrom(a.Unmap(), 53))
		}
	}
	return out
}
