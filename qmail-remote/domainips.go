package main

import (
	"net"
	"strconv"
	"strings"

	"qmail-remote-go/lib/route"
)

// source applies control/domainips for the sender (SPEC 4.8): the
// address to bind, checked here once (its %ifname must name an
// interface), and the HELO name, which replaces control/helohost.
func (d *delivery) source() *final {
	var err error
	if d.src, err = route.DomainIPs(d.cfg.domainips, d.sender); err != nil {
		return badIP(oneLine(err.Error()))
	}
	if zone := d.src.Bind.Zone(); zone != "" && !isInterface(zone) {
		return badIP(d.src.Where + ": no interface " + oneLine(zone))
	}
	if d.src.Helo != "" {
		// deliver checks it as it checks control/helohost, naming the line
		d.cfg.helohost, d.cfg.heloFile = d.src.Helo, strings.TrimPrefix(d.src.Where, "control/")
	}
	return nil
}

// badIP is sq3's report for a domainips address that cannot be used,
// and a line that says which and why.
func badIP(why string) *final {
	return temp("Invalid ipaddr in control/domainips (#4.3.0)\n%s\n", why)
}

func isInterface(zone string) bool {
	if _, err := net.InterfaceByName(zone); err == nil {
		return true
	}
	n, err := strconv.Atoi(zone)
	if err != nil || n <= 0 {
		return false
	}
	_, err = net.InterfaceByIndex(n)
	return err == nil
}
