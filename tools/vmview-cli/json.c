// SPDX-License-Identifier: GPL-2.0
/*
 * json.c: the one JSON writer: json-c's trees, and a streaming writer
 * that prints what json-c would print.
 *
 * Commands build a json_object tree and hand it to vmv_json_print(),
 * which writes it on one line, or indented with -p/--pretty.  Numbers are
 * plain integers (bytes or pages, as the key says); addresses, raw
 * entries and PFNs are "0x..." strings, because JSON readers commonly
 * lose precision above 2^53.
 *
 * What is too long to build as a tree first, ptes' entries (a process
 * has millions; a json-c tree costs about twenty allocations an entry,
 * and ptes printed that way cost 500 times a read of PID/ptes), goes
 * through struct vmv_jw instead: values written as they come into a
 * buffer that goes to stdio 8 KiB at a time, nothing allocated, with
 * json-c's own rules (vmv_json_flags(): JSON_C_TO_STRING_PLAIN, or
 * PRETTY | SPACED, both with NOSLASHESCAPE), so that the bytes are the
 * same as a tree's:
 *   - "{" and "["; before each member "," unless it is the first, then
 *     with --pretty a newline and two spaces for each object and array
 *     open; "\"key\":" (pretty: "\"key\": "); at the end, with
 *     --pretty, a newline and the container's own indentation (also
 *     when empty: json-c prints an empty array as "[\n  ]" one level
 *     in), then "}" or "]";
 *   - strings as json_escape_str() escapes them: \" \\ \b \f \n \r \t,
 *     other bytes below 0x20 as \u00XX (lower-case hex), everything
 *     else (DEL, "/", bytes of UTF-8 or not) as it is;
 *   - integers in decimal, signed or not as json-c's int64 and uint64.
 * The host tests hold the two to the same bytes (tests/test_cli.c: every
 * byte value in a string, every kind of entry, the whole ptes document).
 *
 * Why not json-c's own printing: it has no streaming interface; it
 * prints a tree (reused or not, an entry's tree still has to be made,
 * and its arrays and optional members change from entry to entry).  Why
 * not yajl's generator: a new dependency (also for the static guest
 * builds) whose spacing and escapes differ from json-c's, so the output
 * would change or need the same care as this; the writer is small.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmview-cli.h"

int vmv_json_flags(void)
{
	return JSON_C_TO_STRING_NOSLASHESCAPE |
	       (vmv_opts.pretty ? JSON_C_TO_STRING_PRETTY |
				  JSON_C_TO_STRING_SPACED :
				  JSON_C_TO_STRING_PLAIN);
}

void vmv_json_print(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, vmv_json_flags()));
	fflush(stdout);
}

/*
 * The head (taken) with an empty array named key, printed up to and
 * including the array's "[": what follows "[" in the empty array's form
 * ("]}", or "\n  ]\n}" pretty) is kept for vmv_json_stream_end().
 */
void vmv_json_stream_begin(struct vmv_json_stream *s, struct json_object *head,
			   const char *key)
{
	const char *str, *lb;

	vmv_json_add(head, key, json_object_new_array());
	str = json_object_to_json_string_ext(head, vmv_json_flags());
	lb = strrchr(str, '[');
	fwrite(str, 1, lb + 1 - str, stdout);
	s->suffix = strdup(lb + 1);
	/* the array's elements: inside the head and the array */
	s->w.f = stdout;
	s->w.pretty = vmv_opts.pretty;
	s->w.level = 2;
	s->w.first = true;
	s->w.n = 0;
	json_object_put(head);
}

