/* SPDX-License-Identifier: MIT */
/*
 * The JSON iperf3 speaks: a small tree of values, a parser for the blobs
 * the peer sends (parameters, results) and a printer in cJSON's two
 * layouts, unformatted (what goes on the control connection) and
 * formatted (--json output: tabs, "key":<TAB>value, arrays inline), so
 * nsemu's output reads as iperf3's. Numbers are doubles, printed as
 * cJSON prints them (integers without a fraction, others with 15 or 17
 * significant digits); ijson_add_u64 keeps a 64-bit unsigned value exact
 * (iperf3 sends -1 "no retransmit count" as 18446744073709551615).
 */
#ifndef NSEMU_CLI_IPERF_JSON_H
#define NSEMU_CLI_IPERF_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ijson_type { IJSON_NULL, IJSON_FALSE, IJSON_TRUE, IJSON_NUMBER, IJSON_STRING, IJSON_ARRAY,
		  IJSON_OBJECT };

struct ijson {
	enum ijson_type type;
	char *key;		/* member name inside an object, else NULL */
	double num;
	bool is_u64;		/* print u64 instead of num */
	uint64_t u64;
	char *str;
	struct ijson *child, *last, *next;
};

/* Parse @len bytes; NULL if they are not one JSON value (trailing
 * whitespace allowed), nest deeper than 32 levels, or memory runs out. */
struct ijson *ijson_parse(const char *s, size_t len);
void ijson_free(struct ijson *j);

/* Member @key of object @obj (NULL: none, or @obj is not an object). */
const struct ijson *ijson_get(const struct ijson *obj, const char *key);
/* Member @key as a number / boolean, @def when missing or of another type. */
double ijson_get_num(const struct ijson *obj, const char *key, double def);
bool ijson_get_bool(const struct ijson *obj, const char *key, bool def);

/* Builders: NULL on no memory; adding to a NULL parent frees @v. */
struct ijson *ijson_new(enum ijson_type type);
struct ijson *ijson_add(struct ijson *parent, const char *key, struct ijson *v);
struct ijson *ijson_add_num(struct ijson *obj, const char *key, double v);
struct ijson *ijson_add_u64(struct ijson *obj, const char *key, uint64_t v);
struct ijson *ijson_add_str(struct ijson *obj, const char *key, const char *v);
struct ijson *ijson_add_bool(struct ijson *obj, const char *key, bool v);
struct ijson *ijson_add_obj(struct ijson *obj, const char *key);
struct ijson *ijson_add_arr(struct ijson *obj, const char *key);

/* Print (malloc'd, NUL-terminated; NULL on no memory). */
char *ijson_print(const struct ijson *j, bool formatted);

#endif
