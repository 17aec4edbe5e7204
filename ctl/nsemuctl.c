// SPDX-License-Identifier: MIT
/*
 * nsemuctl: run CLI lines against a running nsemu through its control
 * socket. `nsemuctl [-s SOCKET] WORD...` joins the words into one line;
 * `nsemuctl [-s SOCKET] -b FILE` (or `-b -` for standard input) runs a
 * script line by line, stopping at the first failing line with "Command
 * failed FILE:LINE" as `nsemu -b` and `ip -batch` do. Each line travels as
 * NSEMU_MSG_CLI; the emulator runs it through the same cli_run_line() the
 * interactive shell uses and streams its output back as NSEMU_MSG_OUTPUT
 * messages (fd 1 or 2) followed by NSEMU_MSG_DONE with the exit status, so
 * the bytes written here are the bytes `nsemu` would have printed. Ctrl-C
 * sends NSEMU_MSG_INTERRUPT: a running ping stops and prints its summary.
 *
 * Every line carries this process's working directory (the emulator runs it
 * there, so `tcpdump -w rel.pcap` writes here) and -j (JSON output).
 *
 * Exit status: the command's (0 success; ping: 1 no reply, 2 error; other
 * failures 1); 1 when the emulator cannot be reached or the connection
 * breaks; 2 for usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "netns/rtnl/rtnl.h"
#include "ctl_server.h"

#define CTL_LINE_MAX 65536 /* longer lines are refused here, not sent */

static volatile sig_atomic_t interrupted;
/* Sent with every line: relative paths in it (tcpdump -w FILE, source
 * FILE) name files here, not in the daemon's directory; -j. */
static char cwd[PATH_MAX];
static uint32_t line_flags;

static void on_sigint(int sig)
{
	interrupted = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: nsemuctl [ -s SOCKET ] [ -j ] COMMAND...\n"
		   "       nsemuctl [ -s SOCKET ] [ -j ] -b FILE\n"
		   "  -s SOCKET  control socket (default: $XDG_RUNTIME_DIR/nsemu.sock,\n"
		   "             else /tmp/nsemu-$UID.sock)\n"
		   "  -j         JSON output, as each command's own -j\n"
		   "  -b FILE    run the lines of FILE (\"-\": standard input); stop at the\n"
		   "             first failing line with \"Command failed FILE:LINE\"\n");
}

static int ctl_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "nsemuctl: socket path too long: %s\n", path);
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "nsemuctl: cannot connect to %s: %s%s\n", path, strerror(errno),
			errno == ENOENT || errno == ECONNREFUSED ? " (is nsemu running?)" : "");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

struct ctl_attr {
	uint16_t type;
	const void *data; /* NULL: left out */
	size_t len;
};

/* Send a private message with the attributes @a[0..n). 0 or -1. */
static int send_msg(int fd, uint16_t type, uint32_t seq, const struct ctl_attr *a, size_t n_attr)
{
	size_t total = NLMSG_SPACE(0);
	uint8_t *buf, *p;
	struct nlmsghdr *nlh;
	ssize_t n;

	for (size_t i = 0; i < n_attr; i++)
		if (a[i].data)
			total += NLA_HDRLEN + NLA_ALIGN(a[i].len);
	buf = calloc(1, total);
	if (!buf)
		return -1;
	nlh = (struct nlmsghdr *)buf;
	nlh->nlmsg_len = (uint32_t)total;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	p = buf + NLMSG_SPACE(0);
	for (size_t i = 0; i < n_attr; i++) {
		struct nlattr *nla = (struct nlattr *)p;

		if (!a[i].data)
			continue;
		nla->nla_type = a[i].type;
		nla->nla_len = (uint16_t)(NLA_HDRLEN + a[i].len);
		memcpy(p + NLA_HDRLEN, a[i].data, a[i].len);
		p += NLA_HDRLEN + NLA_ALIGN(a[i].len);
	}
	do
		n = send(fd, buf, total, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	free(buf);
	return n == (ssize_t)total ? 0 : -1;
}

/* Write all of @len bytes (stdout may be a slow pipe). */
static void write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* a closed stdout: keep reading so the server is not stuck */
		p += n;
		len -= (size_t)n;
	}
}

/*
 * Handle one reply datagram of the line with @seq. Returns 1 when DONE
 * arrived (status in *status, quit in *quit), 0 to keep reading, -1 on a
 * protocol error.
 */
