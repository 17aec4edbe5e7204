/* SPDX-License-Identifier: MIT */
/*
 * One printer for text and JSON, shaped like iproute2's include/json_print.h:
 * every field is printed with one call that says whether it belongs to the
 * text output (PRINT_FP), the JSON output (PRINT_JSON) or both (PRINT_ANY).
 * new_json_obj() starts a command's output: in JSON mode it opens the one
 * array that `ip -j` prints per command, delete_json_obj() closes it. The
 * JSON writer follows iproute2's lib/json_writer.c byte for byte: compact
 * by default, `-p` indents by four spaces per level.
 *
 * The printer state is global, like iproute2's: CLI commands run on one
 * thread at a time (the control thread), and a command finishes its
 * output before the next one starts.
 */
#ifndef NSEMU_CLI_PRINT_H
#define NSEMU_CLI_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/compiler.h"

enum output_type {
	PRINT_FP = 1,	/* text only */
	PRINT_JSON = 2, /* JSON only */
	PRINT_ANY = 3,	/* both */
};

/* Start the output of one command on @fp. @json: JSON mode; @pretty: -p.
 * In JSON mode opens the top-level array. */
void new_json_obj(FILE *fp, bool json, bool pretty);
/* Close the top-level array and end the line (JSON mode); flush. */
void delete_json_obj(void);
/* True between new_json_obj(json=true) and delete_json_obj(). */
bool is_json_context(void);
/* The stream the printer writes to (for free-form text in text mode). */
FILE *print_fp(void);

/* Objects and arrays. @name NULL: an element of the enclosing array. */
void open_json_object(const char *name);
void close_json_object(void);
/* In text mode prints @name verbatim if @type has PRINT_FP (iproute2). */
void open_json_array(enum output_type type, const char *name);
/* In text mode prints @delim if @type has PRINT_FP. */
void close_json_array(enum output_type type, const char *delim);

/* Values: in JSON mode `"key":value` (or a bare value inside an array when
 * @key is NULL); in text mode fprintf(@fmt, value). */
void print_string(enum output_type type, const char *key, const char *fmt, const char *value);
void print_uint(enum output_type type, const char *key, const char *fmt, unsigned value);
void print_int(enum output_type type, const char *key, const char *fmt, int value);
void print_u64(enum output_type type, const char *key, const char *fmt, uint64_t value);
void print_float(enum output_type type, const char *key, const char *fmt, double value);
void print_bool(enum output_type type, const char *key, const char *fmt, bool value);
void print_null(enum output_type type, const char *key, const char *fmt, const char *value);
/* A text-mode newline (nothing in JSON mode), iproute2's print_nl(). */
void print_nl(void);
/* Free-form text, text mode only. */
void print_text(const char *fmt, ...) __printf(1, 2);

/*
 * `ip -o`: print_nl() and print_sl() give "\\" instead of a newline inside
 * a record (iproute2's _SL_). Set per command, like the colours.
 */
void print_set_oneline(bool oneline);
const char *print_sl(void);

/*
 * Colours (iproute2 lib/color.c): what -c paints, and how. The text of a
 * coloured value is wrapped in the palette's escape and "\e[0m"; COLOR_NONE
 * and JSON output are never painted. COLORFGBG naming a dark background
 * (last field 0-6 or 8) picks the bold palette, as iproute2 does.
 */
enum color_attr {
	COLOR_IFNAME,
	COLOR_MAC,
	COLOR_INET,
	COLOR_INET6,
	COLOR_OPERSTATE_UP,
	COLOR_OPERSTATE_DOWN,
	COLOR_NONE,
};
/* -c[olor][=always|auto|never] as iproute2's matches_color(): @arg is the
 * option with one leading '-' ("-c", "-color=auto"). True and *val set
 * (COLOR_OPT_*), or false: not a colour option. */
enum { COLOR_OPT_NEVER, COLOR_OPT_AUTO, COLOR_OPT_ALWAYS };
bool matches_color(const char *arg, int *val);
/* check_enable_color(): never with -j or "never"; "always"; "auto" when
 * @out is a terminal. Turns colours on or off for this thread's commands. */
void check_enable_color(int val, bool json, FILE *out);
/* print_string() with @value painted in @color (text mode). */
void print_color_string(enum output_type type, enum color_attr color, const char *key,
			const char *fmt, const char *value);

#endif
