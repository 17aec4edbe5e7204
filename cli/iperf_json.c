// SPDX-License-Identifier: MIT
/*
 * iperf3's JSON (cli/iperf_json.h): a recursive-descent parser with a
 * depth bound (the peer's blob is untrusted input) and a printer that
 * lays values out as cJSON_Print / cJSON_PrintUnformatted do.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iperf_json.h"

#define IJSON_MAX_DEPTH 32

struct ijson *ijson_new(enum ijson_type type)
{
	struct ijson *j = calloc(1, sizeof(*j));

	if (j)
		j->type = type;
	return j;
}

void ijson_free(struct ijson *j)
{
	while (j) {
		struct ijson *n = j->next;

		ijson_free(j->child);
		free(j->key);
		free(j->str);
		free(j);
		j = n;
	}
}

/* ---- parser ---- */

struct ijson_in {
	const char *s, *end;
};

static void ijson_ws(struct ijson_in *in)
{
	while (in->s < in->end && (*in->s == ' ' || *in->s == '\t' || *in->s == '\n' ||
				   *in->s == '\r'))
		in->s++;
}

static int ijson_hex4(const char *s, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/* A string at in->s (the opening quote); malloc'd, NULL on error.
 * \u escapes become UTF-8 (surrogate pairs are not joined: iperf3 never
 * sends them, and a lone one is kept as its 3-byte form). */
static char *ijson_string(struct ijson_in *in)
{
	const char *p = in->s + 1;
	size_t cap = 16, n = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	for (;;) {
		unsigned c;

		if (p >= in->end)
			goto bad;
		c = (unsigned char)*p++;
		if (c == '"')
			break;
		if (c < 0x20)
			goto bad;
		if (c == '\\') {
			if (p >= in->end)
				goto bad;
			switch (*p++) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				if (in->end - p < 4 || ijson_hex4(p, &c))
					goto bad;
				p += 4;
				break;
			default:
				goto bad;
			}
		}
		if (n + 4 >= cap) {
			char *m = realloc(out, cap *= 2);

			if (!m)
				goto bad;
			out = m;
		}
		if (c < 0x80) {
			out[n++] = (char)c;
		} else if (c < 0x800) {
			out[n++] = (char)(0xc0 | (c >> 6));
			out[n++] = (char)(0x80 | (c & 0x3f));
		} else {
			out[n++] = (char)(0xe0 | (c >> 12));
			out[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[n++] = (char)(0x80 | (c & 0x3f));
		}
	}
	out[n] = '\0';
	in->s = p;
	return out;
bad:
	free(out);
	return NULL;
}

static struct ijson *ijson_value(struct ijson_in *in, int depth);

/* Members of an object or elements of an array, up to @close. */
static struct ijson *ijson_container(struct ijson_in *in, int depth, bool object)
{
	struct ijson *j = ijson_new(object ? IJSON_OBJECT : IJSON_ARRAY);
	char close = object ? '}' : ']';

	if (!j)
		return NULL;
	in->s++;
	ijson_ws(in);
	if (in->s < in->end && *in->s == close) {
		in->s++;
		return j;
	}
	for (;;) {
		char *key = NULL;
		struct ijson *v;

		ijson_ws(in);
		if (object) {
			if (in->s >= in->end || *in->s != '"' || !(key = ijson_string(in)))
				goto bad;
			ijson_ws(in);
			if (in->s >= in->end || *in->s != ':') {
				free(key);
				goto bad;
			}
			in->s++;
		}
		v = ijson_value(in, depth + 1);
		if (!v) {
			free(key);
			goto bad;
		}
		v->key = key;
		ijson_add(j, NULL, v);
		ijson_ws(in);
		if (in->s >= in->end)
			goto bad;
		if (*in->s == ',') {
			in->s++;
			continue;
		}
		if (*in->s != close)
			goto bad;
		in->s++;
		return j;
	}
bad:
	ijson_free(j);
	return NULL;
}

static struct ijson *ijson_number(struct ijson_in *in)
{
	char buf[64], *end;
	size_t n = 0;
	struct ijson *j;

	while (in->s + n < in->end && n < sizeof(buf) - 1 && strchr("+-0123456789.eE", in->s[n]))
		n++;
	if (!n || n == sizeof(buf) - 1)
		return NULL;
	memcpy(buf, in->s, n);
	buf[n] = '\0';
	j = ijson_new(IJSON_NUMBER);
	if (!j)
		return NULL;
	j->num = strtod(buf, &end);
	if (end != buf + n || !isfinite(j->num)) {
		ijson_free(j);
		return NULL;
	}
	in->s += n;
	return j;
}

static struct ijson *ijson_word(struct ijson_in *in, const char *w, enum ijson_type t)
{
	size_t n = strlen(w);

	if ((size_t)(in->end - in->s) < n || memcmp(in->s, w, n))
		return NULL;
	in->s += n;
	return ijson_new(t);
}

static struct ijson *ijson_value(struct ijson_in *in, int depth)
{
	struct ijson *j;

	if (depth > IJSON_MAX_DEPTH)
		return NULL;
	ijson_ws(in);
	if (in->s >= in->end)
		return NULL;
	switch (*in->s) {
	case '{':
		return ijson_container(in, depth, true);
	case '[':
		return ijson_container(in, depth, false);
	case '"':
		j = ijson_new(IJSON_STRING);
		if (j && !(j->str = ijson_string(in))) {
			ijson_free(j);
			j = NULL;
		}
		return j;
	case 't':
		return ijson_word(in, "true", IJSON_TRUE);
	case 'f':
		return ijson_word(in, "false", IJSON_FALSE);
	case 'n':
		return ijson_word(in, "null", IJSON_NULL);
	default:
		return ijson_number(in);
	}
}

struct ijson *ijson_parse(const char *s, size_t len)
{
	struct ijson_in in = { s, s + len };
	struct ijson *j = ijson_value(&in, 0);

	if (!j)
		return NULL;
	ijson_ws(&in);
	if (in.s != in.end) {
		ijson_free(j);
		return NULL;
	}
	return j;
}

const struct ijson *ijson_get(const struct ijson *obj, const char *key)
{
	if (!obj || obj->type != IJSON_OBJECT)
		return NULL;
	for (const struct ijson *c = obj->child; c; c = c->next)
		if (c->key && !strcmp(c->key, key))
			return c;
	return NULL;
}

double ijson_get_num(const struct ijson *obj, const char *key, double def)
{
	const struct ijson *v = ijson_get(obj, key);

	if (!v || v->type != IJSON_NUMBER)
		return def;
	return v->num;
}

bool ijson_get_bool(const struct ijson *obj, const char *key, bool def)
{
	const struct ijson *v = ijson_get(obj, key);

	if (!v || (v->type != IJSON_TRUE && v->type != IJSON_FALSE))
		return def;
	return v->type == IJSON_TRUE;
}

/* ---- builders ---- */

struct ijson *ijson_add(struct ijson *parent, const char *key, struct ijson *v)
{
	if (!v)
		return NULL;
	if (!parent || (key && !(v->key = strdup(key)))) {
		ijson_free(v);
		return NULL;
	}
	if (parent->last)
		parent->last->next = v;
	else
		parent->child = v;
	parent->last = v;
	return v;
}

struct ijson *ijson_add_num(struct ijson *obj, const char *key, double v)
{
	struct ijson *j = ijson_new(IJSON_NUMBER);

	if (j)
		j->num = v;
	return ijson_add(obj, key, j);
}

struct ijson *ijson_add_u64(struct ijson *obj, const char *key, uint64_t v)
{
	struct ijson *j = ijson_new(IJSON_NUMBER);

	if (j) {
		j->num = (double)v;
		j->u64 = v;
		j->is_u64 = true;
	}
	return ijson_add(obj, key, j);
}

struct ijson *ijson_add_str(struct ijson *obj, const char *key, const char *v)
{
	struct ijson *j = ijson_new(IJSON_STRING);

	if (j && !(j->str = strdup(v))) {
		free(j);
		j = NULL;
	}
	return ijson_add(obj, key, j);
}

struct ijson *ijson_add_bool(struct ijson *obj, const char *key, bool v)
{
	return ijson_add(obj, key, ijson_new(v ? IJSON_TRUE : IJSON_FALSE));
}

struct ijson *ijson_add_obj(struct ijson *obj, const char *key)
{
	return ijson_add(obj, key, ijson_new(IJSON_OBJECT));
}

struct ijson *ijson_add_arr(struct ijson *obj, const char *key)
{
	return ijson_add(obj, key, ijson_new(IJSON_ARRAY));
}

/* ---- printer ---- */

struct ijson_buf {
	char *s;
	size_t n, cap;
	bool oom;
};

static void ijson_put(struct ijson_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *m;

		while (b->n + n + 1 > cap)
			cap *= 2;
		m = realloc(b->s, cap);
		if (!m) {
			b->oom = true;
			return;
		}
		b->s = m;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void ijson_puts(struct ijson_buf *b, const char *s)
{
	ijson_put(b, s, strlen(s));
}

static void ijson_tabs(struct ijson_buf *b, int depth)
{
	for (int i = 0; i < depth; i++)
		ijson_put(b, "\t", 1);
}

static void ijson_print_string(struct ijson_buf *b, const char *s)
{
	ijson_put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];

		switch (c) {
		case '"': ijson_puts(b, "\\\""); break;
		case '\\': ijson_puts(b, "\\\\"); break;
		case '\b': ijson_puts(b, "\\b"); break;
		case '\f': ijson_puts(b, "\\f"); break;
		case '\n': ijson_puts(b, "\\n"); break;
		case '\r': ijson_puts(b, "\\r"); break;
		case '\t': ijson_puts(b, "\\t"); break;
		default:
			if (c < 0x20) {
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				ijson_puts(b, esc);
			} else {
				ijson_put(b, (const char *)&c, 1);
			}
		}
	}
	ijson_put(b, "\"", 1);
}

