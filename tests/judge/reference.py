#!/usr/bin/env python3
"""The reference scorers, re-typed, as the oracle for kc-judge's tests.

Usage: reference.py [--extract RULE] [--reference-compat] < records.jsonl

Reads records with "responses" (list of strings) and "answers" (list of
gold strings) and writes, per record, {"id", "responses": [{"answer", "em",
"sub_em", "cem", "f1", "format_em", "format_f1"}]} computed by the Python
below.  Standard library only.

Where each definition comes from (read, re-typed; only print() calls
dropped, and the two missing imports of longcontext_qa.py added):

  [L1] rStar-RL/LoongRL verl/verl/utils/reward_score/
       longcontext_qa_llm_judge.py (commit e8c6aa3c): normalize_answer,
       f1_score, sub_em, exact_match_score, extract_solution,
       parse_model_answer -- the RL reward (sub_em).
  [L2] rStar-RL/LoongRL verl/verl/utils/reward_score/longcontext_qa.py
       (commit 2847cc55): last_boxed_only_string, remove_boxed,
       normalize_text, is_gt_in_pred, _format_exact_match_in_string,
       _format_f1_score, f1_score/qa_f1_score (plain, no yes/no rule).
       As published the module never imports `string` or `Counter`, so
       _format_f1_score raises NameError inside its try and always
       returns 0; the imports are added here, as its author meant.
  [K1] Wangmerlyn/KeyChain filter_question/merge_output.py (a958c91):
       extract_answer (first "the answer is"), _cem_score.
  [R1] RUCAIBox/R1-Searcher evaluation/eval_search_loacl.py (631167c):
       pred_ans = text.split("<answer>")[-1].split("</answer>")[0].

What is kc's own, restated here from man/kc-judge.1 (no reference has it):
the answer-line and auto rules, stripping the answer-tag text, \\fbox{X}
giving X, treating a failed assertion in remove_boxed as "no answer", and
the fix of the empty-normalization hole (off with --reference-compat).
"""
import json
import os
import re
import string
import sys
import warnings
from collections import Counter


# ---------------------------------------------------------------- [L1]

def normalize_answer(s):

    def remove_articles(text):
        return re.sub(r'\b(a|an|the)\b', ' ', text)

    def white_space_fix(text):
        return ' '.join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return ''.join(ch for ch in text if ch not in exclude)

    def lower(text):
        return text.lower()

    return white_space_fix(remove_articles(remove_punc(lower(s))))


def f1_score(prediction, ground_truth):
    normalized_prediction = normalize_answer(prediction)
    normalized_ground_truth = normalize_answer(ground_truth)

    ZERO_METRIC = (0, 0, 0)

    if normalized_prediction in ['yes', 'no', 'noanswer'] and normalized_prediction != normalized_ground_truth:
        return ZERO_METRIC
    if normalized_ground_truth in ['yes', 'no', 'noanswer'] and normalized_prediction != normalized_ground_truth:
        return ZERO_METRIC

    prediction_tokens = normalized_prediction.split()
    ground_truth_tokens = normalized_ground_truth.split()
    common = Counter(prediction_tokens) & Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return ZERO_METRIC
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    f1 = (2 * precision * recall) / (precision + recall)
    return f1, precision, recall


def sub_em(prediction, ground_truth):
    ground_truth = normalize_answer(ground_truth)
    prediction = normalize_answer(prediction)
    return (ground_truth in prediction) or (prediction in ground_truth)


def exact_match_score(prediction, ground_truth):
    return (normalize_answer(prediction) == normalize_answer(ground_truth))


def extract_solution(solution_str):
    if "</think>" not in solution_str:
        return None, solution_str

    final_answer = solution_str.split("</think>")[-1].strip()
    return final_answer, solution_str


def parse_model_answer(response):
    # Remove any asterisks or other unwanted characters
    response = response.replace('*', '')

    boxed_answer = last_boxed_only_string(response)
    if boxed_answer is not None:
        ans = remove_boxed(boxed_answer)
    else:
        ans = None

    return ans


# ---------------------------------------------------------------- [L2]

def _format_exact_match_in_string(solution_str, ground_truth):
    max_boxed_limit = int(os.getenv("MAX_BOXED_LIMIT", 1))
    punish_multiple_braces = int(os.getenv("PUNISH_MULTIPLE_BRACES", 1))
    if isinstance(ground_truth, str):
        ground_truth = [ground_truth]
    max_retval = 0
    for truth in ground_truth:
        try:
            boxed_part = last_boxed_only_string(solution_str)
            retval = 0
            if max_boxed_limit > 0:
                if solution_str.count("\\boxed") > max_boxed_limit:
                    boxed_occurs = solution_str.count("\\boxed")
                    raise ValueError(f"Too many boxed parts in solution_str: {boxed_occurs} > {max_boxed_limit}")

            if boxed_part is not None:
                pred = remove_boxed(boxed_part)
                if punish_multiple_braces > 0:
                    if pred.count("{") > 1 or pred.count("}") > 1 or pred.count("\\") > 1:
                        raise ValueError(f"Multiple braces found in pred: {pred}")
                assert isinstance(pred, str), f"pred should be a string, got {type(pred)} instead"
                assert isinstance(truth, str), f"truth should be a string, got {type(truth)} instead"
                if is_gt_in_pred(pred, truth):
                    retval = 1.0
                    answer_over_flow_limit = int(os.getenv("ANSWER_OVER_FLOW_LIMIT", 128))
                    if len(pred) - len(truth) > answer_over_flow_limit:
                        retval -= 1.0
                    eot_over_flow_limit = int(os.getenv("EOT_OVER_FLOW_LIMIT", 32))
                    if len(solution_str) - (solution_str.rfind(pred)+len(pred)) > eot_over_flow_limit:
                        retval -= 1.0
                    max_retval = max(max_retval, retval)

        except Exception as e:
            return max_retval

    return max_retval


