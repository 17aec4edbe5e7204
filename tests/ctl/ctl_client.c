// SPDX-License-Identifier: MIT
/*
 * A raw rtnetlink client of the control socket for tests/ctl/run.sh: it
 * speaks the wire protocol directly (no libnl, no nsemu code), so it sees
 * what any client sees, and it misbehaves on purpose.
 *
 *   ctl_client SOCK hammer NS CLIENTS REQUESTS   CLIENTS threads, each with its
 *       own connection bound to NS (HELLO with its own portid), issue
 *       REQUESTS requests: link/addr/route dumps and blackhole route
 *       add+delete pairs; every reply must echo seq and portid, dumps must
 *       end in NLMSG_DONE, ACKs must be 0. Prints "hammer: N requests ok".
 *   ctl_client SOCK noread NS     sends route dumps and never reads; exits
 *       0 once the server drops the connection (within 60 s), 1 if not.
 *   ctl_client SOCK middump NS    asks for a route dump, reads one datagram
 *       of it and disconnects.
 *   ctl_client SOCK errors        malformed and oversized input: each gets
 *       the expected NLMSG_ERROR and the connection keeps working.
 *   ctl_client SOCK monitor SECS  joins RTNLGRP_LINK/IPV4_IFADDR/IPV4_ROUTE in
 *       the default namespace and prints one line per notification.
 * Exit status 0 when everything was as expected, 1 otherwise (with a
 * message on stderr).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* the private numbers of netns/rtnl/rtnl.h, repeated: this is an outside client */
#define NSEMU_MSG_HELLO 0x6e01
#define NSEMU_MSG_BIND 0x6e02
#define NSEMU_MSG_SETSOCKOPT 0x6e03
#define NSEMU_MSG_CLI 0x6e40
#define NSEMU_A_NS 1
#define NSEMU_A_PORTID 3
#define NSEMU_A_GROUPS 15
#define NSEMU_A_OPTNAME 16
#define NSEMU_A_OPTVAL 17
#define NSEMU_A_LINE 18
#define NSEMU_A_CWD 23

static const char *sock_path;

static int fail(const char *fmt, const char *what, long v)
{
	fprintf(stderr, "ctl_client: ");
	fprintf(stderr, fmt, what, v);
	fputc('\n', stderr);
	return -1;
}

static int ctl_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("ctl_client: connect");
		exit(1);
	}
	return fd;
}

struct msg {
	union {
		struct nlmsghdr nlh;
		uint8_t buf[512];
	};
};

static void msg_init(struct msg *m, uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid,
		     const void *fam, size_t flen)
{
	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = NLMSG_LENGTH(flen);
	m->nlh.nlmsg_type = type;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	m->nlh.nlmsg_seq = seq;
	m->nlh.nlmsg_pid = pid;
	if (flen)
		memcpy(NLMSG_DATA(&m->nlh), fam, flen);
}

static void msg_attr(struct msg *m, uint16_t type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)(m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static int msg_send(int fd, struct msg *m)
{
	return send(fd, m->buf, m->nlh.nlmsg_len, MSG_NOSIGNAL) == (ssize_t)m->nlh.nlmsg_len ? 0
											       : -1;
}

/*
 * Read replies to @seq until the request is answered: an NLMSG_ERROR (its
 * error in *err) or, for a dump, NLMSG_DONE. Checks seq and portid.
 * Returns the number of data messages, or -1.
 */
static long read_answer(int fd, uint32_t seq, uint32_t pid, bool dump, int *err)
{
	static _Thread_local uint8_t buf[1 << 16];
	long n = 0;

	for (;;) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		int len = (int)r;

		if (r <= 0)
			return fail("%s: recv %ld", "answer", r < 0 ? -errno : 0);
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq || h->nlmsg_pid != pid)
				return fail("%s: reply with seq/pid %ld not ours", "answer",
					    (long)h->nlmsg_seq);
			if (h->nlmsg_type == NLMSG_ERROR) {
				*err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
				return n;
			}
			if (h->nlmsg_type == NLMSG_DONE)
				return dump ? n : fail("%s: DONE %ld", "unexpected", 0);
			n++;
		}
		if (!dump)
			return fail("%s: no ACK after %ld messages", "doit", n);
	}
}

static int hello(int fd, const char *ns, uint32_t pid)
{
	struct msg m;
	int err = 1;

	msg_init(&m, NSEMU_MSG_HELLO, NLM_F_ACK, 1, pid, NULL, 0);
	msg_attr(&m, NSEMU_A_NS, ns, strlen(ns) + 1);
	msg_attr(&m, NSEMU_A_PORTID, &pid, 4);
	if (msg_send(fd, &m) || read_answer(fd, 1, pid, false, &err) < 0 || err)
		return fail("%s: HELLO failed (%ld)", ns, err);
	return 0;
}

