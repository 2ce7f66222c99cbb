#!/bin/sh
# The pipeline's man pages: their EXAMPLES run as written (on the sample
# data in examples/), and --help names the options the man page names.
. "$(dirname "$0")/lib.sh"

ln -s "$SRC/examples" examples

for page in kc-fill kc-chain kc-render kc-parquet; do
	test_expect_success "the EXAMPLES of $page(1) run" '
		"$SRC"/tests/man-examples "$SRC/man/'$page'.1" >'$page'.sh &&
		test_line_count -ge 2 '$page'.sh &&
		bash -e -o pipefail '$page'.sh >'$page'.out 2>'$page'.err
	'
	test_expect_success "$page --help and the man page name the same options" '
		'$page' --help | grep -o -- "--[a-z][a-z-]*" | sort -u >help &&
		grep -o "Fl -[a-z][a-z-]*" "$SRC/man/'$page'.1" |
			sed "s/Fl -/--/" | sort -u >man &&
		test_cmp help man
	'
done

test_done