/* cJSON's print_number: an integral value as an integer, otherwise the
 * shortest of %1.15g / %1.17g that reads back as the same double. */
static void ijson_print_number(struct ijson_buf *b, const struct ijson *j)
{
	char s[64];
	double d = j->num;

	if (j->is_u64)
		snprintf(s, sizeof(s), "%" PRIu64, j->u64);
	else if (!isfinite(d))
		snprintf(s, sizeof(s), "null");
	else if (d == floor(d) && fabs(d) < 9007199254740992.0)
		snprintf(s, sizeof(s), "%lld", (long long)d);
	else {
		snprintf(s, sizeof(s), "%1.15g", d);
		if (strtod(s, NULL) != d)
			snprintf(s, sizeof(s), "%1.17g", d);
	}
	ijson_puts(b, s);
}

static void ijson_print_value(struct ijson_buf *b, const struct ijson *j, int depth, bool fmt)
{
	const struct ijson *c;

	switch (j->type) {
	case IJSON_NULL: ijson_puts(b, "null"); break;
	case IJSON_FALSE: ijson_puts(b, "false"); break;
	case IJSON_TRUE: ijson_puts(b, "true"); break;
	case IJSON_NUMBER: ijson_print_number(b, j); break;
	case IJSON_STRING: ijson_print_string(b, j->str); break;
	case IJSON_ARRAY:
		/* cJSON: elements inline, ", " between them when formatted */
		ijson_put(b, "[", 1);
		for (c = j->child; c; c = c->next) {
			ijson_print_value(b, c, depth + 1, fmt);
			if (c->next)
				ijson_puts(b, fmt ? ", " : ",");
		}
		ijson_put(b, "]", 1);
		break;
	case IJSON_OBJECT:
		ijson_puts(b, fmt ? "{\n" : "{");
		for (c = j->child; c; c = c->next) {
			if (fmt)
				ijson_tabs(b, depth + 1);
			ijson_print_string(b, c->key ? c->key : "");
			ijson_puts(b, fmt ? ":\t" : ":");
			ijson_print_value(b, c, depth + 1, fmt);
			if (c->next)
				ijson_put(b, ",", 1);
			if (fmt)
				ijson_put(b, "\n", 1);
		}
		if (fmt)
			ijson_tabs(b, depth);
		ijson_put(b, "}", 1);
		break;
	}
}

char *ijson_print(const struct ijson *j, bool formatted)
{
	struct ijson_buf b = { 0 };

	ijson_print_value(&b, j, 0, formatted);
	if (b.oom || !b.s) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
