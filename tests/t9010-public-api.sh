#!/bin/sh
# The library's public face: `make install` installs the public headers
# and no private one, each installed header compiles alone, and every
# function they declare is documented in libkc(3).
. "$(dirname "$0")/lib.sh"

test_expect_success 'make install installs only the public headers' '
	make -s -C "$SRC" BUILD="$BUILD" PREFIX="$TRASH/inst" install >/dev/null &&
	(cd inst/include/kc && ls) >installed &&
	(cd "$SRC/lib" && ls kc.h kc_*.h) >expect &&
	test_cmp expect installed
'

test_expect_success 'each installed header compiles on its own' '
	for h in inst/include/kc/*.h; do
		printf "#include <%s>\nint main(void) { return 0; }\n" \
			"$(basename "$h")" >one.c &&
		cc -std=c11 -Wall -Wextra -Werror -c -o one.o one.c \
			-Iinst/include/kc $(pkg-config --cflags jansson) ||
			{ echo "$h does not compile alone"; return 1; }
	done
'

test_expect_success 'every installed function is documented in libkc(3)' '
	for h in inst/include/kc/*.h; do
		# declarations only: comments removed first
		perl -0pe "s{/\\*.*?\\*/}{}gs" "$h" |
			grep -oE "\bkc_[a-z0-9_]+ *\(" | tr -d "( "
	done | sort -u >declared &&
	test "$(wc -l <declared)" -gt 50 &&
	grep -oE "^\.Fn kc_[a-z0-9_]+" "$SRC/man/libkc.3" | cut -d" " -f2 |
		sort -u >documented &&
	comm -23 declared documented >undocumented &&
	test_cmp /dev/null undocumented
'

test_expect_success 'no private header is included by an installed one' '
	test_must_fail grep -l "^#include.*private" inst/include/kc/*.h
'

test_done
