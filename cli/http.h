/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.x message parsing shared by the built-in httpd and wget
 * (cli/app_httpd.c, cli/app_wget.c). Pure functions on a buffer: no
 * sockets, no state, so the unit tests feed them requests directly.
 */
#ifndef NSEMU_CLI_HTTP_H
#define NSEMU_CLI_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Request line plus header fields, as nginx's large header buffer (8 KiB):
 * a request line that does not fit is 414, headers that do not are 431. */
#define HTTP_REQ_MAX 8192

/* End of the header block in @buf[0..len): offset just past the empty
 * line (CRLF CRLF, or bare LF LF as RFC 9112 2.2 allows), 0 if absent. */
size_t http_header_end(const char *buf, size_t len);

/* A parsed request. Strings point into the caller's (modified) buffer. */
struct http_req {
	char *method, *target;
	int major, minor;
	bool has_host;
	bool conn_close, conn_keepalive; /* Connection: close / keep-alive */
	bool has_te;			  /* Transfer-Encoding present */
	bool has_ims;			  /* a valid If-Modified-Since */
	time_t ims;
	uint64_t content_length;	  /* body to skip */
};

/*
 * Parse the header block @buf[0..len) (len from http_header_end; the
 * buffer is modified: lines are NUL-terminated in place). Returns 0 or the
 * HTTP status the server answers with: 400 (malformed line, header or
 * Content-Length; HTTP/1.1 without Host), 505 (a version other than 1.x).
 * The method is not judged here (405/501 are the server's).
 */
int http_parse_request(char *buf, size_t len, struct http_req *r);

/* Decode the origin-form path of @target ("/a%20b?q" -> "/a b") into @out
 * (@outlen bytes). 0, 400 (not origin-form, bad %-escape, NUL, too long)
 * or 403 (a ".." segment: path traversal). An absolute-form target
 * ("http://host/p") is reduced to its path first. */
int http_decode_path(const char *target, char *out, size_t outlen);

/* The reason phrase of @status (RFC 9110), "Unknown" if none. */
const char *http_reason(int status);
/* Content-Type for a file name, by its extension (application/octet-stream
 * if unknown). */
const char *http_mime_type(const char *path);
/* IMF-fixdate (RFC 9110 5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT"; @buf of
 * at least 30 bytes. */
void http_date(char *buf, size_t len, time_t t);
/* Parse an IMF-fixdate; 0 and *t, or -1 (RFC 9110 13.1.3: a server
 * ignores an If-Modified-Since it cannot parse). */
int http_parse_date(const char *s, time_t *t);

/* A parsed status line and the response headers wget needs. */
struct http_resp {
	int major, minor, status;
	char reason[128];
	bool has_length;
	uint64_t content_length;
	bool chunked;
	bool conn_close, conn_keepalive;
	char content_type[128];
	char location[512];
};

/* Parse the response header block @buf[0..len) (modified in place). 0, or
 * -1 if the status line is not "HTTP/d.d NNN ...". */
int http_parse_response(char *buf, size_t len, struct http_resp *r);

#endif
