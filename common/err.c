/* SPDX-License-Identifier: MIT */
/* Error names and the cause helper; see err.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "err.h"
#include "mem.h"

const char *
lc_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case LC_OK:
		return "success";
	case LC_EIO:
		return "input/output error";
	case LC_EDB:
		return "database error";
	case LC_ENET:
		return "network error";
	case LC_EAUTH:
		return "authentication required";
	case LC_ECONFLICT:
		return "conflict";
	case LC_EPROTO:
		return "protocol error";
	case LC_EINVAL:
		return "invalid argument";
	case LC_ENOMEM:
		return "out of memory";
	case LC_ENOTFOUND:
		return "not found";
	case LC_EPERM:
		return "permission denied";
	case LC_EFOREIGN:
		return "foreign or newer file";
	default:
		return "unknown error";
	}
}

int
lc_cause_set(char **cause, int err, const char *fmt, ...)
{
	va_list ap;

	if (cause == NULL)
		return err;
	free(*cause);
	va_start(ap, fmt);
	*cause = lc_vasprintf(fmt, ap);
	va_end(ap);
	return err;
}
