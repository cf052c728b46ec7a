package route

import "qmail-remote-go/lib/control"

// LookupSender finds the authsenders entry for an envelope sender (SPEC
// 4.1, 4.7): the sender itself, then each suffix of it that starts at an
// '@' or a '.' (for info@mail.example.com: @mail.example.com,
// .example.com, .com; a '.' in the local part counts too), then the
// empty key, which also matches the empty sender. The first hit ends the
// search, as in s/qmail.
func LookupSender(t control.Table, sender string) (control.Entry, bool) {
	return first(t, keys(sender, "@."))
}

// authRoute applies authsenders (SPEC 3.1 step 5, 4.7). A hit with a
// value, "relay[:port|;port][|user|password]" as in smtproutes, decides
// the route (ok): the bounce route, qmtproutes and smtproutes are not
// read. An empty relay keeps the MX lookup of the host (SPEC 4.7 REC),
// still with the port and the credentials; no credentials means an
// unauthenticated relay. A hit with an empty value decides nothing, and
// shields the sender from less specific authsenders lines.
func authRoute(t control.Table, sender string, def Route) (r Route, ok bool, err error) {
	e, found := LookupSender(t, sender)
	if !found || e.Value == "" {
		return Route{}, false, nil
	}
	r, err = parse(e, def)
	return r, true, err
}