static void req_dump(struct msg *m, uint16_t type, uint32_t seq, uint32_t pid)
{
	struct rtgenmsg g = { .rtgen_family = AF_INET };

	msg_init(m, type, NLM_F_DUMP, seq, pid, &g, sizeof(g));
}

static void req_route(struct msg *m, uint16_t type, uint32_t seq, uint32_t pid, uint32_t dst)
{
	struct rtmsg r = { .rtm_family = AF_INET,
			   .rtm_dst_len = 32,
			   .rtm_table = RT_TABLE_MAIN,
			   .rtm_protocol = RTPROT_STATIC,
			   .rtm_scope = RT_SCOPE_UNIVERSE,
			   .rtm_type = RTN_BLACKHOLE };
	uint16_t flags = NLM_F_ACK | (type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_EXCL : 0);

	msg_init(m, type, flags, seq, pid, &r, sizeof(r));
	msg_attr(m, RTA_DST, &dst, 4);
}

/* ---- hammer ---- */

struct worker_arg {
	const char *ns;
	unsigned id, requests;
	long ok;
};

static void *hammer_worker(void *p)
{
	struct worker_arg *a = p;
	uint32_t pid = 7000 + a->id;
	int fd = ctl_connect();
	struct msg m;

	if (hello(fd, a->ns, pid))
		goto out;
	for (unsigned i = 0; i < a->requests; i++) {
		uint32_t seq = 100 + i;
		int err = 0;
		long n;

		if (i % 4 == 3) {
			/* a route only this client uses: add, then delete */
			uint32_t dst = htonl(0xac100000u | (a->id << 8) | (i & 0xff));

			req_route(&m, RTM_NEWROUTE, seq, pid, dst);
			if (msg_send(fd, &m) || read_answer(fd, seq, pid, false, &err) < 0 || err) {
				fail("%s: route add failed: %ld", a->ns, err);
				goto out;
			}
			req_route(&m, RTM_DELROUTE, seq, pid, dst);
		} else {
			static const uint16_t types[] = { RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE };

			req_dump(&m, types[i % 4 % 3], seq, pid);
		}
		if (msg_send(fd, &m)) {
			fail("%s: send failed %ld", a->ns, -errno);
			goto out;
		}
		n = read_answer(fd, seq, pid, i % 4 != 3, &err);
		if (n < 0 || err) {
			fail("%s: request failed: %ld", a->ns, err);
			goto out;
		}
		a->ok++;
	}
out:
	close(fd);
	return NULL;
}

static int hammer(const char *ns, unsigned clients, unsigned requests)
{
	pthread_t t[256];
	struct worker_arg a[256];
	long ok = 0;

	if (clients > 256)
		clients = 256;
	for (unsigned i = 0; i < clients; i++) {
		a[i] = (struct worker_arg){ .ns = ns, .id = i, .requests = requests };
		pthread_create(&t[i], NULL, hammer_worker, &a[i]);
	}
	for (unsigned i = 0; i < clients; i++) {
		pthread_join(t[i], NULL);
		ok += a[i].ok;
	}
	printf("hammer: %ld requests ok\n", ok);
	return ok == (long)clients * requests ? 0 : 1;
}

/* ---- misbehaving clients ---- */

static int noread(const char *ns)
{
	int fd = ctl_connect();
	time_t end = time(NULL) + 60;
	struct msg m;
	unsigned sent = 0;

	if (hello(fd, ns, 4242))
		return 1;
	while (time(NULL) < end) {
		req_dump(&m, RTM_GETROUTE, 1000 + sent, 4242);
		if (msg_send(fd, &m)) {
			printf("noread: dropped after %u dumps (%s)\n", sent, strerror(errno));
			return 0;
		}
		sent++;
		usleep(20000);
	}
	fprintf(stderr, "ctl_client: noread: still connected after %u dumps\n", sent);
	return 1;
}

static int middump(const char *ns)
{
	int fd = ctl_connect();
	uint8_t buf[1 << 16];
	struct msg m;

	if (hello(fd, ns, 4343))
		return 1;
	req_dump(&m, RTM_GETROUTE, 5, 4343);
	if (msg_send(fd, &m) || recv(fd, buf, sizeof(buf), 0) <= 0)
		return fail("%s: no first part %ld", "middump", 0), 1;
	close(fd);
	printf("middump: disconnected after the first part\n");
	return 0;
}

#define ERR_PORTID 555

/* Send @m, expect NLMSG_ERROR @want. */
static int expect_error(int fd, struct msg *m, int want, const char *what)
{
	int err = 1;

	if (msg_send(fd, m) || read_answer(fd, m->nlh.nlmsg_seq, ERR_PORTID, false, &err) < 0)
		return 1;
	if (err != want)
		return fail("%s: got error %ld", what, err), 1;
	printf("errors: %s -> %s\n", what, want ? strerror(-want) : "ACK");
	return 0;
}