def _format_f1_score(solution_str, ground_truth):
    max_boxed_limit = int(os.getenv("MAX_BOXED_LIMIT", 1))
    punish_multiple_braces = int(os.getenv("PUNISH_MULTIPLE_BRACES", 1))
    if isinstance(ground_truth, str):
        ground_truth = [ground_truth]
    max_retval = 0
    for truth in ground_truth:
        try:
            boxed_part = last_boxed_only_string(solution_str)
            retval = 0
            if max_boxed_limit > 0:
                if solution_str.count("\\boxed") > max_boxed_limit:
                    boxed_occurs = solution_str.count("\\boxed")
                    raise ValueError(f"Too many boxed parts in solution_str: {boxed_occurs} > {max_boxed_limit}")

            if boxed_part is not None:
                pred = remove_boxed(boxed_part)
                if punish_multiple_braces > 0:
                    if pred.count("{") > 1 or pred.count("}") > 1 or pred.count("\\") > 1:
                        raise ValueError(f"Multiple braces found in pred: {pred}")
                assert isinstance(pred, str), f"pred should be a string, got {type(pred)} instead"
                assert isinstance(truth, str), f"truth should be a string, got {type(truth)} instead"
                f1_score = qa_f1_score(pred, truth)
                f1_score_threshold = float(os.getenv("F1_SCORE_THRESHOLD", 0.5))
                if f1_score > f1_score_threshold:
                    retval = f1_score
                    answer_over_flow_limit = int(os.getenv("ANSWER_OVER_FLOW_LIMIT", 128))
                    if len(pred) - len(truth) > answer_over_flow_limit:
                        retval = 0
                    eot_over_flow_limit = int(os.getenv("EOT_OVER_FLOW_LIMIT", 32))
                    if len(solution_str) - (solution_str.rfind(pred)+len(pred)) > eot_over_flow_limit:
                        retval = 0
                    max_retval = max(max_retval, retval)

        except Exception as e:
            return max_retval

    return max_retval


def plain_f1_score(prediction, ground_truth, **kwargs):
    # [L2] f1_score (renamed: [L1] has a different f1_score)
    common = Counter(prediction) & Counter(ground_truth)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction)
    recall = 1.0 * num_same / len(ground_truth)
    f1 = (2 * precision * recall) / (precision + recall)
    return f1


def qa_f1_score(prediction, ground_truth, **kwargs):
    normalized_prediction = normalize_answer(prediction)
    normalized_ground_truth = normalize_answer(ground_truth)

    prediction_tokens = normalized_prediction.split()
    ground_truth_tokens = normalized_ground_truth.split()
    return plain_f1_score(prediction_tokens, ground_truth_tokens)


def last_boxed_only_string(string):
    idx = string.rfind("\\boxed")
    if "\\boxed " in string:
        return "\\boxed " + string.split("\\boxed ")[-1].split("$")[0]
    if idx < 0:
        idx = string.rfind("\\fbox")
        if idx < 0:
            return None

    i = idx
    right_brace_idx = None
    num_left_braces_open = 0
    while i < len(string):
        if string[i] == "{":
            num_left_braces_open += 1
        if string[i] == "}":
            num_left_braces_open -= 1
            if num_left_braces_open == 0:
                right_brace_idx = i
                break
        i += 1

    if right_brace_idx is None:
        retval = None
    else:
        retval = string[idx:right_brace_idx + 1]

    return retval


def remove_boxed(s):
    if "\\boxed " in s:
        left = "\\boxed "
        assert s[:len(left)] == left
        return s[len(left):]

    left = "\\boxed{"

    assert s[:len(left)] == left
    assert s[-1] == "}"

    return s[len(left):-1]


with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # "\[" in a non-raw literal, as upstream

    def normalize_text(text):
        """
        Normalize text by lowercasing and removing special characters
        """
        text = re.sub("[,.:\"'\[\]\-=\+\\|!@#$%^&*();<>?/！￥…（）—\{\}：”“《》？]", " ", text.lower())
        text = re.sub("import\s[a-zA-Z\.]+(\sas\s[a-zA-Z\.]+)\n", " ", text)
        text = re.sub("\s+", " ", text)
        return text.strip()


