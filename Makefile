# qqtag - tag mail at the qmail-queue step.  GNU make.
PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	 = $(PREFIX)/bin
MANDIR	 = $(PREFIX)/share/man
ETCDIR	?= /etc/qqtag

CC	?= cc
# Nettle, hogweed and GMP (DKIM's crypto) are linked statically: mapping
# and relocating three more shared libraries cost every message 0.45 ms
# (BENCHMARKS.md, issue 12); STATIC_CRYPTO=0 links them as shared
# libraries.  A security update of libnettle8 or libgmp10 then needs a
# rebuild (INSTALL, Upgrading).
STATIC_CRYPTO ?= 1
LIBPKGS	 = libcares libmaxminddb zlib
PKGS	 = $(LIBPKGS) nettle hogweed gmp
# The public suffix list is read from publicsuffix's DAFSA file (orgdom.c);
# libpsl is linked only into the test that holds the reader against it.
PSLTEST	 = $(shell pkg-config --libs libpsl libidn2 2>/dev/null)
CRYPTOLIBS = $(if $(filter 1,$(STATIC_CRYPTO)),-Wl$(comma)-Bstatic \
	   -lhogweed -lnettle -lgmp -Wl$(comma)-Bdynamic,-lhogweed -lnettle -lgmp)
comma	:= ,
OPT	?= -O2 -g
WARN	 = -Wall -Wextra -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes \
	   -Wmissing-prototypes
HARDEN	 = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS	?= $(OPT)
ALLCFLAGS = -std=c99 -D_GNU_SOURCE -DCARES_NO_DEPRECATED $(WARN) $(HARDEN) \
	   $(CFLAGS) $(CFLAGS_EXTRA) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS	?=
ALLLDFLAGS = -pie -Wl,-z,relro -Wl,-z,now $(LDFLAGS) $(LDFLAGS_EXTRA)
LIBS	 = $(shell pkg-config --libs $(LIBPKGS) 2>/dev/null) $(CRYPTOLIBS) -lm
FLAGS	 = $(CC) $(ALLCFLAGS) $(ALLLDFLAGS) $(LIBS)

# Module objects: every .c here but the programs' mains.  A new check is
# one file (it joins by existing) and one line of check.c's table.
MODSRC	 = $(filter-out qqtag.c qqtag-filter.c qqtag-report.c,$(wildcard *.c))
MODOBJ	 = $(MODSRC:.c=.o)
# qqtag-report's modules (log*.c): in MODOBJ for the tests, not in qqtag
REPOBJ	 = $(patsubst %.c,%.o,$(wildcard log*.c))
HDRS	 = $(wildcard *.h)
UNITSRC	 = $(wildcard tests/unit_*.c)
UNITS	 = $(UNITSRC:.c=)
TOOLSRC	 = tests/qq-standin.c $(wildcard tests/dnscheck.c tests/listcheck.c \
	   tests/heurcheck.c tests/dkimcheck.c)
TOOLS	 = $(TOOLSRC:.c=)
PROGS	 = qqtag $(if $(wildcard qqtag-filter.c),qqtag-filter) \
	   $(if $(wildcard qqtag-report.c),qqtag-report)
# Fuzz targets tests/fuzz/fuzz_NAME.c: libFuzzer builds with clang (make
# fuzz); plain builds link tests/fuzz/replay.c, which replays the seed
# corpus tests/fuzz/NAME/ (run by tests/t_fuzzreplay.sh in make test).
FUZZSRC	 = $(wildcard tests/fuzz/fuzz_*.c)
REPLAYS	 = $(patsubst tests/fuzz/fuzz_%.c,tests/fuzz/replay_%,$(FUZZSRC))
FUZZERS	 = $(patsubst tests/fuzz/fuzz_%.c,tests/fuzz/libfuzzer_%,$(FUZZSRC))

all: $(PROGS)

# .flags changes (and so rebuilds everything) only when the flags change.
.flags: FORCE
	@echo '$(FLAGS)' | cmp -s - $@ 2>/dev/null || echo '$(FLAGS)' > $@
FORCE:

%.o: %.c $(HDRS) .flags
	$(CC) $(ALLCFLAGS) -c -o $@ $<

