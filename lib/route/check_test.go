package route

import (
	"testing"

	"qmail-remote-go/lib/control"
)

// TestCheckLine: qmail-rcheck -c reads every routes line as Select
// would if it matched: the same errors, and a note for what a good line
// holds in vain.
func TestCheckLine(t *testing.T) {
	e := func(v string) control.Entry { return control.Entry{Value: v, Where: "control/smtproutes line 4"} }
	tests := []struct {
		proto, value string
		bounce       bool
		note, err    string
	}{
		{SMTP, "relay.test:26", false, "", ""},
		{SMTP, "", false, "", ""},
		{SMTP, "[192.0.2.1];2525|u|p", false, "", ""},
		{SMTP, "relay .test", false, "", `control/smtproutes line 4: white space in the relay "relay .test"`},
		{SMTP, "relay.test: 25", false, "", `control/smtproutes line 4: bad port " 25"`},
		{SMTP, "relay.test|u", false, "", "control/smtproutes line 4: an AUTH user without a password, or a password without a user"},
		{QMTP, "relay.test|u|p", false, "QMTP has no AUTH: the user and password are ignored", ""},
		{SMTP, "", true, "a bounce route without a relay is skipped", ""},
		{SMTP, ":2525", true, "a bounce route without a relay is skipped", ""},
		{SMTP, "bounces.test", true, "", ""},
	}
	for _, tt := range tests {
		note, err := CheckLine(tt.proto, e(tt.value), tt.bounce)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if note != tt.note || got != tt.err {
			t.Errorf("%s %q bounce=%v: %q, %q; want %q, %q", tt.proto, tt.value, tt.bounce, note, got, tt.note, tt.err)
		}
	}
}
