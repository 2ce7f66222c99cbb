#!/bin/sh
# Fan-out as the documentation gives it: the README's commands (one
# process, GNU parallel, xargs over split shards) run as written on the
# HotpotQA samples and write the same bytes; kc(7)'s Slurm job script is
# examples/shard.sbatch, and the README's Slurm lines are kc(7)'s.
# The Slurm lines themselves run in t5100 (make check-slurm).
. "$(dirname "$0")/lib.sh"

section='Fan-out on a cluster'

test_expect_success "the README's fan-out commands: the same bytes every way" '
	kc-import -q "$SRC"/examples/data/hotpotqa/* >hp.jsonl &&
	"$SRC"/tests/doc-block "$SRC/README" Fan-out 1 >fanout.sh &&
	test_grep "^parallel --pipe" fanout.sh &&
	test_grep "xargs -P" fanout.sh &&
	bash -e fanout.sh &&
	test_cmp_lines hp.jsonl one.jsonl &&
	test_cmp one.jsonl parallel.jsonl &&
	test_cmp one.jsonl xargs.jsonl &&
	test "$(ls part.?? | wc -l)" -eq 8 &&
	test "$(cat part.?? | wc -l)" -eq "$(wc -l <hp.jsonl)"
'

test_expect_success "one process there is the examples' recipe" '
	mkdir data && ln -s "$SRC"/examples/data/hotpotqa data/ &&
	make -s -C "$SRC/examples" KC_BIN="$BIN" DATA="$TRASH/data" \
		OUT="$TRASH/ex" DATASETS=hotpotqa LENGTHS=16k >make.out &&
	test_cmp ex/hotpotqa-16k.verl.jsonl one.jsonl
'

test_expect_success "kc(7)'s Slurm job script is examples/shard.sbatch" '
	"$SRC"/tests/doc-block "$SRC/man/kc.7" "$section" 1 >script &&
	test_cmp "$SRC/examples/shard.sbatch" script
'

test_expect_success "the README's Slurm lines are kc(7)'s" '
	"$SRC"/tests/doc-block "$SRC/man/kc.7" "$section" 2 >man &&
	test_grep "^sbatch --array\|^POOL=.* sbatch --array" man &&
	"$SRC"/tests/doc-block "$SRC/README" Fan-out 2 >readme &&
	grep -v "^kc-import" man >man.submit &&
	test_cmp man.submit readme
'

test_done
