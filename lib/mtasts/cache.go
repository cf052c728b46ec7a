package mtasts

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Dir is where the policies are kept, relative to the qmail home
// (qmail-remote runs there). make install creates it, owned by the user
// qmail-remote runs as.
const Dir = "queue/lock/mtasts"

// An Entry is one domain's cached policy: the id of the TXT record it
// was fetched under and when it expires (the fetch plus max_age).
type Entry struct {
	ID      string
	Expires time.Time
	Policy  Policy
}

// Fresh tells whether the entry may still be used at now.
func (e *Entry) Fresh(now time.Time) bool { return e != nil && now.Before(e.Expires) }

// Decide applies SPEC D31 to what the cache holds (nil: nothing usable)
// and the id of the domain's TXT record ("" when there is none, or its
// lookup failed): the policy to use now, or fetch when the policy must
// be fetched first (then AfterFetch says what to use).
//
//   - an unexpired policy under the TXT's id is used without a fetch;
//   - a TXT with another id (or a missing or expired cache) fetches;
//   - no TXT: an unexpired cached policy is used, else there is none.
func Decide(cached *Entry, id string, now time.Time) (use *Entry, fetch bool) {
	switch {
	case id == "":
		if cached.Fresh(now) {
			return cached, false
		}
		return nil, false
	case cached.Fresh(now) && cached.ID == id:
		return cached, false
	}
	return nil, true
}

// AfterFetch is the policy to use once a fetch for the TXT's id ended:
// the fetched one, or when the fetch failed (fetched nil) the unexpired
// cached one, else none. store tells whether the result is new and
// should be written to the cache.
func AfterFetch(cached *Entry, fetched *Policy, id string, now time.Time) (use *Entry, store bool) {
	if fetched == nil {
		if cached.Fresh(now) {
			return cached, false
		}
		return nil, false
	}
	return &Entry{ID: id, Expires: now.Add(time.Duration(fetched.MaxAge) * time.Second), Policy: *fetched}, true
}

// maxFile bounds a cache file: a policy in canonical form is shorter
// than the 64 KiB the fetch allows, plus the header.
const maxFile = MaxPolicy + 256

// path is the cache file of domain, which must pass IsDomain (so it has
// no "/" and does not start with ".").
func path(dir, domain string) (string, error) {
	if !IsDomain(domain) {
		return "", fmt.Errorf("%q is not a domain name", domain)
	}
	return filepath.Join(dir, strings.ToLower(domain)), nil
}

// Load reads the cached policy of domain. A missing file is (nil, nil);
// a file that cannot be read or parsed is an error, which the caller
// treats as an empty cache (SPEC D31: the cache never fails a delivery).
//
// The file is "STSv1 <id> <expires, Unix seconds>" on a line of its
// own, then the policy in canonical form (Policy.Bytes).
func Load(dir, domain string) (*Entry, error) {
	p, err := path(dir, domain)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFile {
		return nil, fmt.Errorf("%s: too long", p)
	}
	head, body, _ := bytes.Cut(b, []byte("\n"))
	f3 := strings.Split(string(head), " ")
	if len(f3) != 3 || f3[0] != "STSv1" || !ValidID(f3[1]) {
		return nil, fmt.Errorf("%s: malformed first line", p)
	}
	exp, err := strconv.ParseInt(f3[2], 10, 64)
	if err != nil || exp < 0 {
		return nil, fmt.Errorf("%s: malformed expiry", p)
	}
	pol, err := ParsePolicy(body)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", p, err)
	}
	return &Entry{ID: f3[1], Expires: time.Unix(exp, 0), Policy: pol}, nil
}

// Store writes e as domain's cache file atomically: a temporary file in
// dir renamed over the old one, so a reader sees the old policy or the
// new, never a part. It does not sync: a file lost in a crash only
// costs one more fetch.
func Store(dir, domain string, e *Entry) error {
	p, err := path(dir, domain)
	if err != nil {
		return err
	}
	if !ValidID(e.ID) {
		return fmt.Errorf("invalid id %q", e.ID)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "STSv1 %s %d\n", e.ID, e.Expires.Unix())
	b.Write(e.Policy.Bytes())
	return writeFile(dir, p, b.Bytes())
}

// writeFile writes b to p through a temporary file in dir renamed over
// it.
func writeFile(dir, p string, b []byte) error {
	tmp, err := os.CreateTemp(dir, ".tmp-")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// FailHold is how long a failed fetch stands for its TXT id: within it a
// delivery under the same id does not fetch again and goes on as the
// failure left it (an unexpired cached policy, else none). Without it a
// domain whose TXT record exists but whose policy host does not answer
// costs every delivery up to timeoutconnect (RFC 8461 3.3 and 10.1 let
// a sender limit how often it fetches). A new id (the domain changed
// its policy) fetches at once.
const FailHold = 5 * time.Minute

// A Failure is a fetch that failed: the TXT id it was for, and until
// when no other fetch is tried under that id.
type Failure struct {
	ID    string
	Until time.Time
}

// Holds tells whether f stops a fetch for id at now.
func (f *Failure) Holds(id string, now time.Time) bool {
	return f != nil && f.ID == id && now.Before(f.Until)
}

// failPath is the file of domain's failed fetch: beside its policy, the
// domain then ",failed" (no domain name holds a comma).
func failPath(dir, domain string) (string, error) {
	p, err := path(dir, domain)
	return p + ",failed", err
}

// LoadFailure reads domain's failed fetch: (nil, nil) when there is
// none; an error, which the caller treats as none, when the file cannot
// be read or parsed. The file is one line, "failed <id> <until, Unix
// seconds>".
func LoadFailure(dir, domain string) (*Failure, error) {
	p, err := failPath(dir, domain)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f3 := strings.Split(strings.TrimSuffix(string(b), "\n"), " ")
	if len(f3) != 3 || f3[0] != "failed" || !ValidID(f3[1]) {
		return nil, fmt.Errorf("%s: malformed", p)
	}
	until, err := strconv.ParseInt(f3[2], 10, 64)
	if err != nil || until < 0 {
		return nil, fmt.Errorf("%s: malformed time", p)
	}
	return &Failure{ID: f3[1], Until: time.Unix(until, 0)}, nil
}

// StoreFailure writes f as domain's failed fetch, atomically as Store.
func StoreFailure(dir, domain string, f *Failure) error {
	p, err := failPath(dir, domain)
	if err != nil {
		return err
	}
	if !ValidID(f.ID) {
		return fmt.Errorf("invalid id %q", f.ID)
	}
	return writeFile(dir, p, fmt.Appendf(nil, "failed %s %d\n", f.ID, f.Until.Unix()))
}

// ClearFailure removes domain's failed fetch, if any.
func ClearFailure(dir, domain string) error {
	p, err := failPath(dir, domain)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
