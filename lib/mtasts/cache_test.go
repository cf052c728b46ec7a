package mtasts

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestStoreLoad(t *testing.T) {
	dir := t.TempDir()
	e := &Entry{ID: "abc1", Expires: time.Unix(2000000000, 0), Policy: Policy{Enforce, 3600, []string{"mx.example.com", "*.example.net"}}}
	if got, err := Load(dir, "example.com"); got != nil || err != nil {
		t.Fatalf("empty cache: %v, %v", got, err)
	}
	if err := Store(dir, "example.com", e); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir, "example.com")
	if err != nil || !reflect.DeepEqual(got, e) {
		t.Fatalf("Load = %+v, %v; want %+v", got, err, e)
	}
	e2 := &Entry{ID: "def2", Expires: time.Unix(2000000001, 0), Policy: Policy{None, 0, nil}}
	if err := Store(dir, "example.com", e2); err != nil {
		t.Fatal(err)
	}
	if got, err := Load(dir, "example.com"); err != nil || !reflect.DeepEqual(got, e2) {
		t.Fatalf("after a second Store: %+v, %v", got, err)
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 1 {
		t.Errorf("left behind: %v", files)
	}
	for _, bad := range []string{"../x", ".hidden", "a/b", "", "x..y"} {
		if err := Store(dir, bad, e); err == nil {
			t.Errorf("Store(%q) accepted", bad)
		}
		if _, err := Load(dir, bad); err == nil {
			t.Errorf("Load(%q) accepted", bad)
		}
	}
	for name, body := range map[string]string{
		"a.test": "STSv1 abc\nversion: STSv1\nmode: none\nmax_age: 1\n",
		"b.test": "STSv1 abc 12x\nversion: STSv1\nmode: none\nmax_age: 1\n",
		"c.test": "STSv1 abc 12\nversion: STSv1\nmode: bogus\nmax_age: 1\n",
		"d.test": "",
	} {
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
		if got, err := Load(dir, name); err == nil {
			t.Errorf("%s: malformed file loaded: %+v", name, got)
		}
	}
	if err := Store(filepath.Join(dir, "missing"), "example.com", e); err == nil {
		t.Error("Store into a missing directory succeeded")
	}
}

func TestDecide(t *testing.T) {
	now := time.Unix(1000, 0)
	fresh := &Entry{ID: "a1", Expires: now.Add(time.Hour)}
	stale := &Entry{ID: "a1", Expires: now.Add(-time.Second)}
	for _, c := range []struct {
		name   string
		cached *Entry
		id     string
		use    *Entry
		fetch  bool
	}{
		{"no txt, no cache", nil, "", nil, false},
		{"no txt, fresh cache", fresh, "", fresh, false},
		{"no txt, stale cache", stale, "", nil, false},
		{"same id, fresh", fresh, "a1", fresh, false},
		{"same id, stale", stale, "a1", nil, true},
		{"new id", fresh, "b2", nil, true},
		{"id, no cache", nil, "a1", nil, true},
	} {
		use, fetch := Decide(c.cached, c.id, now)
		if use != c.use || fetch != c.fetch {
			t.Errorf("%s: Decide = %v, %v; want %v, %v", c.name, use, fetch, c.use, c.fetch)
		}
	}
	pol := &Policy{Mode: Enforce, MaxAge: 60, MX: []string{"a.b"}}
	if use, store := AfterFetch(fresh, nil, "b2", now); use != fresh || store {
		t.Errorf("failed refetch: %v, %v; want the cached policy kept", use, store)
	}
	if use, store := AfterFetch(stale, nil, "b2", now); use != nil || store {
		t.Errorf("failed fetch, stale cache: %v, %v", use, store)
	}
	use, store := AfterFetch(fresh, pol, "b2", now)
	if !store || use.ID != "b2" || !use.Expires.Equal(now.Add(time.Minute)) || use.Policy.Mode != Enforce {
		t.Errorf("fetched: %+v, %v", use, store)
	}
}

// TestFailure: a failed fetch is kept beside the policy, never in its
// place, and holds only for its id and until its time.
func TestFailure(t *testing.T) {
	dir := t.TempDir()
	e := &Entry{ID: "abc1", Expires: time.Unix(2000000000, 0), Policy: Policy{Enforce, 3600, []string{"mx.example.com"}}}
	if err := Store(dir, "example.com", e); err != nil {
		t.Fatal(err)
	}
	if f, err := LoadFailure(dir, "example.com"); f != nil || err != nil {
		t.Fatalf("no failure: %v, %v", f, err)
	}
	f := &Failure{ID: "def2", Until: time.Unix(1900000000, 0)}
	if err := StoreFailure(dir, "example.com", f); err != nil {
		t.Fatal(err)
	}
	got, err := LoadFailure(dir, "example.com")
	if err != nil || !reflect.DeepEqual(got, f) {
		t.Fatalf("LoadFailure = %+v, %v; want %+v", got, err, f)
	}
	if pol, err := Load(dir, "example.com"); err != nil || !reflect.DeepEqual(pol, e) {
		t.Fatalf("the policy beside it: %+v, %v", pol, err)
	}
	before, after := time.Unix(1899999999, 0), time.Unix(1900000000, 0)
	if !got.Holds("def2", before) || got.Holds("def2", after) || got.Holds("abc1", before) || (*Failure)(nil).Holds("def2", before) {
		t.Error("Holds: only for its id, before its time")
	}
	if err := ClearFailure(dir, "example.com"); err != nil {
		t.Fatal(err)
	}
	if f, err := LoadFailure(dir, "example.com"); f != nil || err != nil {
		t.Fatalf("after ClearFailure: %v, %v", f, err)
	}
	if err := ClearFailure(dir, "example.com"); err != nil {
		t.Errorf("ClearFailure of none: %v", err)
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 1 {
		t.Errorf("left behind: %v", files)
	}
	for _, body := range []string{"", "failed def2\n", "failed de-f 12\n", "failed def2 12x\n", "STSv1 def2 12\n"} {
		os.WriteFile(filepath.Join(dir, "b.test,failed"), []byte(body), 0o644)
		if got, err := LoadFailure(dir, "b.test"); err == nil {
			t.Errorf("%q loaded: %+v", body, got)
		}
	}
	for _, bad := range []string{"../x", "a/b", ""} {
		if err := StoreFailure(dir, bad, f); err == nil {
			t.Errorf("StoreFailure(%q) accepted", bad)
		}
	}
}
