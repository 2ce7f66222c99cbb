/*
 * kc_pipe.h - the pool, long-context filling, chains, rendering and verification
 * (included by kc.h; do not include it directly).
 */
#ifndef KC_PIPE_H
#define KC_PIPE_H

#endif /* KC_PIPE_H */