qqtag: qqtag.o $(MODOBJ)
	$(CC) $(ALLCFLAGS) $(ALLLDFLAGS) -o $@ qqtag.o \
	    $(filter-out $(REPOBJ),$(MODOBJ)) $(LIBS)

qqtag-filter: qqtag-filter.o buf.o
	$(CC) $(ALLCFLAGS) $(ALLLDFLAGS) -o $@ qqtag-filter.o buf.o

# the log report (issue 15): its own modules and zlib, nothing of qqtag's
qqtag-report: qqtag-report.o $(REPOBJ)
	$(CC) $(ALLCFLAGS) $(ALLLDFLAGS) -o $@ qqtag-report.o $(REPOBJ) \
	    $(shell pkg-config --libs zlib 2>/dev/null || echo -lz)

tests/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(MODOBJ) .flags
	$(CC) $(ALLCFLAGS) $(ALLLDFLAGS) -I. -o $@ $< tests/fuzz/replay.c \
	    $(MODOBJ) $(LIBS)

# libFuzzer: every module rebuilt with clang's fuzzer instrumentation.
FUZZCC	 = clang
FUZZFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -std=c99 \
	   -D_GNU_SOURCE -DCARES_NO_DEPRECATED -I. \
	   $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
tests/fuzz/libfuzzer_%: tests/fuzz/fuzz_%.c $(MODSRC) $(HDRS)
	$(FUZZCC) $(FUZZFLAGS) -o $@ $< $(MODSRC) $(LIBS)

