/* SPDX-License-Identifier: MIT */
/* Device drivers: loopback, veth, tap/tun, dummy, vrf. devices_init() registers
 * their link kinds. */
#ifndef NSEMU_DEVICES_DEVICES_H
#define NSEMU_DEVICES_DEVICES_H

#include "netns/core/dev.h"

/* Create and register `lo` in @ns (ifindex 1, 127.0.0.1/8 is added by the
 * caller). Owner thread. */
struct netdev *loopback_create(struct netns *ns);
/* Registers loopback as a pernet device: every namespace gets `lo`. */
void loopback_init(void);

/*
 * Create a veth pair: @name_a in @ns_a and @name_b in @ns_b (which may be
 * the same namespace, or live on different workers; NULL names or "%d"
 * templates pick vethN), as RTM_NEWLINK does (rtnl_link_create). Control
 * thread, or a worker inside an rtnl run. 0 or -errno (-EEXIST name
 * taken) with ext set; on failure nothing is left behind.
 */
int veth_create_pair(struct netns *ns_a, const char *name_a, struct netns *ns_b,
		     const char *name_b, struct extack *ext);
/* Delete a veth end and its peer (two-step across workers); the peer is
 * gone when it returns. Control thread. */
void veth_delete(struct netdev *dev);
bool dev_is_veth(const struct netdev *dev);

void devices_init(void); /* registers every link kind (devices.c) */
/* Registers the "veth" rtnl_link_ops (devices_init's part for veth.c). */
void veth_init(void);
/* Registers the "dummy" rtnl_link_ops (dummy.c). */
void dummy_init(void);
/* Registers the "vrf" rtnl_link_ops and its device events (vrf.c). */
void vrf_init(void);
/* Cross-worker pairs not yet freed whose end 0 the calling worker owns
 * (tests and `show` use it to see that teardown has finished). Call it on
 * the worker. */
unsigned veth_pair_count(void);

#endif
