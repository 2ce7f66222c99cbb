#!/usr/bin/env python3
"""The reference's three filter passes, re-typed, as an oracle for kc-filter.

Usage: reference-filter.py stage1|second-chance|filter-again < records

Reads records with "id", "responses" (8 strings) and "answers", and prints
the ids the reference keeps, one per line, in input order:

  stage1         Wangmerlyn/KeyChain filter_question/merge_output.py:
                 cem_score() per response (extract_answer: the first "the
                 answer is"; _cem_score), total_cem_score in 1..6.
  second-chance  filter_question/merge_all_0_qwq.py: the same scores,
                 total_cem_score != 0 and != 8.
  filter-again   filter_again/judge_utils.py boxed_exact_match_judge()
                 (lower-case, drop "\\boxed{}", last \\boxed, else the last
                 "the answer is"; containment either way), then
                 filter_again/get_filter_parquet.py: keep avg_acc < 1.0.

Standard library only; the scoring functions are imported from
reference.py, the rest is re-typed here.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference import (extract_answer, _cem_score, normalize_answer,  # noqa
                       last_boxed_only_string)


# ------------------------------------- KeyChain merge_output.py cem_score

def cem_score(entry):
    pred_list = entry['pred_list']
    gts = entry['outputs']
    for pred in pred_list:
        max_score = 0
        judge_reason = extract_answer(pred['pred'])
        if judge_reason == "":
            max_score = 0
        else:
            for gt in gts:
                cem_score = _cem_score(judge_reason, gt)
                max_score = max(max_score, cem_score)
        pred['judge_reason'] = judge_reason
        pred['cem_score'] = max_score
    return pred_list


# --------------------------------------------- KeyChain judge_utils.py

def exact_match_score(prediction, ground_truth):
    res = int(
        (
            normalize_answer(prediction) in normalize_answer(ground_truth)
            or normalize_answer(ground_truth) in normalize_answer(prediction)
        )
    )
    return res


def remove_boxed(s):
    if "\\boxed " in s:
        left = "\\boxed "
        return s[len(left):]
    left = "\\boxed{"
    return s[len(left): -1]


def boxed_exact_match_judge(output_pair):
    standard_answer = output_pair["outputs"]
    pred_list = output_pair["pred_list"]
    judge_results = []
    for pred in pred_list:
        jr = {}
        lower_pred = pred.lower().replace("\\boxed{}", "")
        response = lower_pred
        response = response.replace("*", "")
        ans = last_boxed_only_string(lower_pred)
        ans = remove_boxed(ans) if ans else None
        if ans is not None:
            jr["reason"] = ans
            score = max(exact_match_score(ans, sa) for sa in standard_answer)
        else:
            if "the answer is" in response:
                ans = (
                    response.rsplit("the answer is", 1)[-1]
                    .strip()
                    .strip()
                    .strip(".")
                    .strip()
                )
                jr["reason"] = ans
                score = max(exact_match_score(ans, sa) for sa in standard_answer)
            else:
                jr["reason"] = "boxed extraction failed"
                score = 0
        jr["is_correct"] = score
        judge_results.append(jr)
    return judge_results


def main():
    mode = sys.argv[1]
    for line in sys.stdin:
        rec = json.loads(line)
        if mode in ("stage1", "second-chance"):
            entry = {"outputs": rec["answers"],
                     "pred_list": [{"pred": r} for r in rec["responses"]]}
            total = sum(p["cem_score"] for p in cem_score(entry))
            keep = (1 <= total <= 6) if mode == "stage1" else \
                (total != 0 and total != 8)
        elif mode == "filter-again":
            jr = boxed_exact_match_judge({"outputs": rec["answers"],
                                          "pred_list": rec["responses"]})
            scores = [x["is_correct"] for x in jr]
            avg_acc = sum(scores) / max(len(scores), 1)
            keep = avg_acc < 1.0
        else:
            sys.exit("reference-filter.py: unknown mode " + mode)
        if keep:
            print(rec["id"])


if __name__ == "__main__":
    main()
