/* SPDX-License-Identifier: MIT */
/*
 * A course checkout as a git repository (coursegit.h), with libgit2 only. Trees are built
 * from a file list in an in-memory index, so lectern/server's commits never touch the
 * working tree; the working tree is only written by libgit2's checkout, which refuses to
 * overwrite a change it does not know (every operation commits the person's work first).
 */
#include "tui/coursegit.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <git2.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "tui/coursefiles-int.h"

static bool is_course_path(const char *path);

static int
gerr(char **cause, const char *what)
{
	const git_error *e = git_error_last();

	return lc_cause_set(cause, -LC_EIO, "%s: %s", what, e != NULL ? e->message : "libgit2");
}

/* Opens the repository at dir; libgit2 is initialised for as long as it is open. */
static int
repo_open(const char *dir, git_repository **repo, char **cause)
{
	git_libgit2_init();
	if (git_repository_open_ext(repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		git_libgit2_shutdown();
		return lc_cause_set(
		    cause, -LC_EINVAL,
		    "%s is not a course checkout (lectern course checkout makes one)", dir);
	}
	return 0;
}

static void
repo_close(git_repository *repo)
{
	git_repository_free(repo);
	git_libgit2_shutdown();
}

static int
signature(const char *author, git_signature **sig, char **cause)
{
	char *email = lc_asprintf("%s@lectern", author);
	int rc = git_signature_now(sig, author, email) < 0 ? gerr(cause, "signature") : 0;

	free(email);
	return rc;
}

/* The tree of files, written to the repository's objects (not to its index). */
static int
tree_of(git_repository *repo, const struct tui_cf_files *files, git_oid *tree, char **cause)
{
	git_index *idx = NULL;
	int rc = git_index_new(&idx) < 0 ? gerr(cause, "index") : 0;

	for (size_t i = 0; rc == 0 && i < files->n; i++) {
		git_index_entry e;

		memset(&e, 0, sizeof(e));
		e.mode = GIT_FILEMODE_BLOB;
		e.path = files->v[i].path;
		if (git_blob_create_from_buffer(&e.id, repo, files->v[i].data, files->v[i].len) <
		        0 ||
		    git_index_add(idx, &e) < 0)
			rc = gerr(cause, files->v[i].path);
	}
	if (rc == 0 && git_index_write_tree_to(tree, idx, repo) < 0)
		rc = gerr(cause, "write tree");
	git_index_free(idx);
	return rc;
}

static int
tree_files_cb(const char *root, const git_tree_entry *entry, void *payload)
{
	void **ctx = payload;
	git_repository *repo = ctx[0];
	struct tui_cf_files *out = ctx[1];
	git_blob *blob = NULL;
	char *path;

	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
		return 0;
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(entry)) < 0)
		return -1;
	path = lc_asprintf("%s%s", root, git_tree_entry_name(entry));
	tui_cf_files_add(out, path, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	free(path);
	git_blob_free(blob);
	return 0;
}

/* The files of the commit a reference names. */
static int
ref_files(git_repository *repo, const char *ref, struct tui_cf_files *out, git_oid *commit_id,
          char **cause)
{
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_oid id;
	void *ctx[2] = {repo, out};
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (git_reference_name_to_id(&id, repo, ref) < 0 ||
	    git_commit_lookup(&commit, repo, &id) < 0 || git_commit_tree(&tree, commit) < 0)
		rc = lc_cause_set(cause, -LC_EINVAL, "no %s in this checkout: %s", ref,
		                  git_error_last() != NULL ? git_error_last()->message : "?");
	if (rc == 0 && git_tree_walk(tree, GIT_TREEWALK_PRE, tree_files_cb, ctx) < 0)
		rc = gerr(cause, ref);
	if (rc == 0 && commit_id != NULL)
		*commit_id = id;
	git_tree_free(tree);
	git_commit_free(commit);
	if (rc < 0)
		tui_cf_files_free(out);
	return rc;
}

int
tui_cg_server_files(const char *dir, struct tui_cf_files *out, tui_cg_sha sha, char **cause)
{
	git_repository *repo = NULL;
	git_oid id;
	int rc = repo_open(dir, &repo, cause);

	if (rc < 0)
		return rc;
	rc = ref_files(repo, TUI_CG_SERVER_REF, out, &id, cause);
	if (rc == 0 && sha != NULL)
		git_oid_tostr(sha, sizeof(tui_cg_sha), &id);
	repo_close(repo);
	return rc;
}

