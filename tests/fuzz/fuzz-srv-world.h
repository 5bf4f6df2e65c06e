/* SPDX-License-Identifier: MIT */
/*
 * The server the lecternd fuzz targets talk to: a real database in a temporary
 * directory, filled once per process with the demo content (srv_seed_demo), and the
 * demo users the targets act as. The directory is removed at exit. Inputs name existing
 * rows with placeholders (fuzz_srv_expand), since the demo ids are random.
 */
#ifndef LECTERN_FUZZ_SRV_WORLD_H
#define LECTERN_FUZZ_SRV_WORLD_H

#include "server-stub/srv.h"

enum fuzz_who {
	FUZZ_ANON = 0, /* no token */
	FUZZ_ADMIN,
	FUZZ_INSTRUCTOR, /* instructor, content-admin of the COMP courses */
	FUZZ_LEARNER,    /* enrolled in several courses */
	FUZZ_N_WHO,
};

/* The tables whose first row's id a "{name}" placeholder in an input stands for. */
#define FUZZ_N_IDS 10

struct fuzz_srv_world {
	struct srv_ctx ctx;
	struct store_db *db;
	struct srv_user users[FUZZ_N_WHO]; /* users[FUZZ_ANON] is unused */
	char ids[FUZZ_N_IDS][LC_UUID_LEN + 1];
};

/* The seeded world, set up on the first call; aborts when that fails. */
struct fuzz_srv_world *fuzz_srv_world(void);
/* The viewer for who, or NULL for FUZZ_ANON. */
const struct srv_user *fuzz_srv_viewer(struct fuzz_srv_world *w, enum fuzz_who who);
/*
 * Copies text (len bytes, NUL-terminated on return, caller frees) with every placeholder
 * "{course}", "{module}", "{item}", "{question}", "{topic}", "{reply}", "{enrollment}",
 * "{department}", "{attempt}" or "{user}" (the learner) replaced by a real id of the
 * seeded database. The demo ids are random, so seeds and dictionary name rows this way.
 */
char *fuzz_srv_expand(struct fuzz_srv_world *w, const char *text, size_t len);
/* Runs one request through srv_dispatch() and releases the response. */
void fuzz_srv_call(struct fuzz_srv_world *w, const struct srv_call *call);

#endif
