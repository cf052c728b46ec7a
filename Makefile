# qmail-remote in Go. See README.md.

QMAILHOME = /var/qmail
DESTDIR =
# QMAILR is the user qmail-remote runs as: make install gives it what
# qmail-remote writes (queue/lock/tcpto, queue/lock/mtasts/) and the
# folder of qmail-scache's socket (queue/lock/scache/, mode 0700).
QMAILR = qmailr
PROGS = qmail-remote mxlookup smtpclient authclient tlswrap qmtpclient qmail-tcpto qmail-tcpok qmail-rcheck stsfetch qmail-scache
TESTPROGS = fakepeer fakedns mkcerts fakeqmtp blackhole tcpfwd scachetool scacherun fakescache smtpsink

export PATH := $(PATH):/usr/local/go/bin
export CGO_ENABLED := 0

# VERSION is stamped into every program (lib/version; each usage line
# shows it): git describe in a git checkout, else the first line of the
# VERSION file that a release tarball (make dist) carries.
VERSION := $(shell ( [ -e .git ] && git describe --always --dirty 2>/dev/null || \
	{ [ -f VERSION ] && sed 1q VERSION; } ) | tr -cd 'A-Za-z0-9._+-')
ifeq ($(VERSION),)
VERSION := unknown
endif

all: it
it: $(PROGS:%=bin/%) $(PROGS:%=bin/%.8)

# compile is made again at every make: the version changes with every
# commit. tests/lib.sh reads the version line to know what was stamped.
compile: conf-cc Makefile FORCE
	( echo '#!/bin/sh'; echo '# made by make from conf-cc; do not edit'; \
	  echo "version='$(VERSION)'"; \
	  echo 'exec' "`head -1 conf-cc`" \
	  '-ldflags "-s -X qmail-remote-go/lib/control.Home=$(QMAILHOME) -X qmail-remote-go/lib/version.Version=$$version"' \
	  '-o "bin/$$1" "./$$1"' ) > compile.tmp
	chmod 755 compile.tmp
	mv -f compile.tmp compile

bin/%: compile FORCE
	@mkdir -p bin
	./compile $*

# bin/NAME.8 is NAME/NAME.8 with its .TH line stamped: the date of the
# page's last commit (the date in the source when git does not know it)
# and the version. make install copies it; install never builds.
bin/%.8: FORCE
	@mkdir -p bin
	@d=`git log -1 --format=%cs -- $*/$*.8 2>/dev/null`; \
	awk -v d="$$d" -v v='$(VERSION)' 'NR == 1 && $$1 == ".TH" { \
	  if (d == "") d = $$4; s = "qmail-remote-go"; if (v != "") s = s " " v; \
	  print ".TH", $$2, $$3, d, "\"" s "\""; next } { print }' $*/$*.8 > $@.tmp && mv -f $@.tmp $@

tests/bin/%: FORCE
	@mkdir -p tests/bin
	go build -o $@ ./tests/$*

testprogs: $(TESTPROGS:%=tests/bin/%)

# make install copies what make built (install.sh says how); it builds
# nothing, so run make as yourself first. make rollback puts back the
# NAME.old copies install kept.
INSTALLENV = QMAILHOME='$(QMAILHOME)' DESTDIR='$(DESTDIR)' QMAILR='$(QMAILR)' PROGS='$(PROGS)'
install:
	@$(INSTALLENV) sh install.sh install
rollback:
	@$(INSTALLENV) sh install.sh rollback

check: it testprogs cross
	go vet ./...
	go test ./...
	go test -tags portable $(PORTABLE)
	sh tests/run
	sh tests/real/run

# make cross builds every program, test tool and bench for the BSDs and
# macOS, and type-checks the tests there (go vet), so that the tree stays
# portable; the Linux-only speed-ups sit behind build tags (*_linux.go).
# PORTABLE are the packages with such files: make check runs their tests
# again with -tags portable, which puts the fallbacks in on Linux too.
CROSS = freebsd/amd64 freebsd/arm64 openbsd/amd64 openbsd/arm64 netbsd/amd64 netbsd/arm64 darwin/amd64 darwin/arm64
PORTABLE = ./qmail-remote ./smtpclient ./lib/fdio ./lib/smtp ./qmail-scache ./lib/scache
cross:
	@for t in $(CROSS); do \
	  echo "--- GOOS=$${t%/*} GOARCH=$${t#*/}"; \
	  GOOS=$${t%/*} GOARCH=$${t#*/} go build ./... || exit 1; \
	  case $$t in */amd64) GOOS=$${t%/*} GOARCH=$${t#*/} go vet ./... || exit 1;; esac; \
	done

