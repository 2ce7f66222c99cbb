/*
 * error.c - result codes and the error record the library fills in.
 *
 * The library never prints: a failing function stores a message in the
 * caller's struct kc_error and returns a kc_status; the tools decide how
 * to show it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kc.h"
#include "core/private.h"

static const char *const messages[KC_ESTATUS_MAX] = {
	[KC_OK] = "success",
	[KC_EOF] = "end of input",
	[KC_ENOMEM] = "out of memory",
	[KC_EIO] = "input/output error",
	[KC_EJSON] = "malformed JSON",
	[KC_EFIELD] = "missing or ill-typed field",
	[KC_EUTF8] = "invalid UTF-8",
	[KC_ETOOLONG] = "over the size limit",
	[KC_EINVAL] = "invalid argument",
	[KC_EUNSUPPORTED] = "not supported",
	[KC_ENOTFOUND] = "not found",
	[KC_EBUDGET] = "does not fit the token budget",
	[KC_EPOOL] = "pool too small",
	[KC_EVERIFY] = "verification failed",
	[KC_ENET] = "network error",
	[KC_ESERVER] = "server error",
	[KC_EFORMAT] = "malformed file",
};

const char *kc_strerror(kc_status status)
{
	if ((unsigned)status >= KC_ESTATUS_MAX || !messages[status])
		return "unknown error";
	return messages[status];
}

kc_status kc_error_set(struct kc_error *err, kc_status status,
                       const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return status;
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof err->text, fmt, ap);
	va_end(ap);
	return status;
}

void kc_error_clear(struct kc_error *err)
{
	if (err)
		memset(err, 0, sizeof *err);
}

kc_status kc_error_nomem(struct kc_error *err)
{
	return kc_error_set(err, KC_ENOMEM, "out of memory");
}

kc_status kc_error_io(struct kc_error *err, const char *what)
{
	int e = errno;

	kc_error_set(err, KC_EIO, "%s: %s", what, strerror(e));
	if (err)
		err->saved_errno = e;
	return KC_EIO;
}
