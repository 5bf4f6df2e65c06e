/* SPDX-License-Identifier: MIT */
/*
 * A course's changes as queued writes (coursepush.h). Order matters on the way out as on the
 * server: creates and edits first (a new module before its items), then moves (an item
 * leaves a module before that module is deleted), then deletes. Every write goes through
 * tui/write.h, which checks fields as the server would and sets If-Match from the replica;
 * `course push` makes sure first that the replica holds exactly lectern/server's version,
 * so that If-Match is the rev the person's edit was based on.
 */
#include "tui/coursepush.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "common/err.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/coursefiles.h"

struct push {
	const struct tui_writer *w;
	const cJSON *base;
	cJSON *work;
	const char *seed;
	char **cause;
};

void
tui_cp_derive_id(const char *seed, const char *what, char out[LC_UUID_LEN + 1])
{
	char *text = lc_asprintf("lectern course push\n%s\n%s", seed, what);
	unsigned char b[GIT_OID_RAWSZ];
	git_oid oid;

	/* SHA-1 of the text as a version-5-style UUID: the same commit and file, the same id. */
	git_odb_hash(&oid, text, strlen(text), GIT_OBJECT_BLOB);
	memcpy(b, oid.id, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x50);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, LC_UUID_LEN + 1,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
	         b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	         b[15]);
	free(text);
}

