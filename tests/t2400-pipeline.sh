#!/bin/sh
# The pipeline end to end on the real samples of all three datasets at
# 4K, 8K, 16K and 32K: every record verified by kc-verify, budgets filled,
# and one process equal to four parallel shards.
. "$(dirname "$0")/lib.sh"

# MuSiQue's samples are there as JSON lines and as arrays of the same
# records: the lines are enough.
files() {
	case $1 in
	musique) echo "$DATA/musique/*.jsonl" ;;
	*) echo "$DATA/$1/*" ;;
	esac
}

for ds in hotpotqa musique 2wikimqa; do
	test_expect_success "import $ds" "
		kc-import -q $(files $ds) >$ds.jsonl &&
		test_line_count -gt 100 $ds.jsonl
	"
	for len in 4k 8k 16k 32k; do
		test_expect_success "$ds at $len: kc-verify passes every record" "
			kc-fill --pool $ds.jsonl -l $len <$ds.jsonl | kc-chain |
				kc-render -f verl >$ds-$len.jsonl &&
			test_cmp_lines $ds.jsonl $ds-$len.jsonl &&
			kc-verify $ds-$len.jsonl >verify-$ds-$len.out 2>&1 &&
			cat verify-$ds-$len.out
		"
	done
done

test_expect_success 'budgets: at 8K, 16K and 32K every prompt fills at least 95%' '
	python3 - *-8k.jsonl *-16k.jsonl *-32k.jsonl <<-\EOF
	import json, sys
	for name in sys.argv[1:]:
	    fr = sorted(json.loads(l)["extra_info"]["kc"]["tokens"] /
	                json.loads(l)["extra_info"]["kc"]["budget"] for l in open(name))
	    print("%-22s min %.4f p5 %.4f median %.4f max %.4f" % (
	          name, fr[0], fr[len(fr) // 20], fr[len(fr) // 2], fr[-1]))
	    assert fr[-1] <= 1 and fr[0] >= 0.95, name
	EOF
'

test_expect_success 'one process and four parallel shards give the same bytes' '
	parallel --pipe -j4 -N40 --keep-order \
		"kc-fill --pool hotpotqa.jsonl -l 16k | kc-chain | kc-render -f verl" \
		<hotpotqa.jsonl >sharded.jsonl &&
	test_cmp hotpotqa-16k.jsonl sharded.jsonl
'

# issue 8: the difficulty knobs keep output independent of sharding
test_expect_success 'with every difficulty knob, one process equals four shards' '
	knobs="--similar 4 --decoys 3 --near-miss 3 --depth uniform" &&
	kc-fill --pool hotpotqa.jsonl -l 8k $knobs <hotpotqa.jsonl |
		kc-chain | kc-render -f verl >knobs.jsonl &&
	kc-verify knobs.jsonl >/dev/null &&
	parallel --pipe -j4 -N40 --keep-order \
		"kc-fill --pool hotpotqa.jsonl -l 8k $knobs | kc-chain | kc-render -f verl" \
		<hotpotqa.jsonl >knobs-sharded.jsonl &&
	test_cmp knobs.jsonl knobs-sharded.jsonl &&
	! cmp -s hotpotqa-8k.jsonl knobs.jsonl
'

test_expect_success 'shards in any order give the same records' '
	split -n l/4 hotpotqa.jsonl part. &&
	for p in part.ad part.ac part.ab part.aa; do
		kc-fill --pool hotpotqa.jsonl -l 16k <$p | kc-chain | kc-render -f verl || return 1
	done | sort >any-order.jsonl &&
	sort hotpotqa-16k.jsonl >sorted.jsonl &&
	test_cmp sorted.jsonl any-order.jsonl
'

test_expect_success "kc(7)'s table of shortcuts is what scripts/audit-table makes of these records" '
	mkdir audit &&
	for ds in hotpotqa musique 2wikimqa; do
		for len in 8k 16k 32k; do
			ln -s ../$ds-$len.jsonl audit/$ds-defaults-$len.jsonl || return 1
		done
	done &&
	KC_BIN=$BIN KC_DATA=$DATA "$SRC"/scripts/audit-table --keep audit --reuse \
		>table 2>/dev/null &&
	python3 - "$SRC/man/kc.7" >expect <<-\EOF &&
	import sys
	text = open(sys.argv[1]).read()
	a = text.index(".\\\" BEGIN audit-table\n")
	a = text.index("\n", a) + 1
	sys.stdout.write(text[a:text.index(".\\\" END audit-table\n")])
	EOF
	test_cmp expect table
'

test_done
