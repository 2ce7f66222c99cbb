/*
 * core/private.h - what every subsystem of libkc shares and no caller
 * needs: the one way to say "out of memory" or a failed read or write,
 * and the names of an enum's
 * values.
 */
#ifndef KC_CORE_PRIVATE_H
#define KC_CORE_PRIVATE_H

#include <stdarg.h>

#include "kc.h"

/* Fill err (which may be NULL) with KC_ENOMEM and "out of memory";
 * returns KC_ENOMEM. */
kc_status kc_error_nomem(struct kc_error *err);

/* kc_buf_printf with a va_list. */
kc_status kc_buf_vprintf(kc_buf *b, const char *fmt, va_list ap);

/* Fill err (which may be NULL) with KC_EIO, "WHAT: strerror(errno)" and
 * the errno; returns KC_EIO.  Call it right after the failing call. */
kc_status kc_error_io(struct kc_error *err, const char *what);

/*
 * The names of an enum's values, names[0..n) in value order.
 * kc_name_of: the name of `value`, or NULL out of range.
 * kc_name_parse: the value named `s` into *value; for another name,
 * KC_EINVAL and err says "unknown WHAT 'S' (a, b or c)".
 */
const char *kc_name_of(const char *const *names, size_t n, int value);
kc_status kc_name_parse(const char *const *names, size_t n, const char *what,
                        const char *s, int *value, struct kc_error *err);

#define KC_NAMES(a) (a), (sizeof (a) / sizeof *(a))

/* Order of length labels: "4k" < "8k" < "16k" < "128k", then any other
 * ("-", "other") by name. */
int kc_length_label_cmp(const char *a, const char *b);

#endif
