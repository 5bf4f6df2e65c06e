/* SPDX-License-Identifier: MIT */
/*
 * Time helpers: monotonic milliseconds for timeouts and back-off, wall-clock seconds and
 * RFC 3339 UTC timestamps ("2026-11-23T06:11:12Z") as the wire contract writes them.
 */
#ifndef LC_CLOCK_H
#define LC_CLOCK_H

#include <stdint.h>
#include <time.h>

#define LC_RFC3339_LEN 20 /* characters, without the NUL */

/* Milliseconds from an arbitrary fixed point; never goes backwards. */
int64_t lc_monotonic_ms(void);
/* The same clock in microseconds (benchmarks time single requests with it). */
int64_t lc_monotonic_us(void);
/* Wall-clock seconds since the epoch. */
int64_t lc_now(void);
/* Formats t as RFC 3339 UTC into out (LC_RFC3339_LEN + 1 bytes). */
void lc_rfc3339(int64_t t, char out[LC_RFC3339_LEN + 1]);
/*
 * Parses an RFC 3339 timestamp ("Z" or a numeric offset, optional fraction) into seconds
 * since the epoch. Returns 0, or -LC_EINVAL when s is not such a timestamp.
 */
int lc_rfc3339_parse(const char *s, int64_t *out);

#endif
