package main

import (
	"bytes"
	"net/netip"
	"testing"

	"qmail-remote-go/lib/tcpto"
)

func TestPrint(t *testing.T) {
	var tab tcpto.Table
	tab.Failure(netip.MustParseAddr("192.0.2.1"), 1000)
	tab.Failure(netip.MustParseAddr("2001:0db8:0:0::1"), 1000)
	tab.Failure(netip.MustParseAddr("2001:db8::1"), 1500)
	tab.Failure(netip.MustParseAddr("192.0.2.2"), 1000)
	tab.Success(netip.MustParseAddr("192.0.2.2"))
	tab[5*tcpto.RecordSize+4] = 1 // a count without a family: not an address
	var out bytes.Buffer
	list(&out, &tab, 2000)
	want := "192.0.2.1 timed out 1000 seconds ago; # recent timeouts: 1\n2001:db8::1 timed out 500 seconds ago; # recent timeouts: 2\n"
	if out.String() != want {
		t.Errorf("got %q\nwant %q", out.String(), want)
	}
	if run([]string{"x"}, &out, &out, 0) != 100 {
		t.Error("an argument is no usage error")
	}
}
