#!/bin/sh
# Set-up: scripts/setup-debian splits what the demo needs from what the
# tests need, the README's two commands say so, and a tokenizer download
# that fails shows npm's own error and how to do without the registry.
# No test here installs anything: dpkg-query is a stand-in that reports
# every package missing (the real one would say what this machine has),
# and the registry is an address nothing listens on.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a dpkg-query that knows no package' '
	mkdir bin &&
	printf "#!/bin/sh\nexit 1\n" >bin/dpkg-query &&
	chmod +x bin/dpkg-query
'

test_expect_success 'the demo set has no test-only package, the tests set has them' '
	PATH=$PWD/bin:$PATH test_must_fail "$SRC/scripts/setup-debian" --check 2>demo &&
	PATH=$PWD/bin:$PATH test_must_fail "$SRC/scripts/setup-debian" --check --tests 2>tests &&
	test_grep "libjansson-dev" demo &&
	for p in wrk mandoc manpages-de debian-reference-en clang; do
		test_must_fail grep -w -e "$p" demo || return 1
		test_grep " $p" tests || return 1
	done &&
	for p in $(sed "s/.*missing://" demo); do
		test_grep " $p" tests || return 1
	done
'

test_expect_success 'the README and CI run the two commands' '
	test_grep "^ *scripts/setup-debian && make -j2 demo " "$SRC/README" &&
	test_grep "^ *scripts/setup-debian --tests && make -j2 check " "$SRC/README" &&
	test_grep "^scripts/setup-debian --tests && make -j2 check$" "$SRC/.ci/run"
'

test_expect_success 'a failed tokenizer download shows npm, and the way round it' '
	test_must_fail env KC_CACHE=$PWD/cache npm_config_registry=http://127.0.0.1:9/ \
		npm_config_fetch_retries=0 "$SRC/scripts/fetch-tokenizers" dest qwen 2>err &&
	test_grep "npm error" err &&
	test_grep "ECONNREFUSED" err &&
	test_grep "export KC_TOKENIZER=/path/to/tokenizer.json" err &&
	test_grep "dest/qwen/tokenizer.json" err &&
	test ! -e dest/qwen/tokenizer.json
'

test_expect_success 'kc takes a tokenizer.json named by KC_TOKENIZER' '
	echo "{\"text\": \"Who wrote it?\"}" >t.jsonl &&
	kc-tok -t qwen --ids t.jsonl >expect &&
	KC_TOKENIZER=$TOKDIR/qwen/tokenizer.json kc-tok --ids t.jsonl >ids &&
	test_cmp expect ids
'

test_done
