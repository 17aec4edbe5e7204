/* SPDX-License-Identifier: MIT */
/*
 * TCP sockets for the unit tests: sockets whose callbacks record what
 * they saw in h_tcp (the connection a listener accepted, connect's
 * result, readable/writable calls), a listener in one call. h_tcp is
 * cleared by h_tcp_reset, which a test's setup calls.
 */
#ifndef NSEMU_TESTS_UNIT_HARNESS_H_TCP_H
#define NSEMU_TESTS_UNIT_HARNESS_H_TCP_H

#include <stdint.h>

#include "netns/core/netns.h"
#include "netns/core/sock.h"

struct h_tcp_seen {
	struct sock *accepted; /* the last connection a listener took */
	int connected, connect_err;
	unsigned readable, writable;
};
extern struct h_tcp_seen h_tcp;

void h_tcp_reset(void);
/* The one-host fixture (h_host "h", *@eth0 its fake device) with h_tcp
 * cleared: a TCP test's setup; h_cm_teardown ends it. */
struct netns *h_tcp_host(struct netdev **eth0);
/* A TCP socket in @ns with the recording callbacks (fails the test if
 * sock_create does). */
struct sock *h_tcp_socket(struct netns *ns);
/* Bound to @addr (network order, 0: any):@port and listening. */
struct sock *h_tcp_listener(struct netns *ns, uint32_t addr, uint16_t port, int backlog);

#endif
