/* SPDX-License-Identifier: MIT */
/*
 * The route table and the type table: every family's arrays collected in one place, and
 * the matcher that maps "GET /courses/3f.../modules" to a handler and its path params.
 * Patterns are split on '/', and "{name}" matches exactly one non-empty segment.
 */
#include <string.h>

#include "server-stub/srv.h"

static const struct srv_route *const route_tables[] = {
    srv_routes_auth,
    srv_routes_users,
    srv_routes_departments,
    srv_routes_sync,
    srv_routes_courses,
    srv_routes_modules,
    srv_routes_items,
    srv_routes_questions,
    srv_routes_learning,
    srv_routes_forums,
    srv_routes_invites, /* res-invites.c */
    NULL,
};

static const struct srv_type *const type_tables[] = {
    srv_types_users,    srv_types_departments, srv_types_courses,
    srv_types_modules,  srv_types_items,       srv_types_questions,
    srv_types_learning, srv_types_forums,      NULL,
};

bool
srv_route_match(const char *pattern, const char *path, const char **params, int *n_params,
                char *storage, size_t storage_len)
{
	const char *p = pattern, *s = path;
	size_t used = 0;

	*n_params = 0;
	while (*p && *s) {
		if (*p == '{') {
			const char *end = strchr(s, '/');
			size_t len = end ? (size_t)(end - s) : strlen(s);

			if (len == 0 || *n_params >= SRV_MAX_PARAMS || used + len + 1 > storage_len)
				return false;
			memcpy(storage + used, s, len);
			storage[used + len] = '\0';
			params[(*n_params)++] = storage + used;
			used += len + 1;
			s += len;
			p = strchr(p, '}');
			if (p == NULL)
				return false;
			p++;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

const struct srv_route *
srv_route_find(const char *method, const char *path, struct srv_req *req, bool *path_known)
{
	const char *params[SRV_MAX_PARAMS];
	char scratch[512];
	int n;

	*path_known = false;
	for (int t = 0; route_tables[t]; t++) {
		for (const struct srv_route *r = route_tables[t]; r->method; r++) {
			if (!srv_route_match(r->pattern, path, params, &n, scratch,
			                     sizeof(scratch)))
				continue;
			*path_known = true;
			if (strcmp(r->method, method) != 0)
				continue;
			memcpy(req->param_storage, scratch, sizeof(scratch));
			req->n_params = n;
			for (int i = 0; i < n; i++)
				req->params[i] = req->param_storage + (params[i] - scratch);
			return r;
		}
	}
	return NULL;
}

srv_render_fn
srv_type_render(const char *type)
{
	for (int t = 0; type_tables[t]; t++)
		for (const struct srv_type *ty = type_tables[t]; ty->name; ty++)
			if (strcmp(ty->name, type) == 0)
				return ty->render;
	return NULL;
}