def is_gt_in_pred(pred, ground_truth, verbose=False):
    if pred is None and ground_truth is None:
        return True
    if pred is None or ground_truth is None:
        return False

    try:
        # normalize string
        ss1 = normalize_text(pred)
        ss2 = normalize_text(ground_truth)
        return ss2 in ss1
    except Exception:
        return ground_truth in pred


# ---------------------------------------------------------------- [K1]

def extract_answer(text: str) -> str:
    keyword = "the answer is"
    keyword_lower = keyword.lower()
    lower_text = text.lower()
    idx = lower_text.find(keyword_lower)
    if idx == -1:
        return ""  # Not found
    # Extract everything after the keyword
    return text[idx + len(keyword):].strip()


def _cem_score(pred, gt):
    # cem for covered exact match
    pred = normalize_answer(pred)
    gt = normalize_answer(gt)
    if pred in gt:
        return 1.0
    else:
        return 0.0


# ---------------------------------------------------------------- [R1]

def r1_pred_ans(generated_text):
    return generated_text.split("<answer>")[-1].split("</answer>")[0]


# ------------------------------------------------ kc's rules on top

def kc_boxed(text):
    """parse_model_answer [L1] with kc's two changes to remove_boxed."""
    b = last_boxed_only_string(text.replace('*', ''))
    if b is None:
        return None
    try:
        return remove_boxed(b)
    except AssertionError:
        if b.startswith("\\fbox{"):
            return b[len("\\fbox{"):-1]
        return None


def ex_boxed(s):
    return kc_boxed(s.strip())


def ex_think(s):
    final, _ = extract_solution(s)
    if not final:          # [L1] compute_score: `if answer_text:`
        return None
    return kc_boxed(final)


def ex_answer_is(s):
    if "the answer is" not in s.lower():
        return None        # [K1] returns "" for both; kc tells them apart
    return extract_answer(s)


def ex_answer_tag(s):
    if "<answer>" not in s:
        return None
    return r1_pred_ans(s).strip()


# kc's answer-line rule, from the man page: the last line that reads
# "[#>*_ ]*(final )?answer[*_ ]*:" (ASCII, any case); what follows the
# colon, trimmed of blanks and '*' '_'; if that is empty, the next
# non-empty line, trimmed the same way.
LINE_HEAD = re.compile(r"[ \t*_\r#>]*(?:final[ \t]+)?answer[ \t*_\r]*:",
                       re.ASCII | re.IGNORECASE)
TRIM = " \t*_\r"


def ex_answer_line(s):
    lines = s.split("\n")
    for k in range(len(lines) - 1, -1, -1):
        m = LINE_HEAD.match(lines[k])
        if not m:
            continue
        ans = lines[k][m.end():].strip(TRIM)
        if not ans:
            for later in lines[k + 1:]:
                if later.strip(TRIM):
                    return later.strip(TRIM)
        return ans
    return None


def ex_auto(s):
    if "</think>" in s:
        s = s.split("</think>")[-1]
    for rule in (ex_boxed, ex_answer_tag, ex_answer_line, ex_answer_is):
        a = rule(s)
        if a is not None:
            return a
    return None


EXTRACT = {
    "auto": ex_auto, "boxed": ex_boxed, "think": ex_think,
    "answer-is": ex_answer_is, "answer-line": ex_answer_line,
    "answer-tag": ex_answer_tag, "none": lambda s: s,
}


def score(response, golds, rule, compat):
    answer = EXTRACT[rule](response)
    em = sem = cem = 0
    f1 = 0.0
    if answer:  # not found or empty: 0 ([K1] `== ""`, [L1] `if pred_status`)
        for g in golds:
            # kc's fix: a comparison where either side normalizes to ""
            # does not count (the reference lets "" match everything)
            if compat or (normalize_answer(answer) and normalize_answer(g)):
                em = max(em, int(exact_match_score(answer, g)))
                sem = max(sem, int(sub_em(answer, g)))
                cem = max(cem, int(_cem_score(answer, g)))
            f1 = max(f1, f1_score(answer, g)[0])
    # LoongRL's compute_score() strips the response first
    solution = response.strip()
    fgolds = golds if compat else [g for g in golds if normalize_text(g)]
    fem = _format_exact_match_in_string(solution, fgolds)
    ff1 = _format_f1_score(solution, golds)
    return {"answer": answer, "em": em, "sub_em": sem, "cem": cem,
            "f1": float(f1), "format_em": int(fem), "format_f1": float(ff1)}


def main():
    args = sys.argv[1:]
    rule, compat = "auto", False
    while args:
        a = args.pop(0)
        if a == "--extract":
            rule = args.pop(0)
        elif a == "--reference-compat":
            compat = True
        else:
            sys.exit("usage: reference.py [--extract RULE] [--reference-compat]")
    for line in sys.stdin:
        rec = json.loads(line)
        out = [score(r, rec["answers"], rule, compat) for r in rec["responses"]]
        print(json.dumps({"id": rec["id"], "responses": out},
                         ensure_ascii=False))


if __name__ == "__main__":
    main()
