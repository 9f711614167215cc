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

static int json_flags(void)
{
	return JSON_C_TO_STRING_NOSLASHESCAPE |
	       (vmv_opts.pretty ? JSON_C_TO_STRING_PRETTY |
				  JSON_C_TO_STRING_SPACED :
				  JSON_C_TO_STRING_PLAIN);
}

void vmv_json_print(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, json_flags()));
	fflush(stdout);
}

/*
 * json-c prints an array member as "[", then each element (pretty: on a
 * line of its own, indented one level deeper than the member: 4 spaces
 * here, the member being at the top level), then what follows "[" in the
 * empty array's form ("]}" or "\n  ]\n}").
 */
void vmv_json_stream_begin(struct vmv_json_stream *s, struct json_object *head,
			   const char *key)
{
	const char *str, *lb;

	vmv_json_add(head, key, json_object_new_array());
	str = json_object_to_json_string_ext(head, json_flags());
	lb = strrchr(str, '[');
	fwrite(str, 1, lb + 1 - str, stdout);
	s->suffix = strdup(lb + 1);
	s->n = 0;
	json_object_put(head);
}

void vmv_json_stream_add(struct vmv_json_stream *s, struct json_object *e)
{
	const char *p = json_object_to_json_string_ext(e, json_flags());

	if (s->n++)
		putchar(',');
	if (vmv_opts.pretty) {
		fputs("\n    ", stdout);
		for (; *p; p++) {
			putchar(*p);
			if (*p == '\n')
				fputs("    ", stdout);
		}
	} else {
		fputs(p, stdout);
	}
	json_object_put(e);
}

void vmv_json_stream_end(struct vmv_json_stream *s)
{
	puts(s->suffix ? s->suffix : "]}");
	free(s->suffix);
	s->suffix = NULL;
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
