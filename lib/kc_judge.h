/*
 * kc_judge.h - answer extraction and rule-based rewards (kc-judge, kc-filter)
 * (included by kc.h; do not include it directly).
 */
#ifndef KC_JUDGE_H
#define KC_JUDGE_H

#endif /* KC_JUDGE_H */