# make fuzz [FUZZTIME=seconds]: build every target, run each on a copy of
# its corpus; new finds stay in tests/fuzz/NAME.new/ for review.
FUZZTIME ?= 60
fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do n=$${f#tests/fuzz/libfuzzer_}; \
	  mkdir -p tests/fuzz/$$n.new; \
	  echo "== $$n ($(FUZZTIME) s)"; \
	  $$f -max_total_time=$(FUZZTIME) -max_len=65536 \
	    tests/fuzz/$$n.new tests/fuzz/$$n || exit 1; done

# these include qqtag-filter.c itself
tests/unit_filter tests/fuzz/replay_filter tests/fuzz/libfuzzer_filter: \
    $(wildcard qqtag-filter.c)

tests/unit_orgdom: tests/unit_orgdom.c $(MODOBJ) tests/unit.h .flags
	$(CC) $(ALLCFLAGS) $(shell pkg-config --cflags libpsl) $(ALLLDFLAGS) \
	    -I. -o $@ $< $(MODOBJ) $(LIBS) $(PSLTEST)

tests/unit_%: tests/unit_%.c $(MODOBJ) tests/unit.h .flags
	$(CC) $(ALLCFLAGS) $(ALLLDFLAGS) -I. -o $@ $< $(MODOBJ) $(LIBS)

tests/%: tests/%.c $(MODOBJ) .flags
	$(CC) $(ALLCFLAGS) $(ALLLDFLAGS) -I. -o $@ $< $(MODOBJ) $(LIBS)

# qqtag with one more check, tests/check_body.c (the body stream's test)
tests/qqtag-body: qqtag.c check.c tests/check_body.c $(MODOBJ) $(HDRS) .flags
	$(CC) $(ALLCFLAGS) $(ALLLDFLAGS) -I. -DCHECK_TEST=check_body -o $@ \
	    qqtag.c check.c tests/check_body.c $(filter-out check.o,$(MODOBJ)) \
	    $(LIBS)

testbins: all $(UNITS) $(TOOLS) $(REPLAYS) tests/qqtag-body

# make demo: qqtag's main job on sample clients against its own rbldnsd.
demo:
	@sh tests/deps.sh demo
	@$(MAKE) --no-print-directory all
	@sh demo/run.sh

# make test: install what the tests need (or say what is missing), build,
# run every unit and end-to-end test.  Last line: "N passed, N failed".
test:
	@sh tests/deps.sh test
	@$(MAKE) --no-print-directory testbins
	@sh tests/run

# The whole suite again under AddressSanitizer and UBSan.  .flags makes
# every object follow a change of flags, so a later "make" rebuilds plainly.
SANFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all
asan:
	@sh tests/deps.sh test
	@$(MAKE) --no-print-directory testbins OPT="$(SANFLAGS)" \
	    LDFLAGS_EXTRA="-fsanitize=address,undefined"
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	    UBSAN_OPTIONS=print_stacktrace=1 QQTAG_ASAN=1 sh tests/run

# The unit tests and the end-to-end tests with qqtag under valgrind.
VGTESTS ?= t_core t_qqtag_geo t_qqtag_lists
valgrind:
	@sh tests/deps.sh test
	@$(MAKE) --no-print-directory testbins
	@rm -rf tests/log/vg && mkdir -p tests/log/vg
	@fail=0; for u in $(UNITS); do \
	  QQTAG_VALGRIND=1 valgrind -q --error-exitcode=1 --leak-check=full \
	    --suppressions=tests/valgrind.supp $$u \
	    > tests/log/vg/$${u#tests/}.log 2>&1 || { fail=1; \
	    echo "valgrind: $$u"; tail -20 tests/log/vg/$${u#tests/}.log; }; \
	  done; \
	for t in $(VGTESTS); do [ -e tests/$$t.sh ] || continue; \
	  VGLOG=$(CURDIR)/tests/log/vg QQTAG_REAL=$(CURDIR)/qqtag \
	    QQTAG=$(CURDIR)/tests/vg-qqtag QQTAG_VALGRIND=1 \
	    sh tests/run $$t || fail=1; done; \
	for f in tests/log/vg/vg.*; do grep -q '^==' "$$f" || continue; \
	  fail=1; echo "valgrind errors in $$f:"; head -30 "$$f"; done; \
	[ $$fail = 0 ] && echo "valgrind: clean" || { echo "valgrind: errors"; exit 1; }

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(ETCDIR)
	for p in $(PROGS); do install -m 755 $$p $(DESTDIR)$(BINDIR)/; done
	for m in $(wildcard *.8); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man8/; done
	for m in $(wildcard *.5); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man5/; done
	for m in $(wildcard *.1); do install -d $(DESTDIR)$(MANDIR)/man1; \
	    install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	test -e $(DESTDIR)$(ETCDIR)/policy || \
	    install -m 644 policy $(DESTDIR)$(ETCDIR)/policy

# make deb: the Debian package dist/qqtag_VERSION_ARCH.deb (with its
# .buildinfo, .changes and the debug symbols' qqtag-dbgsym), built by
# dpkg-buildpackage from debian/, which runs "make install PREFIX=/usr".
# Its build runs the test suite unless DEB_BUILD_OPTIONS holds nocheck.
# The version is debian/changelog's, the one place it is written.
# dpkg-buildpackage writes into ../ first; dist/ then holds this build's
# files only.
VERSION	:= $(shell awk 'NR == 1 { gsub(/[()]/, "", $$2); print $$2 }' \
	   debian/changelog 2>/dev/null)
deb:
	@sh tests/deps.sh deb
	@set -e; a=$$(dpkg --print-architecture); f=qqtag_$(VERSION)_$$a; \
	rm -f dist/qqtag_* dist/qqtag-dbgsym_*; \
	dpkg-buildpackage -us -uc -b \
	    $(if $(filter nocheck,$(DEB_BUILD_OPTIONS)),-Pnocheck); \
	mkdir -p dist; \
	mv ../$$f.deb ../$$f.buildinfo ../$$f.changes dist/; \
	d=qqtag-dbgsym_$(VERSION)_$$a.deb; [ ! -e ../$$d ] || mv ../$$d dist/; \
	echo "make deb: dist/$$f.deb"

clean:
	rm -f qqtag qqtag-filter qqtag-report *.o $(UNITS) $(TOOLS) $(REPLAYS) $(FUZZERS) \
	    tests/qqtag-body
	rm -rf tests/log .flags
	rm -rf debian/qqtag debian/.debhelper debian/files \
	    debian/*.substvars debian/*.debhelper.log debian/debhelper-build-stamp

.PHONY: all demo test testbins asan valgrind fuzz install deb clean FORCE
