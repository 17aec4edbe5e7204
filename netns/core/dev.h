/* SPDX-License-Identifier: MIT */
/*
 * Device core, like net_device / net_device_ops: registration and ifindex,
 * up/down/carrier, the receive entry points (dev_rx from a driver, netif_rx
 * to defer into the worker's backlog), ptype dispatch by ethertype, and the
 * transmit entry dev_queue_xmit. devices/ implement struct netdev_ops.
 */
#ifndef NSEMU_NETNS_DEV_H
#define NSEMU_NETNS_DEV_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "netns.h"
#include "netns/proto/eth.h"
#include "sysctl.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP (1 << 16)
#endif
#ifndef IFF_DORMANT
#define IFF_DORMANT (1 << 17)
#endif
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772
#define ARPHRD_NONE 0xFFFE /* no link-layer header: tun (bare IP packets) */
/* operstate values, RFC 2863 (IF_OPER_*) */
enum { OPER_UNKNOWN = 0, OPER_NOTPRESENT, OPER_DOWN, OPER_LOWERLAYERDOWN, OPER_TESTING,
       OPER_DORMANT, OPER_UP };

struct netdev;
struct in_ifaddr;
struct rtnl_link_ops;
struct capture;

/*
 * ip_route_input's last answer for datagrams received on a device
 * (route.c): the next datagram with the same source and destination reuses
 * it while ns->dev_gen is unchanged (every route, address, device and
 * devconf change bumps it). The kernel's ip_route_use_hint does the same
 * within a receive batch; nsemu keeps the hint across batches.
 */
struct rt_input_hint {
	uint32_t gen;
	uint32_t saddr, daddr; /* network order */
	uint32_t nexthop, src, mtu;
	struct netdev *out;
	uint8_t type;	       /* RTN_*; 0 = empty */
};

struct netdev_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_errors, tx_errors, rx_dropped, tx_dropped;
	uint64_t multicast, rx_length_errors, rx_over_errors, rx_crc_errors, rx_frame_errors;
	uint64_t rx_fifo_errors, rx_missed_errors, tx_aborted_errors, tx_carrier_errors;
	uint64_t tx_fifo_errors, tx_heartbeat_errors, tx_window_errors, collisions;
	uint64_t rx_nohandler;
};

struct netdev_ops {
	const char *kind;		/* "veth"; NULL for loopback (no IFLA_INFO_KIND) */
	int (*open)(struct netdev *dev);
	int (*stop)(struct netdev *dev);
	/* Transmit one frame (L2 header in place). Consumes pkt. Owner thread. */
	void (*xmit)(struct netdev *dev, struct pkt *p);
	/*
	 * Optional: transmit a run of frames, all for @dev, in order (L2
	 * headers in place). dev_queue_xmit_batch has already checked the
	 * device is running and counted tx_packets/tx_bytes and the capture
	 * taps for every frame, exactly as dev_queue_xmit does per frame.
	 * Consumes every packet of @b (b->n is left unspecified). Owner
	 * thread. NULL: the core calls ->xmit once per frame.
	 */
	void (*xmit_batch)(struct netdev *dev, struct pkt_batch *b);
	int (*change_mtu)(struct netdev *dev, int mtu);
	/* peer's ifindex for IFLA_LINK and its namespace id (0 if none) */
	int (*get_iflink)(const struct netdev *dev, uint32_t *peer_ns_id);
	/* Called by dev_unregister before the device is freed (owner thread). */
	void (*uninit)(struct netdev *dev);
};

struct netdev {
	struct netdev *next;		/* ns->dev_list, ifindex order */
	struct netdev *prev;		/* ns->dev_list, NULL for the first */
	struct netdev *name_next;	/* ns->dev_hash chains (dev.c) */
	struct netdev *index_next;
	struct netns *ns;
	const struct netdev_ops *ops;
	/* The link kind that made it (veth, tap), which deletes it and names
	 * it in IFLA_INFO_KIND; NULL for lo. Set by the kind before
	 * registration, as rtnl_create_link does. */
	const struct rtnl_link_ops *rtnl_link_ops;
	struct capture *capture;	/* capture.c: taps on this device; NULL = none */
	struct netdev_stats stats;
	int ifindex;
	uint32_t flags;			/* IFF_* */
	uint32_t mtu, min_mtu, max_mtu;
	uint32_t txqlen;
	uint32_t carrier_changes;
	uint16_t type;			/* ARPHRD_* */
	uint8_t operstate;		/* OPER_* */
	bool carrier;			/* driver's carrier; RUNNING|LOWER_UP = UP && carrier */
	uint8_t addr[ETH_ALEN];
	uint8_t broadcast[ETH_ALEN];
	char name[IFNAMSIZ];
	struct in_ifaddr *ifa_list;	/* IPv4 addresses, primary first (devinet.c) */
	struct ipv4_devconf cnf;	/* net.ipv4.conf.DEV.* */
	void *priv;			/* driver data, allocated with the device */
	struct rt_input_hint rt_hint;	/* route.c: last input route on this device */
};

