// SPDX-License-Identifier: GPL-2.0
/*
 * json.c: the one JSON writer (json-c).
 *
 * Commands build a json_object tree and hand it to vmv_json_print(),
 * which writes it on one line, or indented with -p/--pretty.  Numbers are
 * plain integers (bytes or pages, as the key says); addresses, raw
 * entries and PFNs are "0x..." strings, because JSON readers commonly
 * lose precision above 2^53.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmview-cli.h"

void vmv_json_print(struct json_object *obj)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	flags |= opts.pretty ? JSON_C_TO_STRING_PRETTY |
			       JSON_C_TO_STRING_SPACED :
			       JSON_C_TO_STRING_PLAIN;
	puts(json_object_to_json_string_ext(obj, flags));
	fflush(stdout);
}

struct json_object *vmv_json_hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

void vmv_json_add(struct json_object *o, const char *key,
		  struct json_object *v)
{
	json_object_object_add(o, key, v);
}

void vmv_json_add_str(struct json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, s ? json_object_new_string(s) : NULL);
}

void vmv_json_add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

void vmv_json_add_i64(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

void vmv_json_add_hex(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, vmv_json_hex(v));
}

void vmv_json_add_bool(struct json_object *o, const char *key, bool v)
{
	json_object_object_add(o, key, json_object_new_boolean(v));
}

struct json_object *vmv_json_list(const char *commas)
{
	struct json_object *a = json_object_new_array();
	const char *p = commas, *e;

	if (!p || !*p || !strcmp(p, "-"))
		return a;
	for (;;) {
		e = strchrnul(p, ',');
		if (e > p)
			json_object_array_add(a,
				json_object_new_string_len(p, e - p));
		if (!*e)
			break;
		p = e + 1;
	}
	return a;
}

/* "key: value" lines as an object: decimal values as numbers. */
struct json_object *vmv_json_kvs(const struct vmv_kvs *kvs)
{
	struct json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; i < kvs->n; i++) {
		const char *v = kvs->v[i].val;

		if (*v && strspn(v, "0123456789") == strlen(v))
			vmv_json_add_u64(o, kvs->v[i].key,
					 strtoull(v, NULL, 10));
		else
			vmv_json_add_str(o, kvs->v[i].key, v);
	}
	return o;
}
