/* SPDX-License-Identifier: MIT */
/*
 * Neighbour tables (net/core/neighbour.c), ARP's among them. States as
 * Linux: INCOMPLETE -> REACHABLE -> STALE -> DELAY -> PROBE -> FAILED, plus
 * PERMANENT, NOARP. A few packets queue while INCOMPLETE (unres_qlen);
 * after ucast/mcast_solicit probes at retrans_time the entry is FAILED and
 * the queued packets go to the table's error_report (ARP: ICMP host
 * unreachable back to their sender).
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

#define NEIGH_MAX_KEY_LEN 16

struct neigh_cache;

struct neighbour {
	struct neighbour *next;	 /* hash chain */
	struct netdev *dev;
	union {
		uint32_t key;	 /* arp_tbl: IPv4, network order */
		uint8_t primary_key[NEIGH_MAX_KEY_LEN]; /* tbl->key_len bytes */
	};
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
	struct neigh_cache *cache; /* the namespace's cache of its table */
};

/* What a protocol does for its entries (Linux's struct neigh_ops). */
struct neigh_ops {
	/* Ask for the link address of n's key: to everyone, or unicast to
	 * @dst_ha (a PROBE). The newest queued packet is n->arp_queue.tail. */
	void (*solicit)(struct neighbour *n, const uint8_t *dst_ha);
	/* Resolution failed for queued @p: tell its sender. Does not consume
	 * p (the caller drops it as NEIGH_FAILED). NULL: silent. */
	void (*error_report)(struct neighbour *n, struct pkt *p);
};

/*
 * A neighbour protocol (Linux's struct neigh_table): ARP is one
 * (netns/ipv4/arp.c, arp_tbl), ND will be another. Registered once at
 * start-up with neigh_table_init(); every namespace built afterwards has a
 * cache of it, ns->neigh[index]. Keys are key_len bytes (a multiple of 4,
 * at most NEIGH_MAX_KEY_LEN); frames to a resolved entry get the device's
 * header_ops header with ethertype @protocol.
 */
struct neigh_table {
	int family;		/* AF_INET */
	uint8_t key_len;	/* 4 for IPv4 */
	uint16_t protocol;	/* ETH_P_IP: the ethertype of what it resolves for */
	const char *id;		/* "arp_cache" */
	const struct neigh_ops *ops;
	/* Optional: the link address of @pkey on @dev when it needs no
	 * resolution and no entry (broadcast, multicast mapping): true and
	 * @ha filled in. */
	bool (*map)(const struct netdev *dev, const void *pkey, uint8_t *ha);
	/* Optional: may `ip neigh add` create an entry for @pkey? 0 or
	 * -errno with the reason in @ext. */
	int (*allow_add)(const struct netdev *dev, const void *pkey, struct extack *ext);
};

/* Registry (start-up, before namespaces are built). @index: NEIGH_*_TABLE. */
void neigh_table_init(int index, const struct neigh_table *tbl);
void neigh_table_clear(int index, const struct neigh_table *tbl);

int neigh_init(struct netns *ns);
void neigh_exit(struct netns *ns);
/* Start-up: register neigh_init/neigh_exit per namespace and subscribe to
 * device events (down and unregister flush). */
void neigh_subsys_init(void);

/*
 * The table-generic calls take the table's index and a key of its
 * key_len; the IPv4 forms below them are arp_tbl's (NEIGH_ARP_TABLE, the
 * key an IPv4 address in network order).
 *
 * neigh_xmit() (Linux's neigh_xmit): send @p (p->data at L3) to @pkey on
 * @dev: through the cached entry when CONNECTED, queued while
 * INCOMPLETE, with no entry when tbl->map answers; NOARP and loopback
 * devices frame it with their own address. Consumes p.
 */
void neigh_xmit(int index, struct netdev *dev, const void *pkey, struct pkt *p);
struct neighbour *neigh_tbl_lookup(int index, const struct netdev *dev, const void *pkey);
int neigh_tbl_update_cfg(int index, struct netdev *dev, const void *pkey, const uint8_t *lladdr,
			 uint16_t state, uint32_t nlflags, struct extack *ext);
int neigh_tbl_delete(int index, struct netdev *dev, const void *pkey, struct extack *ext);
unsigned neigh_tbl_flush(int index, struct netns *ns, struct netdev *dev, bool include_permanent);
typedef int (*neigh_walk_fn)(const struct neighbour *n, void *arg); /* non-zero stops */
int neigh_tbl_walk(int index, struct netns *ns, neigh_walk_fn fn, void *arg);

/* Output: resolve pkt->nexthop on pkt->dev, add the link header and
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
int neigh_walk(struct netns *ns, neigh_walk_fn fn, void *arg);
/* Device going down or away: drop its entries in every table and their
 * queues. */
void neigh_dev_down(struct netdev *dev);

/*
 * Between neigh.c and a protocol (owner thread). neigh_update() is the
 * kernel's __neigh_update(): move @n to @state with @lladdr (NULL: keep the
 * cached one), honouring NEIGH_UPDATE_F_* (ADMIN may touch PERMANENT/NOARP
 * entries; without OVERRIDE a different address of a valid entry is
 * refused). When the entry becomes valid its queue is sent; when
 * INCOMPLETE/PROBE turn FAILED, queued packets get the table's
 * error_report. 0 or -errno. neigh_create() returns the entry for (dev,
 * pkey) in table @index, creating it in NUD_NONE; NULL without memory.
 * neigh_event_ns() is neigh_create + update to STALE with OVERRIDE (a
 * request told us the sender's address).
 */
#define NEIGH_UPDATE_F_OVERRIDE 0x1
#define NEIGH_UPDATE_F_ADMIN 0x2
int neigh_update(struct neighbour *n, const uint8_t *lladdr, uint16_t state, unsigned flags,
		 struct extack *ext);
struct neighbour *neigh_create(int index, struct netdev *dev, const void *pkey);
/* Start resolving @n if it is neither valid nor being resolved, with no
 * packet to queue (the kernel's neigh_event_send(n, NULL)). */
void neigh_event_send_probe(struct neighbour *n);
struct neighbour *neigh_event_ns(int index, struct netdev *dev, const void *pkey,
				 const uint8_t *lladdr);

#endif