void vmv_json_stream_end(struct vmv_json_stream *s)
{
	vmv_jw_flush(&s->w);
	fputs(s->suffix ? s->suffix : "]}", stdout);
	putchar('\n');
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

/* --- the streaming writer ----------------------------------------------- */

/* What w holds so far, out (vmv_write_out(): no copy through stdio). */
void vmv_jw_flush(struct vmv_jw *w)
{
	vmv_write_out(w->f, w->buf, w->n, &w->err);
	w->n = 0;
}

/*
 * Into w's own buffer: a call of fwrite() for every few bytes was a third
 * of the time; a write() for 64 KiB is not.
 */
static inline void jw_put(struct vmv_jw *w, const char *s, size_t n)
{
	if (w->n + n > sizeof(w->buf)) {
		vmv_jw_flush(w);
		if (n > sizeof(w->buf)) {
			vmv_write_out(w->f, s, n, &w->err);
			return;
		}
	}
	memcpy(w->buf + w->n, s, n);
	w->n += n;
}

static inline void jw_putc(struct vmv_jw *w, char c)
{
	if (w->n == sizeof(w->buf))
		vmv_jw_flush(w);
	w->buf[w->n++] = c;
}

#define JW_PUT(w, lit)	jw_put(w, lit, sizeof(lit) - 1)

/*
 * A byte as json_escape_str() writes it: 0 as it is, else the letter
 * after the backslash ('u': \u00XX).
 */
static const char jw_escape[256] = {
	['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r',
	[0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u',
	[0x05] = 'u', [0x06] = 'u', [0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u',
	[0x0f] = 'u', [0x10] = 'u', [0x11] = 'u', [0x12] = 'u', [0x13] = 'u',
	[0x14] = 'u', [0x15] = 'u', [0x16] = 'u', [0x17] = 'u', [0x18] = 'u',
	[0x19] = 'u', [0x1a] = 'u', [0x1b] = 'u', [0x1c] = 'u', [0x1d] = 'u',
	[0x1e] = 'u', [0x1f] = 'u', ['"'] = '"', ['\\'] = '\\',
};

/*
 * s quoted and escaped, up to its NUL or (if stop is not NUL) to the
 * first stop; returns where it ended.  Copied a byte at a time, straight
 * into buf through a local pointer (through w->n the compiler would
 * reload it after every byte, as a char store may change it): faster
 * than looking for what to escape first, for the short strings here.
 */
static inline __attribute__((always_inline)) const char *
jw_quoted(struct vmv_jw *w, const char *s, char stop)	/* 15 % of -j ptes */
{
	static const char hex[] = "0123456789abcdef";
	/* room for the longest, \u00XX, and the closing quote */
	char *o, *lim = w->buf + sizeof(w->buf) - 7;
	unsigned char c;

	if (w->n + 8 > sizeof(w->buf))
		vmv_jw_flush(w);
	o = w->buf + w->n;
	*o++ = '"';
	for (; (c = *s) != '\0' && c != (unsigned char)stop; s++) {
		if (o > lim) {
			w->n = o - w->buf;
			vmv_jw_flush(w);
			o = w->buf;
		}
		if (!jw_escape[c]) {
			*o++ = c;
			continue;
		}
		*o++ = '\\';
		*o++ = jw_escape[c];
		if (jw_escape[c] == 'u') {
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 0xf];
		}
	}
	*o++ = '"';
	w->n = o - w->buf;
	return s;
}

/* A newline and the indentation of level: two spaces each, as json-c. */
static void jw_newline(struct vmv_jw *w, unsigned int level)
{
	static const char spaces[] = "                                ";
	size_t n = 2 * (size_t)level;

	jw_putc(w, '\n');
	for (; n > sizeof(spaces) - 1; n -= sizeof(spaces) - 1)
		jw_put(w, spaces, sizeof(spaces) - 1);
	jw_put(w, spaces, n);
}

void vmv_jw_key(struct vmv_jw *w, const char *key)
{
	if (!w->level)
		return;		/* the document itself */
	if (!w->first)
		jw_putc(w, ',');
	w->first = false;
	if (w->pretty)
		jw_newline(w, w->level);
	if (!key)
		return;
	jw_quoted(w, key, '\0');
	if (w->pretty)
		JW_PUT(w, ": ");
	else
		jw_putc(w, ':');
}

/* Digits of v in base (10 or 16, lower case) at the end of buf; their start. */
static char *jw_digits(char *end, uint64_t v, unsigned int base)
{
	static const char digit[] = "0123456789abcdef";

	do {
		*--end = digit[v % base];
		v /= base;
	} while (v);
	return end;
}

void vmv_jw_open(struct vmv_jw *w, const char *key, char bracket)
{
	vmv_jw_key(w, key);
	jw_putc(w, bracket);
	w->level++;
	w->first = true;
}

void vmv_jw_close(struct vmv_jw *w, char bracket)
{
	if (w->pretty)
		jw_newline(w, w->level - 1);
	w->level--;
	jw_putc(w, bracket);
	w->first = false;
}

void vmv_jw_str(struct vmv_jw *w, const char *key, const char *s)
{
	vmv_jw_key(w, key);
	if (s)
		jw_quoted(w, s, '\0');
	else
		JW_PUT(w, "null");
}

void vmv_jw_null(struct vmv_jw *w, const char *key)
{
	vmv_jw_key(w, key);
	JW_PUT(w, "null");
}

void vmv_jw_u64(struct vmv_jw *w, const char *key, uint64_t v)
{
	char buf[24], *end = buf + sizeof(buf), *p = jw_digits(end, v, 10);

	vmv_jw_key(w, key);
	jw_put(w, p, end - p);
}

void vmv_jw_i64(struct vmv_jw *w, const char *key, int64_t v)
{
	char buf[24], *end = buf + sizeof(buf), *p;

	p = jw_digits(end, v < 0 ? -(uint64_t)v : (uint64_t)v, 10);
	if (v < 0)
		*--p = '-';
	vmv_jw_key(w, key);
	jw_put(w, p, end - p);
}

/* As vmv_json_hex(): "0x..." */
void vmv_jw_hex(struct vmv_jw *w, const char *key, uint64_t v)
{
	char buf[24], *end = buf + sizeof(buf), *p = jw_digits(end - 1, v, 16);

	end[-1] = '"';
	*--p = 'x';
	*--p = '0';
	*--p = '"';
	vmv_jw_key(w, key);
	jw_put(w, p, end - p);
}

/* As vmv_json_list(): the words of "a,b,c" (none for "-" or ""). */
void vmv_jw_words(struct vmv_jw *w, const char *key, const char *commas)
{
	const char *p = commas;

	vmv_jw_open(w, key, '[');
	if (p && strcmp(p, "-")) {
		for (; *p; p++) {
			if (*p == ',')
				continue;	/* an empty word: none */
			vmv_jw_key(w, NULL);
			p = jw_quoted(w, p, ',');
			if (!*p)
				break;
		}
	}
	vmv_jw_close(w, ']');
}