int
tui_cg_course_id(const char *dir, char id[37], char **cause)
{
	struct tui_cf_files files = {0};
	const struct tui_cf_file *f;
	const char *line;
	int rc = tui_cg_server_files(dir, &files, NULL, cause);

	if (rc < 0)
		return rc;
	f = tui_cf_files_find(&files, TUI_CF_IDS);
	line = f != NULL ? strstr(f->data, " " TUI_CF_COURSE_FILE "\n") : NULL;
	if (line == NULL || line - f->data < LC_UUID_LEN ||
	    (line - LC_UUID_LEN != f->data && line[-LC_UUID_LEN - 1] != '\n')) {
		tui_cf_files_free(&files);
		return lc_cause_set(cause, -LC_EINVAL, "%s: lectern/server names no course", dir);
	}
	snprintf(id, 37, "%.*s", LC_UUID_LEN, line - LC_UUID_LEN);
	tui_cf_files_free(&files);
	return lc_uuid_valid(id) ? 0 : lc_cause_set(cause, -LC_EINVAL, "%s: a bad course id", dir);
}

/* ---- Checkout ---------------------------------------------------------------------------- */

static bool
dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool empty = true;

	if (d == NULL)
		return errno == ENOENT;
	while (empty && (de = readdir(d)) != NULL)
		empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
	closedir(d);
	return empty;
}

int
tui_cg_checkout(struct store_db *db, const char *course_id, const char *dir, const char *author,
                char **cause)
{
	git_repository_init_options init;
	git_checkout_options co;
	struct tui_cf_files files = {0};
	git_repository *repo = NULL;
	git_signature *sig = NULL;
	git_reference *ref = NULL;
	git_tree *tree = NULL;
	git_oid tree_id, commit_id;
	cJSON *course = NULL;
	char *msg = NULL;
	int rc;

	git_repository_init_options_init(&init, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	if (!dir_is_empty(dir))
		return lc_cause_set(cause, -LC_EINVAL, "%s exists and is not empty", dir);
	rc = tui_cf_from_replica(db, course_id, &course, cause);
	if (rc == 0)
		rc = tui_cf_emit(course, &files, cause);
	if (rc < 0)
		goto out;
	git_libgit2_init();
	init.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
	init.initial_head = TUI_CG_WORK_BRANCH;
	if (git_repository_init_ext(&repo, dir, &init) < 0) {
		rc = gerr(cause, dir);
		git_libgit2_shutdown();
		goto out;
	}
	rc = tree_of(repo, &files, &tree_id, cause);
	if (rc == 0)
		rc = signature(author, &sig, cause);
	if (rc == 0 && git_tree_lookup(&tree, repo, &tree_id) < 0)
		rc = gerr(cause, "tree");
	msg = lc_asprintf("lectern/server: the course as the replica has it\n\nCourse %s.\n",
	                  course_id);
	if (rc == 0 && git_commit_create(&commit_id, repo, TUI_CG_SERVER_REF, sig, sig, NULL, msg,
	                                 tree, 0, NULL) < 0)
		rc = gerr(cause, "commit");
	if (rc == 0 && git_reference_create(&ref, repo, "refs/heads/" TUI_CG_WORK_BRANCH,
	                                    &commit_id, 0, "checkout") < 0)
		rc = gerr(cause, "branch");
	co.checkout_strategy = GIT_CHECKOUT_FORCE;
	if (rc == 0 && git_checkout_head(repo, &co) < 0)
		rc = gerr(cause, "checkout");
	git_reference_free(ref);
	git_tree_free(tree);
	git_signature_free(sig);
	repo_close(repo);
out:
	free(msg);
	tui_cf_files_free(&files);
	cJSON_Delete(course);
	return rc;
}

/* ---- The working tree ---------------------------------------------------------------------- */

/* Whether a line of text is a conflict marker git's merge writes. */
static bool
marker_line(const char *p, size_t len)
{
	return (len >= 8 && (memcmp(p, "<<<<<<< ", 8) == 0 || memcmp(p, ">>>>>>> ", 8) == 0)) ||
	       (len == 7 && memcmp(p, "=======", 7) == 0);
}

static bool
has_markers(const struct tui_cf_file *f)
{
	const char *p = f->data, *end = f->data + f->len;
	bool open = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		if (len >= 8 && memcmp(p, "<<<<<<< ", 8) == 0)
			open = true;
		else if (open && marker_line(p, len) && p[0] == '>')
			return true;
		p = nl != NULL ? nl + 1 : end;
	}
	return false;
}

