// SPDX-License-Identifier: MIT
/*
 * Text and JSON output with one set of calls (see print.h). The JSON writer
 * reproduces iproute2's lib/json_writer.c: a separator is emitted before
 * each value or name after the first, names are preceded by a newline and
 * indentation in pretty mode, arrays open as "[ " and close as " ]" when
 * not empty, and the writer ends its output with a newline.
 */
#include "print.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* iproute2 json_writer state: depth, pending separator, pretty flag.
 * Thread-local: the control socket server runs CLI lines of several
 * connections at once, each on its own thread (ctl/ctl_server.c). */
static _Thread_local struct {
	FILE *fp;
	bool json, pretty;
	unsigned depth;
	char sep; /* '\0' right after an opening bracket or a name, ',' otherwise */
} jw = { .fp = NULL };

static FILE *out(void)
{
	return jw.fp ? jw.fp : stdout;
}

static void jw_indent(void)
{
	for (unsigned i = 0; i < jw.depth; i++)
		fputs("    ", out());
}

/* End of line: pretty mode only. */
static void jw_eol(void)
{
	if (!jw.pretty)
		return;
	putc('\n', out());
	jw_indent();
}

/* End of record: the separator owed to the previous element. */
static void jw_eor(void)
{
	if (jw.sep)
		putc(jw.sep, out());
	jw.sep = ',';
}

static void jw_begin(int ch)
{
	jw_eor();
	putc(ch, out());
	jw.depth++;
	jw.sep = '\0';
}

static void jw_end(int ch)
{
	if (jw.depth)
		jw.depth--;
	if (jw.sep)
		jw_eol();
	putc(ch, out());
	jw.sep = ',';
}

