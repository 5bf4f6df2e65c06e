/* SPDX-License-Identifier: MIT */
/*
 * Signing in and out with profiles (issue 13), shared by the TUI and the command line, no
 * curses: which replica a sign-in lands in, what a sign-out does in each mode, and the one
 * place where the sync engine's options are filled for a replica (the kiosk's shared content
 * store joins there).
 */
#ifndef TUI_KIOSK_H
#define TUI_KIOSK_H

#include <stdbool.h>
#include <stdint.h>

#include "sync/engine.h"
#include "tui/tui.h"

/*
 * The sync engine's options for the replica at db_path: in kiosk mode with the shared
 * content store D/content.db as opts->content_path (allocated: free it with
 * tui_kiosk_sync_options_finish() once the engine is created, which copies it); NULL
 * outside kiosk mode.
 */
void tui_kiosk_sync_options(enum tui_kiosk kiosk, const char *data_dir, const char *db_path,
                            const char *server_url, struct sync_options *opts);
void tui_kiosk_sync_options_finish(struct sync_options *opts);

/*
 * Sends the replica's waiting writes (one whole sync). Returns 0 when none are left; else
 * the sync's error with *cause, and *lost (caller frees) says in words what is still
 * waiting and *n_lost how many ("2 forum replies in C201, 1 quiz attempt").
 */
int tui_kiosk_send_waiting(enum tui_kiosk kiosk, const char *data_dir, const char *db_path,
                           const char *server_url, char **lost, int64_t *n_lost, char **cause);

/*
 * The end of a sign-out once the person agreed (the waiting writes sent, or their loss
 * confirmed): revokes the session on the server when reachable and forgets the tokens
 * (sync_logout(): the replica is locked until the same user signs in again), then in
 * kiosk wipe mode wipes the profile's replica and folder (store_profile_wipe()).
 * db_path is D/replica.db outside kiosk mode, D/profiles/<id>/replica.db in it.
 */
int tui_kiosk_sign_out(enum tui_kiosk kiosk, const char *data_dir, const char *db_path,
                       char **cause);

/*
 * Kiosk background sync (config background_sync = yes; issue 13): a keep-mode sign-out
 * that could not send the waiting writes keeps the refresh token for them
 * (sync_logout_deferred()). tui_kiosk_sign_out() does that when background is true.
 */
int tui_kiosk_sign_out_background(const char *data_dir, const char *db_path, const char *server_url,
                                  char **cause);
/*
 * One round of it, while the kiosk sits on the sign-in screen: every profile marked
 * "revoke_pending" sends its waiting writes and, once none are left, is signed out for good
 * (its session revoked). *done (may be NULL) counts those. Returns 0, or the first error.
 */
int tui_kiosk_background_round(const char *data_dir, const char *server_url, int *done,
                               char **cause);

/* The user id of a profile replica path D/profiles/<id>/replica.db, or NULL. Caller frees. */
char *tui_kiosk_profile_id(const char *data_dir, const char *db_path);

#endif
