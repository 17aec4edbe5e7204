/* SPDX-License-Identifier: MIT */
/*
 * Neighbour table and ARP (net/core/neighbour.c, net/ipv4/arp.c). States as
 * Linux: INCOMPLETE -> REACHABLE -> STALE -> DELAY -> PROBE -> FAILED, plus
 * PERMANENT, NOARP. A few packets queue while INCOMPLETE (unres_qlen);
 * after ucast/mcast_solicit probes at retrans_time the entry is FAILED and
 * the queued packets get ICMP host unreachable back to their sender.
 * REACHABLE ages to STALE after a randomised base_reachable_time.
 */
#ifndef NSEMU_NETNS_NEIGH_H
#define NSEMU_NETNS_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/neighbour.h> /* NUD_*, NTF_*, NDA_* */

#include "core/timer.h"
#include "netns.h"
#include "netns/proto/eth.h"

struct netdev;

/* State groups of the kernel's include/net/neighbour.h */
#ifndef NUD_VALID
#define NUD_IN_TIMER (NUD_INCOMPLETE | NUD_REACHABLE | NUD_DELAY | NUD_PROBE)
#define NUD_VALID (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)
#define NUD_CONNECTED (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE)
#endif

struct neighbour {
	struct neighbour *next;	 /* hash chain */
	struct netdev *dev;
	uint32_t key;		 /* IPv4, network order */
	uint16_t state;		 /* NUD_* */
	uint8_t flags;		 /* NTF_* */
	uint8_t probes;
	uint8_t ha[ETH_ALEN];
	uint64_t confirmed;	 /* loop time of last reachability confirmation */
	uint64_t updated;	 /* loop time of last state change */
	uint64_t used;
	struct timer timer;
	struct pkt_queue arp_queue;
	uint32_t refcnt_dummy;	 /* kept for NDA_CACHEINFO */
	struct netns *ns;
};

int neigh_init(struct netns *ns);
void neigh_exit(struct netns *ns);
/* Start-up: register neigh_init/neigh_exit per namespace and subscribe to
 * device events (down and unregister flush). */
void neigh_subsys_init(void);

/* Output: resolve pkt->nexthop on pkt->dev, add the Ethernet header and
 * dev_queue_xmit; queue while INCOMPLETE; loopback/NOARP devices skip ARP.
 * Consumes pkt (pkt->data at the IP header). */
void neigh_output(struct pkt *p);
/* neigh_output for a run of packets that all go to next hop @nh on @dev
 * (pkt->data at the IP header): one lookup for the run; when the entry is
 * CONNECTED every packet is framed with it and the run goes to
 * dev_queue_xmit_batch, else each packet takes neigh_output. Consumes every
 * packet of @b. Owner thread. */
void neigh_output_batch(struct netdev *dev, uint32_t nh, struct pkt_batch *b);

struct neighbour *neigh_lookup(struct netns *ns, const struct netdev *dev, uint32_t ip);

/* Control path (ip neigh): add/replace with state (NUD_PERMANENT default),
 * lladdr may be NULL for states that need none. NLM_F_* flags as
 * RTM_NEWNEIGH: CREATE, EXCL (-EEXIST), REPLACE. */
int neigh_update_cfg(struct netdev *dev, uint32_t ip, const uint8_t *lladdr, uint16_t state,
		     uint32_t nlflags, struct extack *ext);
int neigh_delete(struct netdev *dev, uint32_t ip, struct extack *ext);
/* Flush non-permanent entries of @dev (NULL: all devices). Returns count. */
unsigned neigh_flush(struct netns *ns, struct netdev *dev, bool include_permanent);
typedef int (*neigh_walk_fn)(const struct neighbour *n, void *arg); /* non-zero stops */
int neigh_walk(struct netns *ns, neigh_walk_fn fn, void *arg);
/* Device going down or away: drop its entries and their queues. */
void neigh_dev_down(struct netdev *dev);

/*
 * Between neigh.c and arp.c (owner thread). neigh_update() is the kernel's
 * __neigh_update(): move @n to @state with @lladdr (NULL: keep the cached
 * one), honouring NEIGH_UPDATE_F_* (ADMIN may touch PERMANENT/NOARP entries;
 * without OVERRIDE a different address of a valid entry is refused). When
 * the entry becomes valid its queue is sent; when INCOMPLETE/PROBE turn
 * FAILED, queued packets get ICMP host unreachable. 0 or -errno.
 * neigh_create() returns the entry for (dev, ip), creating it in NUD_NONE;
 * NULL without memory. neigh_event_ns() is neigh_create + update to STALE
 * with OVERRIDE (a request told us the sender's address).
 */
#define NEIGH_UPDATE_F_OVERRIDE 0x1
#define NEIGH_UPDATE_F_ADMIN 0x2
int neigh_update(struct neighbour *n, const uint8_t *lladdr, uint16_t state, unsigned flags,
		 struct extack *ext);
struct neighbour *neigh_create(struct netns *ns, struct netdev *dev, uint32_t ip);
struct neighbour *neigh_event_ns(struct netdev *dev, uint32_t ip, const uint8_t *lladdr);
/* Send an ARP request for n->key: broadcast, or unicast to @dst_ha (a
 * PROBE). Source address per arp_announce, from the newest queued packet. */
void arp_solicit(struct neighbour *n, const uint8_t *dst_ha);

/* ARP receive (ptype handler), and announcements. */
void arp_rcv(struct pkt *p);
void arp_send_gratuitous(struct netdev *dev, uint32_t ip);
/* Start-up: subscribe to device events (arp_notify on up, eviction on
 * carrier loss). netns/ipv4/arp.c. */
void arp_init(void);

#endif
