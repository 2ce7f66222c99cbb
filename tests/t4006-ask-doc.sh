#!/bin/sh
# kc-ask's --help, its man page and its behaviour agree: the same long
# options in both, in the same order, and a man page mandoc finds clean.
. "$(dirname "$0")/lib.sh"

test_expect_success 'the man page is lint clean' '
	mandoc -T lint -W warning "$SRC/man/kc-ask.1" >lint 2>&1 &&
	test_line_count = 0 lint
'

test_expect_success '--help and the man page list the same options, in order' '
	kc-ask --help | grep -o -e "--[a-z][a-z-]*" >help &&
	sed -n "/^\.Sh OPTIONS/,/^\.Sh /p" "$SRC/man/kc-ask.1" |
		grep "^\.It Fl" | grep -o -e "Fl -[a-z][a-z-]*" |
		sed "s/^Fl -/--/" >man &&
	test_cmp man help
'

test_expect_success 'every option in --help is accepted' '
	kc-ask --help | grep -o -e "--[a-z][a-z-]*" | sort -u >opts &&
	while read -r o; do
		case $o in --help|--version) continue ;; esac
		kc-ask $o 2>err </dev/null >/dev/null
		if grep -q "unknown option" err; then
			echo "not accepted: $o"; exit 1
		fi
	done <opts
'

test_done