static int
conflicted_files(const char *dir, cJSON **out, char **cause)
{
	struct tui_cf_files work = {0};
	int rc = tui_cf_read_dir(dir, &work, cause);

	*out = cJSON_CreateArray();
	for (size_t i = 0; rc == 0 && i < work.n; i++)
		if (has_markers(&work.v[i]))
			cJSON_AddItemToArray(*out, cJSON_CreateString(work.v[i].path));
	tui_cf_files_free(&work);
	return rc;
}

/* The paths of an array, "a, b, c", for a message. */
static char *
joined(const cJSON *arr)
{
	struct lc_buf buf = {0};
	const cJSON *x;

	cJSON_ArrayForEach(x, arr)
	    lc_buf_printf(&buf, "%s%s", buf.len > 0 ? ", " : "", x->valuestring);
	return buf.data != NULL ? lc_buf_steal(&buf) : lc_strdup("");
}

int
tui_cg_commit_work(const char *dir, const char *author, const char *message, bool *made,
                   tui_cg_sha head, char **cause)
{
	git_repository *repo = NULL;
	git_index *idx = NULL;
	git_signature *sig = NULL;
	git_commit *parents[2] = {NULL, NULL};
	git_tree *tree = NULL;
	git_oid tree_id, head_id, merge_id, new_id;
	cJSON *conflicts = NULL;
	bool merging;
	int rc;

	*made = false;
	if ((rc = conflicted_files(dir, &conflicts, cause)) == 0 &&
	    cJSON_GetArraySize(conflicts) > 0) {
		char *list = joined(conflicts);

		rc = lc_cause_set(cause, -LC_ECONFLICT,
		                  "conflict markers remain in %s: edit them away first", list);
		free(list);
	}
	cJSON_Delete(conflicts);
	if (rc < 0 || (rc = repo_open(dir, &repo, cause)) < 0)
		return rc;
	merging = git_reference_name_to_id(&merge_id, repo, "MERGE_HEAD") == 0;
	if (git_repository_index(&idx, repo) < 0 ||
	    git_index_add_all(idx, NULL, GIT_INDEX_ADD_DEFAULT, NULL, NULL) < 0 ||
	    git_index_update_all(idx, NULL, NULL, NULL) < 0 || git_index_write(idx) < 0)
		rc = gerr(cause, "index");
	if (rc == 0 && git_index_has_conflicts(idx))
		rc = lc_cause_set(cause, -LC_ECONFLICT, "the merge of a pull is not finished");
	if (rc == 0 && (git_index_write_tree(&tree_id, idx) < 0 ||
	                git_reference_name_to_id(&head_id, repo, "HEAD") < 0 ||
	                git_commit_lookup(&parents[0], repo, &head_id) < 0 ||
	                git_tree_lookup(&tree, repo, &tree_id) < 0))
		rc = gerr(cause, "HEAD");
	if (rc == 0 && (merging || git_oid_cmp(&tree_id, git_commit_tree_id(parents[0])) != 0)) {
		if (merging && git_commit_lookup(&parents[1], repo, &merge_id) < 0)
			rc = gerr(cause, "MERGE_HEAD");
		if (rc == 0)
			rc = signature(author, &sig, cause);
		if (rc == 0 &&
		    git_commit_create(&new_id, repo, "HEAD", sig, sig, NULL, message, tree,
		                      merging ? 2 : 1, (const git_commit **)parents) < 0)
			rc = gerr(cause, "commit");
		if (rc == 0 && merging && git_repository_state_cleanup(repo) < 0)
			rc = gerr(cause, "merge state");
		if (rc == 0) {
			*made = true;
			head_id = new_id;
		}
	}
	if (rc == 0 && head != NULL)
		git_oid_tostr(head, sizeof(tui_cg_sha), &head_id);
	git_signature_free(sig);
	git_tree_free(tree);
	git_commit_free(parents[0]);
	git_commit_free(parents[1]);
	git_index_free(idx);
	repo_close(repo);
	return rc;
}

/* The diff from lectern/server's tip to the working tree, new files included. */
static int
server_to_work(git_repository *repo, git_diff **diff, bool content, char **cause)
{
	git_diff_options opts;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_oid id;
	int rc = 0;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS;
	if (content)
		opts.flags |= GIT_DIFF_SHOW_UNTRACKED_CONTENT;
	if (git_reference_name_to_id(&id, repo, TUI_CG_SERVER_REF) < 0 ||
	    git_commit_lookup(&commit, repo, &id) < 0 || git_commit_tree(&tree, commit) < 0 ||
	    git_diff_tree_to_workdir_with_index(diff, repo, tree, &opts) < 0)
		rc = gerr(cause, "diff");
	git_tree_free(tree);
	git_commit_free(commit);
	return rc;
}