/* A JSON string with the escapes iproute2 applies. */
static void jw_puts(const char *s)
{
	FILE *f = out();

	putc('"', f);
	for (; *s; s++) {
		switch (*s) {
		case '\t': fputs("\\t", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\f': fputs("\\f", f); break;
		case '\b': fputs("\\b", f); break;
		case '\\': fputs("\\\\", f); break;
		case '"': fputs("\\\"", f); break;
		default:
			if ((unsigned char)*s < 0x20)
				fprintf(f, "\\u%04x", (unsigned char)*s);
			else
				putc(*s, f);
		}
	}
	putc('"', f);
}

static void jw_name(const char *name)
{
	jw_eor();
	jw_eol();
	jw.sep = '\0';
	jw_puts(name);
	putc(':', out());
	if (jw.pretty)
		putc(' ', out());
}

static void jw_start_array(void)
{
	jw_begin('[');
	if (jw.pretty)
		putc(' ', out());
}

static void jw_end_array(void)
{
	if (jw.pretty && jw.sep)
		putc(' ', out());
	jw.sep = '\0';
	jw_end(']');
}

void new_json_obj(FILE *fp, bool json, bool pretty)
{
	jw.fp = fp;
	jw.json = json;
	jw.pretty = json && pretty;
	jw.depth = 0;
	jw.sep = '\0';
	if (json)
		jw_start_array();
}

void delete_json_obj(void)
{
	if (jw.json) {
		jw_end_array();
		putc('\n', out());
	}
	fflush(out());
	jw.json = false;
	jw.pretty = false;
	jw.depth = 0;
	jw.sep = '\0';
}

bool is_json_context(void)
{
	return jw.json;
}

FILE *print_fp(void)
{
	return out();
}

static bool is_json(enum output_type t)
{
	return jw.json && (t & PRINT_JSON);
}

static bool is_fp(enum output_type t)
{
	return !jw.json && (t & PRINT_FP);
}

void open_json_object(const char *name)
{
	if (!jw.json)
		return;
	if (name)
		jw_name(name);
	jw_begin('{');
}

void close_json_object(void)
{
	if (jw.json)
		jw_end('}');
}

void open_json_array(enum output_type type, const char *name)
{
	if (is_json(type)) {
		if (name)
			jw_name(name);
		jw_start_array();
	} else if (is_fp(type) && name) {
		fputs(name, out());
	}
}

void close_json_array(enum output_type type, const char *delim)
{
	if (is_json(type))
		jw_end_array();
	else if (is_fp(type) && delim)
		fputs(delim, out());
}

/* Emit the key (if any) and the separator for one JSON value. */
static void jw_value_prefix(const char *key)
{
	if (key)
		jw_name(key);
	jw_eor();
}

void print_string(enum output_type type, const char *key, const char *fmt, const char *value)
{
	if (is_json(type)) {
		jw_value_prefix(key);
		jw_puts(value ? value : "");
	} else if (is_fp(type)) {
		fprintf(out(), fmt ? fmt : "%s", value ? value : "");
	}
}

void print_uint(enum output_type type, const char *key, const char *fmt, unsigned value)
{
	if (is_json(type)) {
		jw_value_prefix(key);
		fprintf(out(), "%u", value);
	} else if (is_fp(type)) {
		fprintf(out(), fmt, value);
	}
}

void print_int(enum output_type type, const char *key, const char *fmt, int value)
{
	if (is_json(type)) {
		jw_value_prefix(key);
		fprintf(out(), "%d", value);
	} else if (is_fp(type)) {
		fprintf(out(), fmt, value);
	}
}

void print_u64(enum output_type type, const char *key, const char *fmt, uint64_t value)
{
	if (is_json(type)) {
		jw_value_prefix(key);
		fprintf(out(), "%" PRIu64, value);
	} else if (is_fp(type)) {
		fprintf(out(), fmt, value);
	}
}

/* iproute2's print_float(): JSON gets six significant digits, text @fmt. */
void print_float(enum output_type type, const char *key, const char *fmt, double value)
{
	if (is_json(type)) {
		jw_value_prefix(key);
		fprintf(out(), "%.6g", value);
	} else if (is_fp(type)) {
		fprintf(out(), fmt, value);
	}
}

void print_bool(enum output_type type, const char *key, const char *fmt, bool value)
{
	if (is_json(type)) {
		jw_value_prefix(key);
		fputs(value ? "true" : "false", out());
	} else if (is_fp(type)) {
		fprintf(out(), fmt, value ? "true" : "false");
	}
}

void print_null(enum output_type type, const char *key, const char *fmt, const char *value)
{
	if (is_json(type)) {
		jw_value_prefix(key);
		fputs("null", out());
	} else if (is_fp(type)) {
		fprintf(out(), fmt, value);
	}
}

/* per thread, as jw: set by each `ip` command (cli/ip.c) */
static _Thread_local bool oneline, color_on, dark_bg;

void print_set_oneline(bool on)
{
	oneline = on;
}

const char *print_sl(void)
{
	return oneline ? "\\" : "\n";
}

void print_nl(void)
{
	if (!jw.json)
		fputs(print_sl(), out());
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (jw.json)
		return;
	va_start(ap, fmt);
	vfprintf(out(), fmt, ap);
	va_end(ap);
}

/* ---- colours ---- */

/* lib/color.c attr_colors[]: the light palette, then the dark one */
static const char *const color_light[] = {
	[COLOR_IFNAME] = "\033[36m",	   [COLOR_MAC] = "\033[33m",
	[COLOR_INET] = "\033[35m",	   [COLOR_INET6] = "\033[34m",
	[COLOR_OPERSTATE_UP] = "\033[32m", [COLOR_OPERSTATE_DOWN] = "\033[31m",
};
static const char *const color_dark[] = {
	[COLOR_IFNAME] = "\033[1;36m",	     [COLOR_MAC] = "\033[1;33m",
	[COLOR_INET] = "\033[1;35m",	     [COLOR_INET6] = "\033[1;34m",
	[COLOR_OPERSTATE_UP] = "\033[1;32m", [COLOR_OPERSTATE_DOWN] = "\033[1;31m",
};

bool matches_color(const char *arg, int *val)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
	char opt[32];

	if (n >= sizeof(opt))
		return false;
	memcpy(opt, arg, n);
	opt[n] = '\0';
	/* matches(opt, "-color"): "-c" .. "-color" */
	if (n < 2 || strncmp(opt, "-color", n))
		return false;
	if (!eq || !strcmp(eq + 1, "always"))
		*val = COLOR_OPT_ALWAYS;
	else if (!strcmp(eq + 1, "auto"))
		*val = COLOR_OPT_AUTO;
	else if (!strcmp(eq + 1, "never"))
		*val = COLOR_OPT_NEVER;
	else
		return false;
	return true;
}

void check_enable_color(int val, bool json, FILE *f)
{
	const char *p = getenv("COLORFGBG");

	color_on = !json && (val == COLOR_OPT_ALWAYS ||
			     (val == COLOR_OPT_AUTO && f && isatty(fileno(f))));
	/* set_color_palette(): "fg;bg" or "fg;x;bg", bg 0-6 or 8 is dark */
	p = p ? strrchr(p, ';') : NULL;
	dark_bg = p && ((p[1] >= '0' && p[1] <= '6') || p[1] == '8') && p[2] == '\0';
}

void print_color_string(enum output_type type, enum color_attr color, const char *key,
			const char *fmt, const char *value)
{
	if (!color_on || color == COLOR_NONE || !is_fp(type)) {
		print_string(type, key, fmt, value);
		return;
	}
	fputs((dark_bg ? color_dark : color_light)[color], out());
	fprintf(out(), fmt ? fmt : "%s", value ? value : "");
	fputs("\033[0m", out());
}
