/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/srv-demo-fixture.h"

int
srv_demo_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char *cause = NULL;

	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/lectern-demo-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/lecternd.db", f->dir);
	assert_int_equal(srv_ctx_init(&f->ctx, f->path, &cause), 0);
	assert_int_equal(srv_seed_demo(&f->ctx, &cause), 0);
	free(cause);
	*state = f;
	return 0;
}

int
srv_demo_teardown(void **state)
{
	struct fixture *f = *state;
	char p[160];

	srv_ctx_finish(&f->ctx);
	unlink(f->path);
	snprintf(p, sizeof p, "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", f->path);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}
