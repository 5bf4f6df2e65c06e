/* SPDX-License-Identifier: MIT */
/* Process-wide logging; see log.h. */
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "fsutil.h"
#include "log.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_fp;
static int log_owned;
static enum lc_log_level log_min = LC_LOG_INFO;

void
lc_log_to(FILE *fp, enum lc_log_level min_level)
{
	pthread_mutex_lock(&log_lock);
	if (log_owned && log_fp != NULL)
		fclose(log_fp);
	log_fp = fp;
	log_owned = 0;
	log_min = min_level;
	pthread_mutex_unlock(&log_lock);
}

int
lc_log_open(const char *path, enum lc_log_level min_level)
{
	FILE *fp;
	int fd;

	if (lc_mkdir_parents(path, 0700) != 0)
		return -LC_EIO;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -LC_EIO;
	fp = fdopen(fd, "a");
	if (fp == NULL) {
		close(fd);
		return -LC_EIO;
	}
	setvbuf(fp, NULL, _IOLBF, 0);
	lc_log_to(fp, min_level);
	pthread_mutex_lock(&log_lock);
	log_owned = 1;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void
lc_log_close(void)
{
	lc_log_to(NULL, LC_LOG_INFO);
}

static const char *
level_name(enum lc_log_level level)
{
	switch (level) {
	case LC_LOG_DEBUG:
		return "debug";
	case LC_LOG_INFO:
		return "info";
	case LC_LOG_WARN:
		return "warn";
	default:
		return "error";
	}
}

void
lc_log(enum lc_log_level level, const char *fmt, ...)
{
	char ts[LC_RFC3339_LEN + 1];
	va_list ap;

	pthread_mutex_lock(&log_lock);
	if (log_fp != NULL && level >= log_min) {
		lc_rfc3339(lc_now(), ts);
		fprintf(log_fp, "%s %s ", ts, level_name(level));
		va_start(ap, fmt);
		vfprintf(log_fp, fmt, ap);
		va_end(ap);
		fputc('\n', log_fp);
		fflush(log_fp);
	}
	pthread_mutex_unlock(&log_lock);
}

void
lc_log_line(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&log_lock);
	if (log_fp != NULL) {
		va_start(ap, fmt);
		vfprintf(log_fp, fmt, ap);
		va_end(ap);
		fputc('\n', log_fp);
		fflush(log_fp);
	}
	pthread_mutex_unlock(&log_lock);
}