static const char *
text_of(const cJSON *doc, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *
kids(const cJSON *doc, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(doc, name);
}

/* The module, item or question with id in course, or NULL. */
static const cJSON *
find(const cJSON *course, const char *type, const char *id)
{
	const cJSON *m, *it, *q;

	cJSON_ArrayForEach(m, kids(course, "modules"))
	{
		if (strcmp(type, "module") == 0 && text_of(m, "id") != NULL &&
		    strcmp(text_of(m, "id"), id) == 0)
			return m;
		cJSON_ArrayForEach(it, kids(m, "items"))
		{
			if (strcmp(type, "item") == 0 && text_of(it, "id") != NULL &&
			    strcmp(text_of(it, "id"), id) == 0)
				return it;
			cJSON_ArrayForEach(q, kids(it, "questions"))
			{
				if (strcmp(type, "question") == 0 && text_of(q, "id") != NULL &&
				    strcmp(text_of(q, "id"), id) == 0)
					return q;
			}
		}
	}
	return NULL;
}

/* Whether a field may be set to null (a key taken out of the front matter clears it). */
static bool
clearable(const char *type, const char *field)
{
	static const char *const fields[] = {"course:description",
	                                     "course:code",
	                                     "course:keywords",
	                                     "course:department_id",
	                                     "item:body",
	                                     "item:url",
	                                     "item:due_at",
	                                     "item:points",
	                                     "item:max_attempts",
	                                     "question:choices",
	                                     "question:tolerance",
	                                     "question:explanation",
	                                     NULL};
	char key[64];

	snprintf(key, sizeof(key), "%s:%s", type, field);
	for (size_t i = 0; fields[i] != NULL; i++)
		if (strcmp(fields[i], key) == 0)
			return true;
	return false;
}

/* The fields that differ from base to work, as a PATCH body (caller frees). */
static cJSON *
changed_fields(const char *type, const cJSON *base, const cJSON *work)
{
	cJSON *mb = tui_cf_mapped(type, base), *mw = tui_cf_mapped(type, work);
	cJSON *out = cJSON_CreateObject();
	const cJSON *v;

	cJSON_ArrayForEach(v, mw)
	{
		if (!cJSON_Compare(cJSON_GetObjectItemCaseSensitive(mb, v->string), v, true))
			cJSON_AddItemToObject(out, v->string, cJSON_Duplicate(v, 1));
	}
	cJSON_ArrayForEach(v, mb)
	{
		if (!cJSON_HasObjectItem(mw, v->string) && clearable(type, v->string))
			cJSON_AddNullToObject(out, v->string);
	}
	cJSON_Delete(mb);
	cJSON_Delete(mw);
	return out;
}

/* Prefixes *cause with the file a refusal is about. */
static int
about(struct push *p, int rc, const cJSON *doc)
{
	const char *file = text_of(doc, "_file");

	if (rc < 0 && p->cause != NULL && *p->cause != NULL && file != NULL) {
		char *was = *p->cause;

		*p->cause = lc_asprintf("%s: %s", file, was);
		free(was);
	}
	return rc;
}

static int
patch(struct push *p, const char *type, const cJSON *base, const cJSON *work)
{
	cJSON *fields = changed_fields(type, base, work);
	int rc = 0;

	if (fields->child != NULL)
		rc = tui_queue_patch(p->w, type, text_of(work, "id"), fields, p->cause);
	cJSON_Delete(fields);
	return about(p, rc, work);
}

/* Creates work (no id yet) under parent_id, and gives it its derived id. */
static int
create(struct push *p, const char *type, const char *parent_id, cJSON *work, size_t n)
{
	cJSON *fields = tui_cf_mapped(type, work);
	char id[LC_UUID_LEN + 1], *what;
	int rc;

	what = lc_asprintf("%s %s %zu", type, text_of(work, "_file"), n);
	tui_cp_derive_id(p->seed, what, id);
	free(what);
	cJSON_AddStringToObject(fields, "id", id);
	rc = tui_queue_create(p->w, type, parent_id, fields, NULL, p->cause);
	cJSON_Delete(fields);
	cJSON_AddStringToObject(work, "id", id);
	return about(p, rc, work);
}

/* Creates or edits a module, item or question of work against base. */
static int
upsert(struct push *p, const char *type, const char *parent_id, cJSON *work, size_t n)
{
	const cJSON *was;

	if (text_of(work, "id") == NULL)
		return create(p, type, parent_id, work, n);
	was = find(p->base, type, text_of(work, "id"));
	if (was == NULL)
		return about(p,
		             lc_cause_set(p->cause, -LC_EINVAL,
		                          "%s names a %s lectern/server does not have (.lectern?)",
		                          text_of(work, "id"), type),
		             work);
	return patch(p, type, was, work);
}

static int
creates_and_edits(struct push *p)
{
	cJSON *m, *it, *q;
	const char *course_id = text_of(p->work, "id");
	size_t n = 0;
	int rc = patch(p, "course", p->base, p->work);

	cJSON_ArrayForEach(m, kids(p->work, "modules"))
	{
		if (rc == 0)
			rc = upsert(p, "module", course_id, m, n++);
		cJSON_ArrayForEach(it, (rc == 0 ? kids(m, "items") : NULL))
		{
			const char *kind = text_of(it, "kind");

			if (rc == 0)
				rc = upsert(p, "item", text_of(m, "id"), it, n++);
			if (kind == NULL || strcmp(kind, "quiz") != 0)
				continue;
			cJSON_ArrayForEach(q, (rc == 0 ? kids(it, "questions") : NULL))
			{
				if (rc == 0) {
					char *file = lc_asprintf("%s#%zu", text_of(it, "_file"), n);

					cJSON_AddStringToObject(q, "_file", file);
					free(file);
					rc = upsert(p, "question", text_of(it, "id"), q, n++);
				}
			}
		}
	}
	return rc;
}

/* The ids of the live children of parent on the replica, in order. */
static cJSON *
current_order(struct push *p, const char *type, const char *parent_id)
{
	struct store_resource_list list = {0};
	cJSON *ids = cJSON_CreateArray();

	if (store_resource_list(p->w->db, type, parent_id, NULL, STORE_ORDER_POSITION, &list) == 0)
		for (size_t i = 0; i < list.n; i++)
			cJSON_AddItemToArray(ids, cJSON_CreateString(list.items[i].id));
	store_resource_list_free(&list);
	return ids;
}

static int
index_in(const cJSON *ids, const char *id)
{
	int i = 0;
	const cJSON *x;

	cJSON_ArrayForEach(x, ids)
	{
		if (strcmp(x->valuestring, id) == 0)
			return i;
		i++;
	}
	return -1;
}

/*
 * Moves the children of parent (type) into the order of wanted (docs with ids), one move
 * for each one not already right after the one before it.
 */
static int
reorder(struct push *p, const char *type, const char *parent_id, const cJSON *wanted)
{
	cJSON *cur = current_order(p, type, parent_id);
	const cJSON *x, *prev = NULL;
	int rc = 0;

	cJSON_ArrayForEach(x, wanted)
	{
		const char *id = text_of(x, "id");
		int at = index_in(cur, id);
		bool placed =
		    prev != NULL ? at > 0 && at == index_in(cur, text_of(prev, "id")) + 1 : at == 0;

		if (rc == 0 && !placed) {
			if (prev != NULL)
				rc = tui_queue_move(p->w, type, id, NULL, text_of(prev, "id"),
				                    p->cause);
			else if (cJSON_GetArraySize(cur) > 0)
				rc = tui_queue_move(p->w, type, id,
				                    cJSON_GetArrayItem(cur, 0)->valuestring, NULL,
				                    p->cause);
			else
				rc = tui_queue_move_to_module(p->w, id, parent_id, p->cause);
			rc = about(p, rc, x);
			cJSON_Delete(cur);
			cur = current_order(p, type, parent_id);
		}
		prev = x;
	}
	cJSON_Delete(cur);
	return rc;
}

static int
moves(struct push *p)
{
	const cJSON *m, *it;
	int rc = reorder(p, "module", text_of(p->work, "id"), kids(p->work, "modules"));

	cJSON_ArrayForEach(m, kids(p->work, "modules"))
	{
		if (rc == 0)
			rc = reorder(p, "item", text_of(m, "id"), kids(m, "items"));
		cJSON_ArrayForEach(it, (rc == 0 ? kids(m, "items") : NULL))
		{
			const char *kind = text_of(it, "kind");

			if (rc == 0 && kind != NULL && strcmp(kind, "quiz") == 0)
				rc = reorder(p, "question", text_of(it, "id"),
				             kids(it, "questions"));
		}
	}
	return rc;
}

/* Deletes what base has and work does not; a child goes with its parent's delete. */
static int
deletes(struct push *p)
{
	const cJSON *m, *it, *q;
	int rc = 0;

	cJSON_ArrayForEach(m, kids(p->base, "modules"))
	{
		bool module_kept = find(p->work, "module", text_of(m, "id")) != NULL;

		cJSON_ArrayForEach(it, kids(m, "items"))
		{
			bool item_kept = find(p->work, "item", text_of(it, "id")) != NULL;

			cJSON_ArrayForEach(q, (item_kept ? kids(it, "questions") : NULL))
			{
				if (rc == 0 && find(p->work, "question", text_of(q, "id")) == NULL)
					rc = tui_queue_delete(p->w, "question", text_of(q, "id"),
					                      p->cause);
			}
			if (rc == 0 && !item_kept && module_kept)
				rc = about(
				    p, tui_queue_delete(p->w, "item", text_of(it, "id"), p->cause),
				    it);
		}
		if (rc == 0 && !module_kept)
			rc = about(p, tui_queue_delete(p->w, "module", text_of(m, "id"), p->cause),
			           m);
	}
	return rc;
}

int
tui_cp_queue(const struct tui_writer *w, const cJSON *base, cJSON *work, const char *seed,
             int *writes, char **cause)
{
	struct push p = {.w = w, .base = base, .work = work, .seed = seed, .cause = cause};
	int64_t before = 0, after = 0;
	int rc;

	*writes = 0;
	if (text_of(work, "id") == NULL || text_of(base, "id") == NULL ||
	    strcmp(text_of(work, "id"), text_of(base, "id")) != 0)
		return lc_cause_set(cause, -LC_EINVAL,
		                    "course.md is not the course of lectern/server (see .lectern)");
	store_outbox_count(w->db, &before);
	rc = creates_and_edits(&p);
	if (rc == 0)
		rc = moves(&p);
	if (rc == 0)
		rc = deletes(&p);
	store_outbox_count(w->db, &after);
	*writes = (int)(after - before);
	return rc;
}