static int errors(void)
{
	int fd = ctl_connect(), sz = 4 << 20, err = 1, bad = 0;
	uint32_t zero = 0, one = 1, epid = ERR_PORTID;
	struct msg m;
	uint8_t *big;

	/* bind() to a portid of our own: every reply must carry it */
	msg_init(&m, NSEMU_MSG_BIND, 0, 1, 0, NULL, 0);
	msg_attr(&m, NSEMU_A_PORTID, &epid, 4);
	if (msg_send(fd, &m))
		return 1;
	msg_init(&m, NSEMU_MSG_SETSOCKOPT, 0, 2, 0, NULL, 0);
	bad |= expect_error(fd, &m, -EINVAL, "SETSOCKOPT without attributes");
	msg_init(&m, NSEMU_MSG_SETSOCKOPT, 0, 3, 0, NULL, 0);
	msg_attr(&m, NSEMU_A_OPTNAME, &one, 4); /* NETLINK_ADD_MEMBERSHIP */
	msg_attr(&m, NSEMU_A_OPTVAL, &zero, 4);
	bad |= expect_error(fd, &m, -EINVAL, "ADD_MEMBERSHIP group 0");
	msg_init(&m, NSEMU_MSG_CLI, 0, 4, 0, NULL, 0);
	bad |= expect_error(fd, &m, -EINVAL, "CLI without a line");
	msg_init(&m, NSEMU_MSG_CLI, 0, 4, 0, NULL, 0);
	msg_attr(&m, NSEMU_A_LINE, "ip netns list", sizeof("ip netns list"));
	msg_attr(&m, NSEMU_A_CWD, "tmp", sizeof("tmp"));
	bad |= expect_error(fd, &m, -EINVAL, "CLI with a relative directory");

	/* 2 MiB: past the 1 MiB limit */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	big = calloc(1, 2 << 20);
	req_dump(&m, RTM_GETLINK, 5, 0);
	memcpy(big, m.buf, m.nlh.nlmsg_len);
	((struct nlmsghdr *)big)->nlmsg_len = 2 << 20;
	if (send(fd, big, 2 << 20, MSG_NOSIGNAL) != 2 << 20) {
		perror("ctl_client: send 2 MiB");
		bad = 1;
	} else if (read_answer(fd, 5, ERR_PORTID, false, &err) < 0 || err != -EMSGSIZE) {
		fail("%s: got %ld", "2 MiB datagram", err);
		bad = 1;
	} else {
		printf("errors: 2 MiB datagram -> %s\n", strerror(EMSGSIZE));
	}
	free(big);
	/* a truncated header: answered or ignored, never fatal */
	send(fd, "\x20\0\0\0\x12\0", 6, MSG_NOSIGNAL);
	/* still serving: a link dump ends in DONE */
	req_dump(&m, RTM_GETLINK, 6, 0);
	err = 0;
	for (int tries = 0; tries < 2; tries++) {
		long n;

		if (tries == 0 && msg_send(fd, &m))
			bad = 1;
		n = read_answer(fd, 6, ERR_PORTID, true, &err);
		if (n >= 1 && !err) {
			printf("errors: connection still serves (%ld links)\n", n);
			break;
		}
		if (tries == 1 || n < 0) {
			bad = 1;
			fail("%s: dump after errors failed %ld", "errors", err);
		}
	}
	close(fd);
	return bad;
}

/* ---- notifications ---- */

static int monitor(int secs)
{
	int fd = ctl_connect();
	uint32_t groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE;
	uint8_t buf[1 << 16];
	time_t end = time(NULL) + secs;
	struct msg m;

	msg_init(&m, NSEMU_MSG_BIND, 0, 1, 0, NULL, 0);
	msg_attr(&m, NSEMU_A_GROUPS, &groups, 4);
	if (msg_send(fd, &m))
		return 1;
	printf("monitor: ready\n");
	fflush(stdout);
	while (time(NULL) < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;
		int len;

		if (poll(&p, 1, 200) <= 0)
			continue;
		r = recv(fd, buf, sizeof(buf), 0);
		if (r <= 0)
			return 1;
		len = (int)r;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
			printf("monitor: type %u\n", h->nlmsg_type);
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: ctl_client SOCK hammer|noread|middump|errors|monitor ...\n");
		return 2;
	}
	sock_path = argv[1];
	if (!strcmp(argv[2], "hammer") && argc == 6)
		return hammer(argv[3], (unsigned)atoi(argv[4]), (unsigned)atoi(argv[5]));
	if (!strcmp(argv[2], "noread") && argc == 4)
		return noread(argv[3]);
	if (!strcmp(argv[2], "middump") && argc == 4)
		return middump(argv[3]);
	if (!strcmp(argv[2], "errors"))
		return errors();
	if (!strcmp(argv[2], "monitor") && argc == 4)
		return monitor(atoi(argv[3]));
	fprintf(stderr, "ctl_client: bad arguments\n");
	return 2;
}
