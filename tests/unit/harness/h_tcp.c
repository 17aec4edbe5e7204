// SPDX-License-Identifier: MIT
/* TCP sockets for the unit tests (h_tcp.h). */
#include "tests/unit/harness/harness.h"

#include "h_tcp.h"

struct h_tcp_seen h_tcp;

static void h_tcp_connected(struct sock *sk, int err, void *ctx)
{
	(void)sk;
	(void)ctx;
	h_tcp.connected++;
	h_tcp.connect_err = err;
}

static void h_tcp_accept(struct sock *sk, struct sock *newsk, void *ctx)
{
	(void)sk;
	(void)ctx;
	h_tcp.accepted = newsk;
}

static void h_tcp_readable(struct sock *sk, void *ctx)
{
	(void)sk;
	(void)ctx;
	h_tcp.readable++;
}

static void h_tcp_writable(struct sock *sk, void *ctx)
{
	(void)sk;
	(void)ctx;
	h_tcp.writable++;
}

static const struct sock_ops h_tcp_ops = { .connected = h_tcp_connected,
					   .accept = h_tcp_accept,
					   .readable = h_tcp_readable,
					   .writable = h_tcp_writable };

void h_tcp_reset(void)
{
	memset(&h_tcp, 0, sizeof(h_tcp));
}

struct netns *h_tcp_host(struct netdev **eth0)
{
	h_tcp_reset();
	return h_host("h", eth0);
}

struct sock *h_tcp_socket(struct netns *ns)
{
	struct sock *sk;

	assert_int_equal(sock_create(ns, AF_INET, SOCK_STREAM, 0, &h_tcp_ops, NULL, &sk), 0);
	return sk;
}

struct sock *h_tcp_listener(struct netns *ns, uint32_t addr, uint16_t port, int backlog)
{
	struct sock *sk = h_tcp_socket(ns);

	assert_int_equal(sock_bind(sk, addr, port), 0);
	assert_int_equal(sock_listen(sk, backlog), 0);
	return sk;
}
