/* SPDX-License-Identifier: MIT */
/*
 * Code review 2026-11-29, F12: the background sync thread waited for its next round with
 * pthread_cond_timedwait() on a condition using CLOCK_REALTIME, so stepping the wall clock
 * back by an hour stretched the wait by an hour. The condition must use CLOCK_MONOTONIC and
 * the deadline must be on that clock.
 *
 * Stepping the machine's clock is not something a test may do, so this one watches the two
 * calls instead: it defines pthread_condattr_setclock() and pthread_cond_timedwait() itself
 * (the engine, linked statically into this program, binds to these), records what the
 * engine passes, and calls libc's through dlsym(RTLD_NEXT). The engine runs for real on a
 * replica without a server, so its first round fails and it waits out the back-off.
 */
#include <assert.h>
#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/mem.h"
#include "sync/engine.h"

static atomic_int cond_clock = -1;   /* the clock the engine's condition was given */
static atomic_llong wait_deadline_s; /* tv_sec of the first timed wait */
static atomic_bool waited;           /* a timed wait happened */

/* libc's function of that name (ISO C has no cast from dlsym's void * to a function). */
static void
real_fn(const char *name, void *fn_ptr, size_t size)
{
	void *sym = dlsym(RTLD_NEXT, name);

	assert(sym != NULL);
	memcpy(fn_ptr, &sym, size);
}

int
pthread_condattr_setclock(pthread_condattr_t *attr, clockid_t clock)
{
	int (*real)(pthread_condattr_t *, clockid_t);

	real_fn("pthread_condattr_setclock", &real, sizeof(real));
	atomic_store(&cond_clock, (int)clock);
	return real(attr, clock);
}

int
pthread_cond_timedwait(pthread_cond_t *restrict cond, pthread_mutex_t *restrict mutex,
                       const struct timespec *restrict abstime)
{
	int (*real)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);

	real_fn("pthread_cond_timedwait", &real, sizeof(real));
	if (!atomic_load(&waited)) {
		atomic_store(&wait_deadline_s, (long long)abstime->tv_sec);
		atomic_store(&waited, true);
	}
	return real(cond, mutex, abstime);
}

static void
test_engine_waits_on_the_monotonic_clock(void **state)
{
	char dir[] = "/tmp/lectern-engine-XXXXXX";
	struct sync_options opts = {0};
	struct sync_engine *e = NULL;
	struct timespec mono, wall;
	char *path;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = lc_asprintf("%s/replica.db", dir);
	opts.db_path = path; /* no server and no login: every round fails, then backs off */
	assert_int_equal(sync_engine_create(&opts, &e, NULL), 0);
	assert_int_equal(atomic_load(&cond_clock), CLOCK_MONOTONIC);
	assert_int_equal(sync_engine_start(e, 60), 0);
	/* Waits for the thread to reach its back-off (2 s after the first failure at most). */
	for (int i = 0; i < 3000 && !atomic_load(&waited); i++)
		usleep(10000);
	assert_true(atomic_load(&waited));
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &wall);
	/* The deadline is a few seconds ahead on the monotonic clock (back-off at most 300 s). */
	assert_true(atomic_load(&wait_deadline_s) >= (long long)mono.tv_sec - 60);
	assert_true(atomic_load(&wait_deadline_s) <= (long long)mono.tv_sec + 400);
	/* And not on the wall clock, which counts from 1970 (the clocks differ by decades). */
	assert_true(wall.tv_sec - mono.tv_sec > 1000000);
	sync_engine_destroy(e);
	for (int i = 0; i < 3; i++) {
		char *file = lc_asprintf("%s%s", path, (const char *[]){"", "-wal", "-shm"}[i]);

		unlink(file);
		free(file);
	}
	free(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_engine_waits_on_the_monotonic_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
