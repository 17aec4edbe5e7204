// SPDX-License-Identifier: MIT
/*
 * HTTP/1.x parsing for httpd and wget (cli/http.h): the request line and
 * header fields of RFC 9112, tolerant where the RFC allows (bare LF line
 * ends, empty lines before the request line, optional whitespace around
 * field values) and strict where a server must be (no whitespace before
 * the colon, one Content-Length value, Host in HTTP/1.1).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/compiler.h"
#include "http.h"

size_t http_header_end(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		/* "\n\n" or "\n\r\n" ends the block */
		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* tchar of RFC 9110 5.6.2 */
static bool http_tchar(unsigned char ch)
{
	return isalnum(ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static bool http_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!http_tchar((unsigned char)*s))
			return false;
	return true;
}

/* Next line of @*p (up to @end), NUL-terminated without its CR LF. */
static char *http_next_line(char **p, char *end)
{
	char *s = *p, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (!nl)
		nl = end;
	*p = nl < end ? nl + 1 : end;
	if (nl > s && nl[-1] == '\r')
		nl--;
	*nl = '\0';
	return s;
}

/* "HTTP/d.d" */
static int http_version(const char *s, int *major, int *minor)
{
	if (strncmp(s, "HTTP/", 5) || !isdigit((unsigned char)s[5]) || s[6] != '.' ||
	    !isdigit((unsigned char)s[7]) || s[8])
		return -1;
	*major = s[5] - '0';
	*minor = s[7] - '0';
	return 0;
}

static char *http_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* Connection: a comma list of tokens */
static void http_connection(const char *v, bool *close, bool *keepalive)
{
	char tmp[256], *save = NULL, *t;

	snprintf(tmp, sizeof(tmp), "%s", v);
	for (t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		t = http_trim(t);
		if (!strcasecmp(t, "close"))
			*close = true;
		else if (!strcasecmp(t, "keep-alive"))
			*keepalive = true;
	}
}

static int http_content_length(const char *v, uint64_t *len)
{
	uint64_t n = 0;

	if (!*v)
		return -1;
	for (; *v; v++) {
		if (!isdigit((unsigned char)*v) || n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*v - '0');
	}
	*len = n;
	return 0;
}

/* Split "Name: value"; -1 if the line is not a field (RFC 9112 5.1: no
 * whitespace between name and colon). */
static int http_field(char *line, char **name, char **value)
{
	char *colon = strchr(line, ':');

	if (!colon)
		return -1;
	*colon = '\0';
	if (!http_token(line))
		return -1;
	*name = line;
	*value = http_trim(colon + 1);
	return 0;
}

int http_parse_request(char *buf, size_t len, struct http_req *r)
{
	char *p = buf, *end = buf + len, *line, *sp1, *sp2, *name, *value;
	bool have_cl = false;

	memset(r, 0, sizeof(*r));
	/* RFC 9112 2.2: ignore empty lines before the request line */
	while ((line = http_next_line(&p, end)) && !*line)
		;
	if (!line)
		return 400;
	sp1 = strchr(line, ' ');
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || strchr(sp2 + 1, ' '))
		return 400;
	*sp1 = *sp2 = '\0';
	r->method = line;
	r->target = sp1 + 1;
	if (!http_token(r->method) || !*r->target)
		return 400;
	if (http_version(sp2 + 1, &r->major, &r->minor))
		return 400;
	if (r->major != 1)
		return 505;
	while ((line = http_next_line(&p, end)) && *line) {
		if (*line == ' ' || *line == '\t')
			return 400; /* obsolete line folding: RFC 9112 5.2 */
		if (http_field(line, &name, &value))
			return 400;
		if (!strcasecmp(name, "Host")) {
			if (r->has_host)
				return 400;
			r->has_host = true;
		} else if (!strcasecmp(name, "Connection")) {
			http_connection(value, &r->conn_close, &r->conn_keepalive);
		} else if (!strcasecmp(name, "Transfer-Encoding")) {
			r->has_te = true;
		} else if (!strcasecmp(name, "If-Modified-Since")) {
			r->has_ims = !http_parse_date(value, &r->ims);
		} else if (!strcasecmp(name, "Content-Length")) {
			uint64_t v;

			if (http_content_length(value, &v) || (have_cl && v != r->content_length))
				return 400;
			have_cl = true;
			r->content_length = v;
		}
	}
	if (r->minor >= 1 && !r->has_host)
		return 400; /* RFC 9112 3.2 */
	return 0;
}

