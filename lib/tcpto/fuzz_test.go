package tcpto

import (
	"net/netip"
	"testing"
)

// FuzzTable: a table of any bytes never makes Skip, Success or Failure
// panic; an address is never skipped for more than one window; after a
// failure the address has a record with a count from 1 to 10; every
// record still decodes.
func FuzzTable(f *testing.F) {
	var tab Table
	tab.Failure(a4, now)
	tab.Failure(a6, now+200)
	f.Add(tab[:], []byte{192, 0, 2, 1}, int64(now), 7)
	f.Add(make([]byte, Size), []byte(a6.AsSlice()), int64(now), 0)
	f.Add([]byte("\xff\xff\xff"), []byte{1, 2, 3, 4}, int64(0), 31)
	f.Fuzz(func(t *testing.T, b, ab []byte, at int64, pid int) {
		var tab Table
		copy(tab[:], b)
		a, ok := netip.AddrFromSlice(ab)
		if !ok || at < 0 || at > 1<<32-1 {
			return
		}
		if skip, _ := tab.Skip(a, at, pid); skip {
			if again, _ := tab.Skip(a, at+Window(pid), pid); again {
				t.Fatalf("%v skipped at %d and again one window later", a, at)
			}
		}
		tab.Success(a)
		i := tab.Failure(a, at)
		j := tab.find(a)
		if j < 0 || (i >= 0 && i != j) {
			t.Fatalf("after Failure: changed %d, found %d", i, j)
		}
		if r := tab.Record(j); r.Count < 1 || (i >= 0 && (r.Count > MaxCount || r.Last != at)) {
			t.Fatalf("record %+v", r)
		}
		for k := range Records {
			tab.Record(k)
		}
	})
}
