/* SPDX-License-Identifier: MIT */
/*
 * A lecternd context on a temporary database seeded with the demo campus, for unit tests
 * that call the server's handlers in process (test-srv-seed.c, test-tui-coursefiles.c).
 */
#ifndef TESTS_UNIT_SRV_DEMO_FIXTURE_H
#define TESTS_UNIT_SRV_DEMO_FIXTURE_H

#include "server-stub/srv.h"

struct fixture {
	char dir[64];
	char path[128];
	struct srv_ctx ctx;
};

/* cmocka group setup/teardown: *state becomes a struct fixture. */
int srv_demo_setup(void **state);
int srv_demo_teardown(void **state);

#endif
