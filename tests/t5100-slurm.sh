#!/bin/sh
# A real scheduler: kc(7)'s Slurm section, run as written on a one-node
# cluster of Debian's Slurm and MUNGE (tests/slurm/lib.sh starts it and
# stops it by pid).  The array job builds the HotpotQA train sample at
# 16K in 8 shards, each task in its own directory, and the concatenated
# output must be the examples' recipe's in one process, byte for byte.
#
# It needs root and about a minute, so `make check` skips it and
# `make check-slurm` (KC_SLURM=1) runs it; scripts/setup-slurm installs
# the packages.
. "$(dirname "$0")/lib.sh"

if [ "${KC_SLURM:-}" != 1 ]; then
	test_skip "kc(7)'s Slurm array job on a one-node cluster" \
		"run by make check-slurm"
	test_done
fi
. "$SRC/tests/slurm/lib.sh"
trap slurm_stop EXIT

JOB_WAIT=${KC_SLURM_JOB_WAIT:-900}	# seconds for an array job to end
section='Fan-out on a cluster'
train=$SRC/examples/data/hotpotqa/hipporag__hotpotqa_train.json

# submit DIR: run kc(7)'s submission lines in DIR, with a deadline.
submit() {
	(cd "$1" && timeout "$JOB_WAIT" bash -e -o pipefail ../submit.sh \
		>submit.out 2>&1)
	rc=$?
	[ $rc -ne 124 ] || slurm_fail "the array job did not end within $JOB_WAIT s;
$(squeue 2>&1)
$(cat "$1"/task.*.log 2>/dev/null | tail -n 20)"
	return $rc
}

test_expect_success 'a one-node cluster comes up' '
	slurm_start &&
	sinfo -h -o "%P %a %D %T" >sinfo &&
	cat sinfo &&
	test_grep "^kc\* up 1 idle" sinfo
'
SLURM_CONF=$(slurm_dir)/slurm.conf
export SLURM_CONF

test_expect_success "kc(7)'s job script and submission lines" '
	"$SRC"/tests/doc-block "$SRC/man/kc.7" "$section" 1 >shard.sbatch &&
	"$SRC"/tests/doc-block "$SRC/man/kc.7" "$section" 2 >submit.sh &&
	test_grep "sbatch --array=0-7 --wait shard.sbatch" submit.sh
'

test_expect_success 'the array job runs 8 tasks, each in its own directory' '
	mkdir run &&
	cp shard.sbatch run/ &&
	ln -s "$train" run/hotpot_train_v1.1.json &&
	submit run &&
	cat run/submit.out &&
	test "$(ls -d run/task.??? | wc -l)" -eq 8 &&
	test "$(ls run/task.???.log | wc -l)" -eq 8 &&
	for i in 000 001 002 003 004 005 006 007; do
		test_cmp_lines run/shard.$i run/task.$i/out.jsonl || return 1
	done &&
	test "$(cat run/task.*/out.jsonl | wc -l)" -eq 100
'

test_expect_success "their output is the examples' recipe's in one process" '
	mkdir -p data/hotpotqa &&
	ln -s "$train" data/hotpotqa/ &&
	make -s -C "$SRC/examples" KC_BIN="$BIN" DATA="$TRASH/data" \
		OUT="$TRASH/one" DATASETS=hotpotqa LENGTHS=16k >make.out &&
	test_cmp one/hotpotqa-16k.verl.jsonl run/hp-16k.jsonl
'

test_expect_success 'a task that fails fails the job, and its log says why' '
	mkdir bad &&
	cp shard.sbatch bad/ &&
	ln -s "$train" bad/hotpot_train_v1.1.json &&
	sed "s/^split .*/&; echo not-json >>shard.003/" submit.sh >bad/submit.sh &&
	test_grep "not-json" bad/submit.sh &&
	(cd bad && test_must_fail timeout "$JOB_WAIT" bash -e -o pipefail submit.sh \
		>submit.out 2>&1) &&
	test_grep "kc-fill: -:[0-9]*: " bad/task.003.log &&
	test -s bad/task.002/out.jsonl &&
	test ! -e bad/task.003/out.jsonl
'

test_expect_success 'the cluster stops: its daemons are gone by their pids' '
	d=$(slurm_dir) &&
	pids=$(cat "$d"/*.kcpid) &&
	test "$(echo $pids | wc -w)" -eq 3 &&
	slurm_stop &&
	for p in $pids; do
		! kill -0 $p 2>/dev/null || { echo "pid $p still runs"; return 1; }
	done &&
	test ! -d "$d"
'

test_done
