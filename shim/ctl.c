// SPDX-License-Identifier: MIT
/*
 * The shim's own client of the control socket: connecting a fake netlink
 * socket (connect + NSEMU_MSG_HELLO, waiting for its ACK so that an unknown
 * namespace fails socket() itself), and one-shot requests on a throw-away
 * connection for the hooks that answer from the emulator without a netlink
 * socket of the program's (if_nametoindex, getifaddrs, /proc/sys/net).
 * Everything here calls the real libc functions, never the hooks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "shim.h"

bool shim_put_attr(void *buf, size_t cap, size_t *off, uint16_t type, const void *data,
		   size_t len)
{
	size_t need = NLA_ALIGN(NLA_HDRLEN + len);
	if (*off + need > cap || NLA_HDRLEN + len > 0xffff)
		return false;
	struct nlattr *a = (struct nlattr *)((uint8_t *)buf + *off);
	memset(a, 0, need);
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	*off += need;
	return true;
}

/* Read one NLMSG_ERROR answer (the HELLO's ACK). 0 or -errno. */
static int shim_read_ack(int fd)
{
	SHIM_REAL(recv);
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
		uint8_t tlvs[256];
	} ack;
	ssize_t n;

	do
		n = real_recv(fd, &ack, sizeof(ack), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n < NLMSG_HDRLEN + sizeof(struct nlmsgerr) || ack.h.nlmsg_type != NLMSG_ERROR)
		return -EPROTO;
	return ack.e.error;
}

int shim_connect(uint32_t portid, int flags)
{
	SHIM_REAL(socket);
	SHIM_REAL(connect);
	SHIM_REAL(send);
	SHIM_REAL(close);
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	const char *path = shim_sock_path();
	int fd, err;

	if (!path || strlen(path) >= sizeof(un.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(un.sun_path, path, strlen(path) + 1);
	fd = real_socket(AF_UNIX, SOCK_SEQPACKET | (flags & SOCK_CLOEXEC), 0);
	if (fd < 0)
		return -1;
	if (real_connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0)
		goto out_err;

	uint8_t buf[128] __attribute__((aligned(4))) = { 0 };
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	size_t off = NLMSG_HDRLEN;
	const char *ns = shim_ns();
	uint32_t pid = (uint32_t)getpid();
	if (!shim_put_attr(buf, sizeof(buf), &off, SHIM_A_NS, ns, strlen(ns) + 1)) {
		errno = ENAMETOOLONG;
		goto out_err;
	}
	shim_put_attr(buf, sizeof(buf), &off, SHIM_A_PORTID, &portid, 4);
	shim_put_attr(buf, sizeof(buf), &off, SHIM_A_PID, &pid, 4);
	h->nlmsg_len = (uint32_t)off;
	h->nlmsg_type = SHIM_MSG_HELLO;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (real_send(fd, buf, off, MSG_NOSIGNAL) < 0)
		goto out_err;
	err = shim_read_ack(fd);
	if (err) {
		errno = -err;
		goto out_err;
	}
	/* O_NONBLOCK only now: the HELLO's answer is awaited blocking */
	if (flags & SOCK_NONBLOCK)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
out_err:
	err = errno;
	real_close(fd);
	errno = err;
	return -1;
}

/* The answer to a request: walk one datagram. 1 done, 0 more to read. */
static int shim_walk(const uint8_t *buf, size_t n, uint32_t seq, shim_msg_fn fn, void *arg,
		     int *err)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;

	for (; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_seq != seq)
			continue; /* a notification or a stale answer */
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);
			*err = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ? e->error : -EPROTO;
			return 1;
		}
		if (fn && fn(h, arg)) {
			/* the caller has what it wanted; a dump's rest is dropped
			 * with the connection */
			return 1;
		}
		if (!(h->nlmsg_flags & NLM_F_MULTI))
			return 1; /* a doit answer without NLM_F_ACK */
	}
	return 0;
}

int shim_request(struct nlmsghdr *req, shim_msg_fn fn, void *arg)
{
	SHIM_REAL(send);
	SHIM_REAL(recv);
	SHIM_REAL(close);
	static uint32_t seq;
	uint8_t *buf;
	int err = 0;
	int fd = shim_connect(0, SOCK_CLOEXEC);

	if (fd < 0)
		return -errno;
	req->nlmsg_seq = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
	req->nlmsg_flags |= NLM_F_REQUEST;
	buf = malloc(1u << 16);
	if (!buf) {
		real_close(fd);
		return -ENOMEM;
	}
	if (real_send(fd, req, req->nlmsg_len, MSG_NOSIGNAL) < 0) {
		err = -errno;
		goto out;
	}
	for (;;) {
		/* replies are packed up to 32 KiB per datagram */
		ssize_t n = real_recv(fd, buf, 1u << 16, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EPIPE;
			break;
		}
		if (shim_walk(buf, (size_t)n, req->nlmsg_seq, fn, arg, &err))
			break;
	}
out:
	free(buf);
	real_close(fd);
	return err;
}
