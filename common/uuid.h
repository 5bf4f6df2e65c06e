/* SPDX-License-Identifier: MIT */
/*
 * Random (version 4) UUIDs, the ids of every replicated row, and random tokens.
 * Randomness comes from the kernel (getrandom), never from rand().
 */
#ifndef LC_UUID_H
#define LC_UUID_H

#include <stdbool.h>
#include <stddef.h>

#define LC_UUID_LEN 36 /* characters, without the NUL */

/* Writes a new lowercase UUID v4 and a NUL into out (LC_UUID_LEN + 1 bytes). */
void lc_uuid_new(char out[LC_UUID_LEN + 1]);

/* True when s is a lowercase 8-4-4-4-12 hex UUID string (any version). */
bool lc_uuid_valid(const char *s);

/* Fills buf with len random bytes from the kernel; aborts if the kernel cannot. */
void lc_random_bytes(void *buf, size_t len);

#endif