static int http_hexval(unsigned char ch)
{
	if (isdigit(ch))
		return ch - '0';
	ch = (unsigned char)tolower(ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

int http_decode_path(const char *target, char *out, size_t outlen)
{
	const char *s = target, *seg;
	size_t n = 0;

	if (!strncasecmp(s, "http://", 7)) {
		s = strchr(s + 7, '/');
		if (!s)
			s = "/";
	}
	if (*s != '/')
		return 400;
	for (; *s && *s != '?' && *s != '#'; s++) {
		int ch = (unsigned char)*s;

		if (ch == '%') {
			int hi = http_hexval((unsigned char)s[1]), lo = hi < 0 ? -1 : http_hexval((unsigned char)s[2]);

			if (lo < 0)
				return 400;
			ch = hi * 16 + lo;
			if (!ch)
				return 400;
			s += 2;
		}
		if (n + 1 >= outlen)
			return 400;
		out[n++] = (char)ch;
	}
	out[n] = '\0';
	/* after decoding: "%2e%2e" is ".." too */
	for (seg = out; seg; seg = strchr(seg + 1, '/')) {
		const char *e = strchr(seg + 1, '/');
		size_t l = e ? (size_t)(e - seg - 1) : strlen(seg + 1);

		if (l == 2 && seg[1] == '.' && seg[2] == '.')
			return 403;
	}
	return 0;
}

const char *http_reason(int status)
{
	static const struct {
		int status;
		const char *reason;
	} reasons[] = {
		{ 200, "OK" },
		{ 206, "Partial Content" },
		{ 301, "Moved Permanently" },
		{ 302, "Found" },
		{ 304, "Not Modified" },
		{ 400, "Bad Request" },
		{ 403, "Forbidden" },
		{ 404, "Not Found" },
		{ 405, "Method Not Allowed" },
		{ 408, "Request Timeout" },
		{ 414, "URI Too Long" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" },
		{ 501, "Not Implemented" },
		{ 503, "Service Unavailable" },
		{ 505, "HTTP Version Not Supported" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(reasons); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

const char *http_mime_type(const char *path)
{
	static const char *const types[][2] = {
		{ "bin", "application/octet-stream" },
		{ "css", "text/css" },
		{ "csv", "text/csv" },
		{ "gif", "image/gif" },
		{ "gz", "application/gzip" },
		{ "htm", "text/html" },
		{ "html", "text/html" },
		{ "ico", "image/vnd.microsoft.icon" },
		{ "jpeg", "image/jpeg" },
		{ "jpg", "image/jpeg" },
		{ "js", "text/javascript" },
		{ "json", "application/json" },
		{ "md", "text/markdown" },
		{ "pdf", "application/pdf" },
		{ "png", "image/png" },
		{ "svg", "image/svg+xml" },
		{ "tar", "application/x-tar" },
		{ "txt", "text/plain" },
		{ "wasm", "application/wasm" },
		{ "xml", "application/xml" },
		{ "zip", "application/zip" },
	};
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');

	if (dot && (!slash || dot > slash))
		for (size_t i = 0; i < ARRAY_SIZE(types); i++)
			if (!strcasecmp(dot + 1, types[i][0]))
				return types[i][1];
	return "application/octet-stream";
}

void http_date(char *buf, size_t len, time_t t)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	/* by hand: strftime's %a and %b follow the locale, HTTP's do not */
	gmtime_r(&t, &tm);
	snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
		 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int http_parse_date(const char *s, time_t *t)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char wday[4], mon[4], gmt[4], tail;
	struct tm tm;
	const char *m;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d %3s%c", wday, &tm.tm_mday, mon,
		   &tm.tm_year, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, gmt, &tail) != 8 ||
	    strlen(wday) != 3 || strcmp(gmt, "GMT"))
		return -1;
	m = strstr(months, mon);
	if (strlen(mon) != 3 || !m || (m - months) % 3 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60 || tm.tm_year < 1900)
		return -1;
	tm.tm_mon = (int)(m - months) / 3;
	tm.tm_year -= 1900;
	*t = timegm(&tm);
	return 0;
}

int http_parse_response(char *buf, size_t len, struct http_resp *r)
{
	char *p = buf, *end = buf + len, *line, *name, *value, *sp;

	memset(r, 0, sizeof(*r));
	line = http_next_line(&p, end);
	if (!line || strncmp(line, "HTTP/", 5))
		return -1;
	sp = strchr(line, ' ');
	if (!sp)
		return -1;
	*sp = '\0';
	if (http_version(line, &r->major, &r->minor))
		return -1;
	sp++;
	if (!isdigit((unsigned char)sp[0]) || !isdigit((unsigned char)sp[1]) ||
	    !isdigit((unsigned char)sp[2]) || (sp[3] && sp[3] != ' '))
		return -1;
	r->status = (sp[0] - '0') * 100 + (sp[1] - '0') * 10 + (sp[2] - '0');
	snprintf(r->reason, sizeof(r->reason), "%s", sp[3] ? sp + 4 : "");
	while ((line = http_next_line(&p, end)) && *line) {
		if (http_field(line, &name, &value))
			continue; /* a client is lenient */
		if (!strcasecmp(name, "Content-Length")) {
			r->has_length = !http_content_length(value, &r->content_length);
		} else if (!strcasecmp(name, "Transfer-Encoding")) {
			r->chunked = strcasestr(value, "chunked") != NULL;
		} else if (!strcasecmp(name, "Connection")) {
			http_connection(value, &r->conn_close, &r->conn_keepalive);
		} else if (!strcasecmp(name, "Content-Type")) {
			snprintf(r->content_type, sizeof(r->content_type), "%s", value);
		} else if (!strcasecmp(name, "Location")) {
			snprintf(r->location, sizeof(r->location), "%s", value);
		}
	}
	return 0;
}
