/* SPDX-License-Identifier: MIT */
/*
 * rtnetlink request builders the rtnl tests share (libnl-3): the messages
 * `ip link` sends, and a datagram of several requests.
 */
#ifndef NSEMU_TEST_H_NL_H
#define NSEMU_TEST_H_NL_H

#include <stddef.h>
#include <stdint.h>

#include <netlink/msg.h>

#include "netns/rtnl/rtnl.h"

/* RTM_*LINK with an ifinfomsg (AF_UNSPEC) and nothing else. */
struct nl_msg *h_link_msg(int type, int flags, int ifindex, unsigned ifflags, unsigned change);
/* `ip link add NAME type veth peer name PEER [netns PEER_NS]` with @flags
 * (PEER_NS 0: none). */
struct nl_msg *h_veth_msg(int flags, const char *name, const char *peer, uint32_t peer_ns);
/* Append @m (freed) to @buf at @len with NLM_F_REQUEST and seq @seq;
 * returns the new length. */
size_t h_dgram_add(uint8_t *buf, size_t len, struct nl_msg *m, uint32_t seq);

/* The rtnl tests' fixture: h_setup, devices_init, rtnl_init, a connection
 * (portid 4242, extended ACKs) and an empty reply buffer; and its end. */
void h_rtnl_open(struct rtnl_conn *conn, struct rtnl_out *out);
void h_rtnl_close(struct rtnl_out *out);

#endif