/* Allocate a device in @ns with @priv_size bytes of driver data (dev->priv),
 * defaults of an Ethernet device (random MAC, MTU 1500, BROADCAST|MULTICAST),
 * devconf from conf.default. Not yet visible. Owner thread. */
struct netdev *dev_alloc(struct netns *ns, const char *name, const struct netdev_ops *ops,
			 size_t priv_size);
/* Free a device that was never registered. */
void dev_free(struct netdev *dev);
/* Give it an ifindex (@ifindex 0 = next free) and link it into ns. 0, -EEXIST
 * (name taken), -EINVAL (bad name). */
int dev_register(struct netdev *dev, int ifindex, struct extack *ext);
/* Close, remove its addresses, routes and neighbours, call ops->uninit,
 * free. Owner thread. */
void dev_unregister(struct netdev *dev);

/* Free the lookup table of @ns's devices; netns_destroy calls it once
 * every device is unregistered. Owner thread. */
void dev_hash_free(struct netns *ns);

struct netdev *dev_get_by_index(struct netns *ns, int ifindex);
struct netdev *dev_get_by_name(struct netns *ns, const char *name);
bool dev_valid_name(const char *name);

int dev_open(struct netdev *dev);	/* IFF_UP; ops->open */
int dev_close(struct netdev *dev);	/* clears UP; flushes routes via fib */
int dev_set_mtu(struct netdev *dev, int mtu, struct extack *ext);
int dev_set_mac(struct netdev *dev, const uint8_t *mac, struct extack *ext);
int dev_change_name(struct netdev *dev, const char *name, struct extack *ext);
/* Driver reports carrier (LOWER_UP/RUNNING, operstate). */
void dev_set_carrier(struct netdev *dev, bool on);
static inline bool dev_is_up(const struct netdev *dev) { return dev->flags & IFF_UP; }
static inline bool dev_is_running(const struct netdev *dev)
{
	return (dev->flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
}

/*
 * Receive. A driver calls dev_rx() with pkt->data at the Ethernet header
 * and pkt->dev set: it counts rx, checks the frame (runts, MTU, dest MAC ->
 * pkt_type, OTHERHOST drop), and dispatches by ethertype (ptype table).
 * netif_rx() instead queues the frame on the calling worker's backlog, to
 * be received when the worker next runs it (veth and lo use it so a chain of
 * hops never recurses). Both consume pkt. Owner thread of pkt->dev->ns.
 */
void dev_rx(struct pkt *p);
void netif_rx(struct pkt *p);
/*
 * Batch forms (STYLE H1). dev_rx_batch() receives b->p[0..n) at once, as
 * dev_rx would one by one and in the same order (same counters, same drop
 * reasons); each packet has pkt->dev set, devices may differ within the
 * batch (runs of one device are handled together). netif_rx_batch() queues
 * the frames on this worker's backlog in order, with one wake-up, dropping
 * what does not fit (DROP_BACKLOG_FULL, per frame). Both consume every
 * packet of @b and leave b->n = 0. Owner thread of every pkt->dev->ns
 * (a ring consumer calls them on the receiving worker).
 */
void dev_rx_batch(struct pkt_batch *b);
void netif_rx_batch(struct pkt_batch *b);
/* Receive everything queued on this worker's backlog (tests call it; the
 * worker runs it as a loop task). Returns the number of frames handled. */
unsigned dev_process_backlog(void);
/* Drop (DROP_DEV_GONE) every frame of @ns still in this worker's backlog;
 * netns_destroy calls it so no frame outlives its namespace. Owner thread. */
void dev_backlog_purge(struct netns *ns);
/* Drop the frames in this worker's backlog that name @dev, which would
 * dangle once it is freed. */
void dev_backlog_purge_dev(struct netdev *dev);

/* Transmit pkt (L2 header present) on pkt->dev: counts tx, drops if down
 * (DROP_DEV_DOWN), calls ops->xmit. Consumes pkt. */
void dev_queue_xmit(struct pkt *p);
/* Transmit a run of frames that all go out of @dev: the checks and counts
 * of dev_queue_xmit per frame, then ops->xmit_batch once (or ops->xmit per
 * frame). Consumes every packet of @b and leaves b->n = 0. Owner thread. */
void dev_queue_xmit_batch(struct netdev *dev, struct pkt_batch *b);

/* Ethertype handlers (ARP, IPv4). Consumes pkt; pkt->data at L3. */
typedef void (*ptype_fn)(struct pkt *p);
void dev_add_pack(uint16_t ethertype, ptype_fn fn);
/* The batch entry of an ethertype (Linux's packet_type.list_func, e.g.
 * ip_list_rcv): dev_rx_batch hands it runs of frames of that type, in
 * order, data at L3. Consumes every packet of @b; b->n is left
 * unspecified. Registered after dev_add_pack, at start-up. */
typedef void (*ptype_batch_fn)(struct pkt_batch *b);
void dev_add_pack_batch(uint16_t ethertype, ptype_batch_fn fn);

/* Build an Ethernet header in front of pkt->data. */
void eth_header(struct pkt *p, const uint8_t *dst, const uint8_t *src, uint16_t proto);

/* Fill a random locally administered unicast MAC. */
void eth_random_addr(uint8_t *addr);

#endif
