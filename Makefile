# qmail-remote in Go. See README.md.

QMAILHOME = /var/qmail
DESTDIR =
PROGS = qmail-remote mxlookup smtpclient
TESTPROGS = fakepeer fakedns

export PATH := $(PATH):/usr/local/go/bin
export CGO_ENABLED := 0

all: it
it: $(PROGS:%=bin/%)

compile: conf-cc Makefile
	( echo '#!/bin/sh'; echo '# made by make from conf-cc; do not edit'; \
	  echo 'exec' "`head -1 conf-cc`" \
	  '-ldflags "-s -X qmail-remote-go/lib/control.Home=$(QMAILHOME)" -o "bin/$$1" "./$$1"' ) > compile
	chmod 755 compile

bin/%: compile FORCE
	@mkdir -p bin
	./compile $*

tests/bin/%: FORCE
	@mkdir -p tests/bin
	go build -o $@ ./tests/$*

testprogs: $(TESTPROGS:%=tests/bin/%)

install: it
	mkdir -p $(DESTDIR)$(QMAILHOME)/bin
	for p in $(PROGS); do \
	  cp bin/$$p $(DESTDIR)$(QMAILHOME)/bin/$$p.new && \
	  mv -f $(DESTDIR)$(QMAILHOME)/bin/$$p.new $(DESTDIR)$(QMAILHOME)/bin/$$p || exit 1; \
	done

check: it testprogs
	go vet ./...
	go test ./...
	sh tests/run

demo: it testprogs
	sh tests/demo

clean:
	rm -rf bin tests/bin compile

FORCE:
.PHONY: all it install check demo clean testprogs FORCE