int
tui_cg_changes(const char *dir, cJSON **changed, cJSON **conflicts, char **cause)
{
	git_repository *repo = NULL;
	git_diff *diff = NULL;
	int rc = repo_open(dir, &repo, cause);

	*changed = NULL;
	*conflicts = NULL;
	if (rc < 0)
		return rc;
	rc = server_to_work(repo, &diff, false, cause);
	if (rc == 0) {
		*changed = cJSON_CreateArray();
		for (size_t i = 0; i < git_diff_num_deltas(diff); i++) {
			const git_diff_delta *d = git_diff_get_delta(diff, i);

			/* A README or a picture is kept in git but never sent: not listed. */
			if (is_course_path(d->new_file.path) || is_course_path(d->old_file.path))
				cJSON_AddItemToArray(*changed,
				                     cJSON_CreateString(d->new_file.path));
		}
		rc = conflicted_files(dir, conflicts, cause);
	}
	git_diff_free(diff);
	repo_close(repo);
	if (rc < 0) {
		cJSON_Delete(*changed);
		cJSON_Delete(*conflicts);
		*changed = *conflicts = NULL;
	}
	return rc;
}

struct print_ctx {
	tui_cg_line_fn fn;
	void *ctx;
};

static int
print_line(const git_diff_delta *delta, const git_diff_hunk *hunk, const git_diff_line *line,
           void *payload)
{
	struct print_ctx *p = payload;

	if (is_course_path(delta->new_file.path) || is_course_path(delta->old_file.path))
		p->fn(line->origin, line->content, line->content_len, p->ctx);
	return 0;
}

int
tui_cg_diff(const char *dir, tui_cg_line_fn fn, void *ctx, char **cause)
{
	struct print_ctx p = {fn, ctx};
	git_repository *repo = NULL;
	git_diff *diff = NULL;
	int rc = repo_open(dir, &repo, cause);

	if (rc < 0)
		return rc;
	rc = server_to_work(repo, &diff, true, cause);
	if (rc == 0 && git_diff_print(diff, GIT_DIFF_FORMAT_PATCH, print_line, &p) < 0)
		rc = gerr(cause, "diff");
	git_diff_free(diff);
	repo_close(repo);
	return rc;
}

/* ---- lectern/server --------------------------------------------------------------------- */

int
tui_cg_commit_server(const char *dir, const struct tui_cf_files *files, const char *message,
                     const char *extra_parent, bool *made, tui_cg_sha sha, char **cause)
{
	git_repository *repo = NULL;
	git_signature *sig = NULL;
	git_commit *parents[2] = {NULL, NULL};
	git_tree *tree = NULL;
	git_oid tree_id, tip, extra, id;
	int rc = repo_open(dir, &repo, cause);

	*made = false;
	if (rc < 0)
		return rc;
	if (git_reference_name_to_id(&tip, repo, TUI_CG_SERVER_REF) < 0 ||
	    git_commit_lookup(&parents[0], repo, &tip) < 0)
		rc = gerr(cause, "lectern/server");
	if (rc == 0 && extra_parent != NULL &&
	    (git_oid_fromstr(&extra, extra_parent) < 0 ||
	     git_commit_lookup(&parents[1], repo, &extra) < 0))
		rc = gerr(cause, extra_parent);
	/* A push run again after a crash: its commit is there already. */
	for (unsigned i = 0;
	     rc == 0 && extra_parent != NULL && i < git_commit_parentcount(parents[0]); i++)
		if (git_oid_cmp(git_commit_parent_id(parents[0], i), &extra) == 0)
			extra_parent = NULL;
	if (rc == 0)
		rc = tree_of(repo, files, &tree_id, cause);
	id = tip;
	if (rc == 0 &&
	    (extra_parent != NULL || git_oid_cmp(&tree_id, git_commit_tree_id(parents[0])) != 0)) {
		if (git_tree_lookup(&tree, repo, &tree_id) < 0)
			rc = gerr(cause, "tree");
		if (rc == 0)
			rc = signature("lectern", &sig, cause);
		if (rc == 0 && git_commit_create(&id, repo, TUI_CG_SERVER_REF, sig, sig, NULL,
		                                 message, tree, extra_parent != NULL ? 2 : 1,
		                                 (const git_commit **)parents) < 0)
			rc = gerr(cause, "commit");
		*made = rc == 0;
	}
	if (rc == 0 && sha != NULL)
		git_oid_tostr(sha, sizeof(tui_cg_sha), &id);
	git_tree_free(tree);
	git_signature_free(sig);
	git_commit_free(parents[0]);
	git_commit_free(parents[1]);
	repo_close(repo);
	return rc;
}

