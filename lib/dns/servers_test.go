package dns

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestServers(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "resolv.conf")
	os.WriteFile(conf, []byte("# comment\nsearch example.test\nnameserver 192.0.2.53\nnameserver  ::1 \nnameserver bogus\noptions ndots:5\n"), 0o644)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("search x\n"), 0o644)
	for _, c := range []struct{ env, file, want string }{
		{"", conf, "[192.0.2.53:53 [::1]:53] <nil>"},
		{"", empty, "[127.0.0.1:53] <nil>"},
		{"", filepath.Join(dir, "missing"), "[127.0.0.1:53] <nil>"},
		{" , ", conf, "[192.0.2.53:53 [::1]:53] <nil>"},
		{"10.0.0.1", conf, "[10.0.0.1:53] <nil>"},
		{"10.0.0.1 10.0.0.2,127.0.0.1:5353,[::1]:54,::2", "", "[10.0.0.1:53 10.0.0.2:53 127.0.0.1:5353 [::1]:54 [::2]:53] <nil>"},
		{"::ffff:10.0.0.1", "", "[10.0.0.1:53] <nil>"},
		{"10.0.0.1 nonsense", "", "[] unable to parse $DNSCACHEIP: not an address: \"nonsense\""},
		{"", dir, "[] unable to read " + dir + ": is a directory"},
	} {
		got, err := Servers(c.env, c.file)
		if s := fmt.Sprint(got, " ", err); s != c.want {
			t.Errorf("Servers(%q, %q) = %s, want %s", c.env, c.file, s, c.want)
		}
		var ce *ConfError
		if err != nil && !errors.As(err, &ce) {
			t.Errorf("not a ConfError: %v", err)
		}
	}
}