static int handle_reply(const uint8_t *buf, size_t len, uint32_t seq, int *status, bool *quit)
{
	int rem = (int)len;

	for (const struct nlmsghdr *nlh = (const void *)buf; NLMSG_OK(nlh, rem);
	     nlh = NLMSG_NEXT(nlh, rem)) {
		struct nlattr *tb[NSEMU_A_MAX + 1];

		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nlh);

			if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error)
				fprintf(stderr, "nsemuctl: the emulator refused the line: %s\n",
					strerror(-e->error));
			return -1;
		}
		if (nlh->nlmsg_seq != seq)
			continue; /* not ours (a notification) */
		if (nlmsg_parse((struct nlmsghdr *)nlh, 0, tb, NSEMU_A_MAX, NULL) < 0)
			return -1;
		if (nlh->nlmsg_type == NSEMU_MSG_OUTPUT && tb[NSEMU_A_FD] && tb[NSEMU_A_TEXT]) {
			uint32_t fd = nla_get_u32(tb[NSEMU_A_FD]);

			if (fd == 1)
				write_all(STDOUT_FILENO, nla_data(tb[NSEMU_A_TEXT]),
					  (size_t)nla_len(tb[NSEMU_A_TEXT]));
			else
				write_all(STDERR_FILENO, nla_data(tb[NSEMU_A_TEXT]),
					  (size_t)nla_len(tb[NSEMU_A_TEXT]));
		} else if (nlh->nlmsg_type == NSEMU_MSG_DONE && tb[NSEMU_A_STATUS]) {
			*status = (int)nla_get_u32(tb[NSEMU_A_STATUS]);
			*quit = tb[NSEMU_A_FLAGS] && (nla_get_u32(tb[NSEMU_A_FLAGS]) & 1);
			return 1;
		}
	}
	return 0;
}

/* Run one line; its status (or 1 if the connection broke: *broken). */
static int run_line(int fd, const char *line, uint32_t seq, bool *quit, bool *broken)
{
	static uint8_t buf[CTL_DGRAM_FILL * 2];
	bool sent_intr = false;
	int status = 1;
	size_t n = strlen(line);

	*quit = false;
	if (n >= CTL_LINE_MAX) {
		fprintf(stderr, "Error: line too long (%zu bytes, limit %u).\n", n, CTL_LINE_MAX);
		return 1;
	}
	const struct ctl_attr a[] = {
		{ NSEMU_A_LINE, line, n + 1 },
		{ NSEMU_A_CWD, cwd, strlen(cwd) + 1 },
		{ NSEMU_A_FLAGS, &line_flags, sizeof(line_flags) },
	};

	if (send_msg(fd, NSEMU_MSG_CLI, seq, a, sizeof(a) / sizeof(a[0]))) {
		fprintf(stderr, "nsemuctl: lost the connection to nsemu: %s\n", strerror(errno));
		*broken = true;
		return 1;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;
		int done;

		if (interrupted && !sent_intr) {
			/* Ctrl-C: the command stops (ping prints its summary) */
			sent_intr = true;
			send_msg(fd, NSEMU_MSG_INTERRUPT, seq, NULL, 0);
		}
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		r = recv(fd, buf, sizeof(buf), 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		done = handle_reply(buf, (size_t)r, seq, &status, quit);
		if (done < 0)
			break;
		if (done)
			return status;
	}
	fprintf(stderr, "nsemuctl: lost the connection to nsemu\n");
	*broken = true;
	return 1;
}

/* -b FILE: like cli_run_file(), with the lines run remotely. */
static int run_file(int fd, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int ret = 0;

	if (!f) {
		fprintf(stderr, "Cannot open file \"%s\" for batch: %s\n", path, strerror(errno));
		return 1;
	}
	while (getline(&line, &cap, f) > 0) {
		bool quit = false, broken = false;

		lineno++;
		ret = run_line(fd, line, lineno, &quit, &broken);
		if (broken)
			break;
		if (ret) {
			fprintf(stderr, "Command failed %s:%u\n", path, lineno);
			break;
		}
		if (quit)
			break;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_sigint };
	const char *sock = NULL, *batch = NULL;
	char def[108];
	int opt, fd, ret;

	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	/* "+": options end at the first word of the command (ip -j ...) */
	while ((opt = getopt_long(argc, argv, "+s:b:jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 'b': batch = optarg; break;
		case 'j': line_flags |= CTL_CLI_JSON; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if ((batch && optind < argc) || (!batch && optind == argc)) {
		usage(stderr);
		return 2;
	}
	if (!getcwd(cwd, sizeof(cwd))) {
		fprintf(stderr, "nsemuctl: cannot get the working directory: %s\n", strerror(errno));
		return 1;
	}
	if (!sock) {
		if (ctl_default_path(def, sizeof(def))) {
			fprintf(stderr, "nsemuctl: default socket path too long; use -s PATH\n");
			return 1;
		}
		sock = def;
	}
	fd = ctl_connect(sock);
	if (fd < 0)
		return 1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (batch) {
		ret = run_file(fd, batch);
	} else {
		size_t len = 1;
		char *line;
		bool quit, broken = false;

		for (int i = optind; i < argc; i++)
			len += strlen(argv[i]) + 1;
		line = malloc(len);
		if (!line) {
			close(fd);
			return 1;
		}
		line[0] = '\0';
		for (int i = optind; i < argc; i++) {
			if (i > optind)
				strcat(line, " ");
			strcat(line, argv[i]);
		}
		ret = run_line(fd, line, 1, &quit, &broken);
		free(line);
	}
	close(fd);
	return ret;
}
