#!/bin/sh
# t1101-tok-check: the golden-ids harness itself (tests/tok/check,
# tests/tok/make-corpus) can fail: a wrong id, a missing line, a crashing
# or failing kc-tok, a changed tokenizer file and too little text compared
# are each caught; documents changed here are skipped and counted; and the
# synthetic part of the corpus is the same bytes on every machine.
#
# The tokenizer here is a stand-in (one id per byte, computed with od), so
# the test needs neither kc-tok nor the reference.
. "$(dirname "$0")/lib.sh"

check=$SRC/tests/tok/check

# fake-tok: kc-tok's --raw [--ids] contract with byte values as ids.
cat >fake-tok <<'FAKE'
#!/bin/sh
ids=
while [ $# -gt 0 ]; do
	case $1 in -t) shift 2 ;; --raw) shift ;; --ids) ids=1; shift ;;
	*) break ;; esac
done
for f; do
	if [ -n "$ids" ]; then
		od -An -v -tu1 "$f" | tr -s ' \n' '  ' | sed 's/^ //; s/ $//'
		echo
	else
		wc -c <"$f" | tr -d ' '
	fi
done
FAKE
chmod +x fake-tok

ids_of() {  # FILE -> "count:sha256" of the fake's ids text
	line=$(./fake-tok --ids "$1")
	printf '%s:%s' "$(printf '%s' "$line" | wc -w | tr -d ' ')" \
		"$(printf '%s\n' "$line" | sha256sum | cut -d' ' -f1)"
}

test_expect_success 'set up a small corpus and its golden file' '
	mkdir -p corpus/a tok &&
	printf "hello world\n" >corpus/a/one &&
	printf "caf\303\251 \342\202\254 \360\237\230\200" >corpus/a/two &&
	head -c 3000 /dev/zero | tr "\0" x >corpus/three &&
	echo fake >tok/fake.tiktoken &&
	: >corpus/MANIFEST && : >golden &&
	for d in a/one a/two three; do
		n=$(wc -c <corpus/$d | tr -d " ") &&
		s=$(sha256sum corpus/$d | cut -d" " -f1) &&
		printf "%s\t%s\t%s\t-\n" $d $n $s >>corpus/MANIFEST &&
		printf "%s\t%s\t%s\t%s\n" $d $n $s "$(ids_of corpus/$d)" >>golden.rows
	done &&
	{
		echo "# fake: fake.tiktoken  sha256 $(sha256sum tok/fake.tiktoken |
			cut -d" " -f1)  reference od" &&
		printf "document\tbytes\tsha256\tfake\n" &&
		cat golden.rows
	} >golden
'

test_expect_success 'matching ids pass' '
	"$check" --golden golden --min-mb 0 corpus tok ./fake-tok fake >out &&
	test_grep "3 of 3 documents match" out
'

test_expect_success 'too little text compared fails' '
	test_must_fail "$check" --golden golden --min-mb 1 corpus tok \
		./fake-tok fake >out &&
	test_grep "at least 1 MB required" out
'

test_expect_success 'one wrong id fails and names the document' '
	cat >bad-tok <<-BAD &&
	#!/bin/sh
	"$TRASH/fake-tok" "\$@" | sed "2s/^99 /98 /"
	BAD
	chmod +x bad-tok &&
	test_must_fail "$check" --golden golden --min-mb 0 corpus tok \
		./bad-tok fake >out &&
	test_grep "MISMATCH a/two" out &&
	test_grep "2 of 3 documents match" out
'

test_expect_success 'a wrong count (without --ids) fails' '
	cat >count-tok <<-COUNT &&
	#!/bin/sh
	case " \$* " in
	*" --ids "*) exec "$TRASH/fake-tok" "\$@" ;;
	*) "$TRASH/fake-tok" "\$@" | sed "3s/.*/2999/" ;;
	esac
	COUNT
	chmod +x count-tok &&
	test_must_fail "$check" --golden golden --min-mb 0 corpus tok \
		./count-tok fake >out &&
	test_grep "3 of 3 documents match" out &&
	test_grep "COUNT MISMATCH three: 2999 tokens, reference 3000" out
'

test_expect_success 'a missing output line fails' '
	cat >short-tok <<-SHORT &&
	#!/bin/sh
	"$TRASH/fake-tok" "\$@" | head -n 2
	SHORT
	chmod +x short-tok &&
	test_must_fail --status=2 "$check" --golden golden --min-mb 0 corpus \
		tok ./short-tok fake >out 2>&1 &&
	test_grep "printed 2 lines for 3 documents" out
'

test_expect_success 'a failing kc-tok fails' '
	test_must_fail --status=2 "$check" --golden golden --min-mb 0 corpus \
		tok false fake 2>err &&
	test_grep "exited with status" err
'

test_expect_success 'a changed tokenizer file fails' '
	cp -R tok tok2 && echo changed >tok2/fake.tiktoken &&
	test_must_fail --status=2 "$check" --golden golden --min-mb 0 corpus \
		tok2 ./fake-tok fake 2>err &&
	test_grep "sha256 differs" err
'

test_expect_success 'a document changed here is skipped and counted' '
	cp -R corpus corpus2 &&
	printf "hello there\n" >corpus2/a/one &&
	sed "1s/\t12\t[0-9a-f]*\t/\t12\t$(sha256sum corpus2/a/one |
		cut -d" " -f1)\t/" corpus/MANIFEST >corpus2/MANIFEST &&
	"$check" --golden golden --min-mb 0 corpus2 tok ./fake-tok fake >out &&
	test_grep "2 of 2 documents match" out &&
	test_grep "1 changed here" out
'

test_expect_success 'a document without reference ids is skipped' '
	sed "s/^\(three\t[0-9]*\t[0-9a-f]*\t\).*/\1-/" golden >golden2 &&
	"$check" --golden golden2 --min-mb 0 corpus tok ./fake-tok fake >out &&
	test_grep "1 without reference" out
'

test_expect_success 'an unknown tokenizer name is a usage error' '
	test_must_fail --status=2 "$check" --golden golden corpus tok \
		./fake-tok nosuch 2>err &&
	test_grep "tokenizer nosuch" err
'

# The synthetic documents come from our own seeded generator: they must be
# the same bytes here as where the golden file was made, on any machine.
test_expect_success 'the synthetic documents are the golden ones, byte for byte' '
	"$SRC/tests/tok/corpus" "$BUILD/tok-corpus" >dir &&
	grep "^synth/" "$SRC/tests/tok/golden.tsv" | cut -f1-3 >want &&
	test_line_count -gt 10 want &&
	grep "^synth/" "$(cat dir)/MANIFEST" | cut -f1-3 >got &&
	test_cmp want got
'

test_done
