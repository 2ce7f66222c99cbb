/*
 * core/private.h - what every subsystem of libkc shares and no caller
 * needs: the one way to say "out of memory".
 */
#ifndef KC_CORE_PRIVATE_H
#define KC_CORE_PRIVATE_H

#include "kc.h"

/* Fill err (which may be NULL) with KC_ENOMEM and "out of memory";
 * returns KC_ENOMEM. */
kc_status kc_error_nomem(struct kc_error *err);

#endif
