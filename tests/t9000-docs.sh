#!/bin/sh
# The documentation: man pages lint clean, every tool has one and answers
# --help and --version, the library installs and its man page's example
# builds against it, the README's commands name real tools.
. "$(dirname "$0")/lib.sh"

test_expect_success 'every man page lints clean' '
	mandoc -T lint -W warning "$SRC"/man/*.[137]
'

test_expect_success 'every tool has a man page, --help and --version' '
	for t in "$BIN"/kc-*; do
		n=$(basename "$t")
		test -f "$SRC/man/$n.1" || { echo "no man page for $n"; return 1; }
		"$t" --help >help.out || return 1
		test -s help.out || return 1
		"$t" --version >version.out || return 1
		test_grep "^$n (kc) " version.out || return 1
		test_must_fail --status=2 "$t" --no-such-option 2>err || return 1
		test_grep "Try .$n --help." err || return 1
	done
'

test_expect_success 'the tools named in the README and kc(7) exist' '
	grep -o "kc-[a-z][a-z]*" "$SRC/README" "$SRC/man/kc.7" | cut -d: -f2 | sort -u >named &&
	for n in $(cat named); do test -x "$BIN/$n" || { echo "no $n"; return 1; }; done
'

test_expect_success 'make install puts tools, library, headers, man pages in place' '
	make -s -C "$SRC" BUILD="$BUILD" PREFIX="$TRASH/inst" install >/dev/null &&
	test -x inst/bin/kc-fill && test -f inst/lib/libkc.a &&
	test -f inst/include/kc/kc.h && test -f inst/include/kc/kc_tok.h &&
	test -f inst/share/man/man1/kc-fill.1 && test -f inst/share/man/man7/kc.7 &&
	test -f inst/share/man/man3/libkc.3 &&
	test -f inst/share/kc/tokenizers/qwen/tokenizer.json &&
	echo "Who wrote it?" | inst/bin/kc-tok --lines >n && test "$(cat n)" -gt 2
'

test_expect_success 'the example of libkc(3) builds with pkg-config and runs' '
	sed -n "/^\.Sh EXAMPLES/,/^\.Sh SEE/p" "$SRC/man/libkc.3" |
		sed -n "/^\.Bd/,/^\.Ed/p" | sed "1d;\$d" | sed "s/\\\\e/\\\\/g" >ex.c &&
	PKG_CONFIG_PATH=$TRASH/inst/lib/pkgconfig &&
	export PKG_CONFIG_PATH &&
	cc -o ex ex.c $(pkg-config --cflags kc) $(pkg-config --libs kc) ${KC_LDFLAGS:-} &&
	KC_TOKENIZER_DIR=$TRASH/inst/share/kc/tokenizers &&
	export KC_TOKENIZER_DIR &&
	printf "Hello world\nWho wrote it?\n" | ./ex >counts &&
	printf "Hello world\nWho wrote it?\n" | kc-tok --lines >expect &&
	test_cmp expect counts
'

test_done