# make fuzz runs every fuzz target for FUZZTIME (go test -fuzztime syntax).
# A crasher lands in the package's testdata/fuzz/ and becomes a regression
# test that `go test` (so make check) runs from then on. Below about 5s a
# target may end before its baseline run and fail with "context deadline
# exceeded" (go test's own limit, not a finding).
FUZZTIME = 10s
FUZZ = ./lib/smtp:FuzzReadReply ./lib/smtp:FuzzWriteBody ./lib/smtp:FuzzChunker ./lib/dns:FuzzParseReply \
	./lib/dns:FuzzServers ./lib/dns:FuzzParseTLSA ./lib/control:FuzzReadTable ./lib/control:FuzzReadLine \
	./lib/control:FuzzReadInt ./lib/route:FuzzSelect ./lib/report:FuzzParse \
	./lib/report:FuzzWrite ./lib/literal:FuzzParse ./lib/addr:FuzzMangle \
	./lib/addr:FuzzHasLineBreak ./lib/plan:FuzzParseCandidates \
	./smtpclient:FuzzExtensions ./smtpclient:FuzzSession ./smtpclient:FuzzReused ./smtpclient:FuzzSessionReports ./smtpclient:FuzzPipeliningSameReports \
	./lib/tlspolicy:FuzzSelect ./lib/tlspolicy:FuzzSelectCert ./lib/ucspitls:FuzzParse \
	./authclient:FuzzParseServerFirst ./authclient:FuzzDecodeChallenge ./authclient:FuzzExchange \
	./lib/route:FuzzAuthSenders ./lib/netstring:FuzzRead ./lib/route:FuzzSelectQMTP ./qmtpclient:FuzzSession \
	./lib/idna:FuzzToASCII ./lib/idna:FuzzDecode ./tlswrap:FuzzParseCiphers ./tlswrap:FuzzParseTLSA ./tlswrap:FuzzDecryptPKCS8 \
	./lib/tcpto:FuzzTable ./lib/scache:FuzzRecord ./lib/route:FuzzDomainIPs ./lib/tlspolicy:FuzzCheckKeys ./lib/mtasts:FuzzParseTXT ./lib/mtasts:FuzzParsePolicy
fuzz:
	@for t in $(FUZZ); do \
	  echo "--- $$t"; \
	  go test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) "$${t%%:*}" || exit 1; \
	done

# make bench prints a table of speed and memory figures (bench/, its
# README.md the journal); it asserts nothing. The peers of tests/real/setup give it
# smtp-sink and unbound; the slow-link row needs root.
bench: it tests/bin/fakedns
	go run ./bench

version:
	@echo $(VERSION)

# make dist writes qmail-remote-go-VERSION.tar.gz from the committed tree,
# with a VERSION file, which make reads where there is no .git.
DIST = qmail-remote-go-$(VERSION)
dist:
	@case "$(VERSION)" in *-dirty|unknown) \
	  echo "make dist: the tree has uncommitted changes or no git; commit first" >&2; exit 1;; esac
	rm -rf dist.tmp && mkdir -p dist.tmp/$(DIST)
	echo $(VERSION) > dist.tmp/$(DIST)/VERSION
	git archive --prefix=$(DIST)/ -o $(DIST).tar HEAD
	tar -rf $(DIST).tar -C dist.tmp $(DIST)/VERSION
	gzip -f $(DIST).tar
	rm -rf dist.tmp
	@echo $(DIST).tar.gz

demo: it testprogs
	sh tests/demo

clean:
	rm -rf bin tests/bin compile compile.tmp

FORCE:
.PHONY: all it install rollback check cross bench demo clean testprogs fuzz version dist FORCE
