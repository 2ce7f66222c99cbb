/*
 * kc_ask.h - the OpenAI-compatible client (kc-ask)
 * (included by kc.h; do not include it directly).
 */
#ifndef KC_ASK_H
#define KC_ASK_H

#endif /* KC_ASK_H */