/* Moves HEAD's branch to target and checks it out (a fast-forward). */
static int
fast_forward(git_repository *repo, const git_oid *target, char **cause)
{
	git_checkout_options co;
	git_reference *head = NULL, *moved = NULL;
	git_object *obj = NULL;
	int rc = 0;

	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_SAFE;
	if (git_object_lookup(&obj, repo, target, GIT_OBJECT_COMMIT) < 0 ||
	    git_checkout_tree(repo, obj, &co) < 0 || git_repository_head(&head, repo) < 0 ||
	    git_reference_set_target(&moved, head, target, "lectern: fast-forward") < 0)
		rc = gerr(cause, "fast-forward");
	git_reference_free(moved);
	git_reference_free(head);
	git_object_free(obj);
	return rc;
}

int
tui_cg_merge_server(const char *dir, const char *author, bool *conflicts, char **cause)
{
	git_merge_options mo;
	git_checkout_options co;
	git_annotated_commit *their = NULL;
	git_merge_analysis_t analysis = GIT_MERGE_ANALYSIS_NONE;
	git_merge_preference_t pref;
	git_reference *ref = NULL;
	git_index *idx = NULL;
	git_repository *repo = NULL;
	int rc = repo_open(dir, &repo, cause);
	bool made;

	*conflicts = false;
	if (rc < 0)
		return rc;
	git_merge_options_init(&mo, GIT_MERGE_OPTIONS_VERSION);
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	if (git_reference_lookup(&ref, repo, TUI_CG_SERVER_REF) < 0 ||
	    git_annotated_commit_from_ref(&their, repo, ref) < 0 ||
	    git_merge_analysis(&analysis, &pref, repo, (const git_annotated_commit **)&their, 1) <
	        0)
		rc = gerr(cause, "merge analysis");
	if (rc == 0 && (analysis & GIT_MERGE_ANALYSIS_UP_TO_DATE) != 0) {
		/* nothing to do */
	} else if (rc == 0 && (analysis & GIT_MERGE_ANALYSIS_FASTFORWARD) != 0) {
		rc = fast_forward(repo, git_annotated_commit_id(their), cause);
	} else if (rc == 0) {
		co.checkout_strategy = GIT_CHECKOUT_SAFE | GIT_CHECKOUT_ALLOW_CONFLICTS;
		if (git_merge(repo, (const git_annotated_commit **)&their, 1, &mo, &co) < 0 ||
		    git_repository_index(&idx, repo) < 0)
			rc = gerr(cause, "merge");
		if (rc == 0)
			*conflicts = git_index_has_conflicts(idx) != 0;
	}
	git_index_free(idx);
	git_annotated_commit_free(their);
	git_reference_free(ref);
	repo_close(repo);
	/* A clean merge is concluded at once; a conflicted one waits for the person. */
	if (rc == 0 && !*conflicts &&
	    (analysis & (GIT_MERGE_ANALYSIS_UP_TO_DATE | GIT_MERGE_ANALYSIS_FASTFORWARD)) == 0)
		rc = tui_cg_commit_work(dir, author,
		                        "Merge the server's changes (lectern course pull)", &made,
		                        NULL, cause);
	return rc;
}

/* Whether the mapping reads path (course.md, .lectern, a module's files). */
static bool
is_course_path(const char *path)
{
	const char *slash = strchr(path, '/');
	size_t len = strlen(path);

	if (slash == NULL)
		return strcmp(path, TUI_CF_COURSE_FILE) == 0 || strcmp(path, TUI_CF_IDS) == 0;
	return strspn(path, "0123456789") > 0 && strchr(slash + 1, '/') == NULL && len > 3 &&
	       strcmp(path + len - 3, ".md") == 0;
}

void
tui_cg_extras(const struct tui_cf_files *work, struct tui_cf_files *out)
{
	for (size_t i = 0; i < work->n; i++)
		if (!is_course_path(work->v[i].path))
			tui_cf_files_add(out, work->v[i].path, work->v[i].data, work->v[i].len);
}
