package tcpto

import (
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

var (
	a4 = netip.MustParseAddr("192.0.2.1")
	a6 = netip.MustParseAddr("2001:db8::1")
)

const now = 1_700_000_000

func TestRecordLayout(t *testing.T) {
	var tab Table
	i := tab.Failure(a6, now)
	b := tab[i*RecordSize : (i+1)*RecordSize]
	want := []byte{famInet6, 0, 0, 0, 1, 0, 0, 0, 0x00, 0xf1, 0x53, 0x65, 0, 0, 0, 0,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
	if i != 0 || string(b) != string(want) {
		t.Errorf("record %d = % x, want % x", i, b, want)
	}
	i = tab.Failure(netip.MustParseAddr("::ffff:192.0.2.1"), now)
	b = tab[i*RecordSize : (i+1)*RecordSize]
	if i != 1 || b[0] != famInet || string(b[16:20]) != "\xc0\x00\x02\x01" || string(b[20:]) != string(make([]byte, 12)) {
		t.Errorf("IPv4 record %d = % x", i, b)
	}
	if r := tab.Record(1); r.Addr != a4 || r.Count != 1 || r.Last != now {
		t.Errorf("Record(1) = %+v", r)
	}
}

func TestSkipRule(t *testing.T) {
	tests := []struct {
		name      string
		failures  []int64 // times of Failure calls
		at        int64
		pid       int
		skip      bool
		wantCount int
	}{
		{"no record", nil, now, 0, false, 0},
		{"one error: tried again", []int64{now}, now + 1, 0, false, 1},
		{"two errors within 120 s count once", []int64{now, now + 119}, now + 200, 0, false, 1},
		{"two errors 120 s apart: skipped", []int64{now, now + 120}, now + 200, 0, true, 2},
		{"skipped until the window ends (pid 0: 3840 s)", []int64{now, now + 120}, now + 120 + 3839, 0, true, 2},
		{"tried again after it", []int64{now, now + 120}, now + 120 + 3840, 0, false, 2},
		{"pid 31: 5824 s", []int64{now, now + 120}, now + 120 + 5823, 31, true, 2},
		{"pid 63 is pid 31", []int64{now, now + 120}, now + 120 + 5824, 63, false, 2},
		{"count stops at 10", []int64{now, now + 200, now + 400, now + 600, now + 800, now + 1000,
			now + 1200, now + 1400, now + 1600, now + 1800, now + 2000, now + 2200}, now + 2300, 0, true, 10},
		{"a time in the future counts as old", []int64{now + 10000, now + 10200}, now, 0, false, 2},
	}
	for _, tt := range tests {
		var tab Table
		for _, f := range tt.failures {
			tab.Failure(a4, f)
		}
		skip, found := tab.Skip(a4, tt.at, tt.pid)
		if skip != tt.skip || found != (len(tt.failures) > 0) {
			t.Errorf("%s: Skip = %v, %v", tt.name, skip, found)
		}
		if i := tab.find(a4); i >= 0 && tab.Record(i).Count != tt.wantCount {
			t.Errorf("%s: count %d, want %d", tt.name, tab.Record(i).Count, tt.wantCount)
		}
	}
}

func TestFutureTimeRepaired(t *testing.T) {
	var tab Table
	tab.Failure(a4, now+100000)
	if tab.Failure(a4, now) < 0 {
		t.Fatal("an error after a record time in the future was not counted")
	}
	if r := tab.Record(0); r.Last != now || r.Count != 2 {
		t.Errorf("record %+v", r)
	}
}

func TestSuccess(t *testing.T) {
	var tab Table
	tab.Failure(a4, now)
	tab.Failure(a4, now+200)
	if i := tab.Success(a4); i != 0 {
		t.Fatalf("Success = %d", i)
	}
	if r := tab.Record(0); r.Count != 0 || r.Last != now+200 || r.Addr != a4 {
		t.Errorf("after success: %+v (time kept, count 0)", r)
	}
	if tab.Success(a4) != -1 || tab.Success(a6) != -1 {
		t.Error("Success changed a record that needed no change")
	}
	if _, found := tab.Skip(a4, now, 0); !found {
		t.Error("the record of a success is gone")
	}
}

func TestEviction(t *testing.T) {
	var tab Table
	for i := range Records {
		tab.Failure(netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}), now+int64(i)*10)
	}
	// 10.0.0.5 is counted twice: last + 2 x 1024 is no longer the smallest.
	tab.Failure(netip.AddrFrom4([4]byte{10, 0, 0, 0}), now+500)
	i := tab.Failure(a6, now+1000)
	if i != 1 {
		t.Errorf("the new address took record %d, want 1 (the oldest single error)", i)
	}
	tab.Success(netip.AddrFrom4([4]byte{10, 0, 0, 20}))
	if i := tab.Failure(a4, now+1000); i != 20 {
		t.Errorf("the new address took record %d, want 20 (the first with count 0)", i)
	}
}

// table writes a table file of the given bytes into a temp folder.
func table(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tcpto")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFile(t *testing.T) {
	p := table(t, make([]byte, Size))
	Failed(p, a4, now)
	Failed(p, a4, now+120)
	if skip, found := Check(p, a4, now+200, 0); !skip || !found {
		t.Errorf("Check = %v, %v", skip, found)
	}
	Connected(p, a4, true)
	if skip, _ := Check(p, a4, now+200, 0); skip {
		t.Error("skipped after a success")
	}
	b, _ := os.ReadFile(p)
	if len(b) != Size {
		t.Errorf("file is %d bytes", len(b))
	}
}

func TestFileUnusable(t *testing.T) {
	for name, p := range map[string]string{
		"missing":   filepath.Join(t.TempDir(), "tcpto"),
		"too short": table(t, make([]byte, 1023)),
		"too long":  table(t, make([]byte, 1025)),
		"a folder":  t.TempDir(),
	} {
		Failed(p, a4, now)
		Failed(p, a4, now+200)
		if skip, found := Check(p, a4, now+200, 0); skip || found {
			t.Errorf("%s: Check = %v, %v", name, skip, found)
		}
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Size() == Size {
			t.Errorf("%s: the file was made %d bytes", name, Size)
		}
	}
}

// TestConcurrent: 32 writers, each with an address of its own and a
// descriptor of its own (flock locks are per open file, as between
// processes): every address is recorded; none is lost to a race.
func TestConcurrent(t *testing.T) {
	p := table(t, make([]byte, Size))
	var wg sync.WaitGroup
	for i := range Records {
		wg.Go(func() {
			a := netip.MustParseAddr("2001:db8::" + strconv.Itoa(i+1))
			for range 20 {
				Failed(p, a, now)
				Check(p, a, now, i)
			}
		})
	}
	wg.Wait()
	tf, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer tf.Close()
	seen := map[netip.Addr]bool{}
	for i := range Records {
		r := tf.T.Record(i)
		if !r.Addr.Is6() || r.Count != 1 || seen[r.Addr] {
			t.Errorf("record %d: %+v", i, r)
		}
		seen[r.Addr] = true
	}
}

func TestReset(t *testing.T) {
	p := table(t, make([]byte, 2000))
	b := make([]byte, 2000)
	b[4] = 3
	os.WriteFile(p, b, 0o644)
	if err := Reset(p); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); string(got) != string(make([]byte, Size)) {
		t.Errorf("after Reset: %d bytes, % x...", len(got), got[:8])
	}
	if err := Reset(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("Reset created a missing table")
	}
}
