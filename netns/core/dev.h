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
struct in_device;
struct rtnl_link_ops;
struct capture;
struct neighbour;

/* A link header built once for a run of frames to one neighbour
 * (header_ops->cache): hh_len bytes at the start of hh_data. */
#define HH_DATA_MAX 16
struct hh_cache {
	unsigned hh_len;
	uint8_t hh_data[HH_DATA_MAX];
};

/*
 * The link layer's framing (Linux's struct header_ops). A device without
 * header_ops (tun) has no link-layer header: its frames are the L3 packet.
 * create: push the header for ethertype @type to @daddr from @saddr (NULL:
 * the device's address) in front of pkt->data; the header length, or its
 * negative when @daddr was missing. parse: copy the frame's source address
 * (from the L2 header) to @haddr; its length. cache (optional): fill @hh
 * with the header to @n's address; 0, or -1 when it cannot be cached.
 */
struct header_ops {
	int (*create)(struct pkt *p, const struct netdev *dev, uint16_t type, const uint8_t *daddr,
		      const uint8_t *saddr, unsigned len);
	int (*parse)(const struct pkt *p, uint8_t *haddr);
	int (*cache)(const struct neighbour *n, struct hh_cache *hh, uint16_t type);
};
struct Qdisc;

/*
 * The receive hook of a device (Linux's rx_handler): a bridge port, a
 * macvlan lower device. dev_rx calls it with every frame the device takes
 * in (after the capture taps and the Ethernet header's classification,
 * pkt->data at L3, l2 offset set) before the ptype dispatch. CONSUMED: the
 * handler took *pp; ANOTHER: it set (*pp)->dev to another device and the
 * frame is received there again (that device's handler, then the ptypes);
 * PASS: on to the ptypes as if there were no handler.
 */
typedef enum rx_handler_result {
	RX_HANDLER_CONSUMED,
	RX_HANDLER_ANOTHER,
	RX_HANDLER_PASS,
} rx_handler_result_t;
typedef rx_handler_result_t rx_handler_func_t(struct pkt **pp);

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
	uint32_t nexthop, src, mtu; /* mp_fi: mtu is the route's metric, 0 none */
	uint32_t mp_fi;		    /* a multipath route's record: reselect per datagram */
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
	/* ndo_change_carrier (IFLA_CARRIER): 0 or -errno; NULL: the device
	 * has no such knob (-EOPNOTSUPP). Owner thread. */
	int (*change_carrier)(struct netdev *dev, bool on);
	/*
	 * A master device (ndo_add_slave / ndo_del_slave): take @slave as a
	 * port, or let it go; do_set_master (IFLA_MASTER) calls them on the
	 * owner. add_slave: 0 or -errno with ext set, nothing changed on
	 * failure. NULL: the device cannot be a master (-EOPNOTSUPP).
	 */
	int (*add_slave)(struct netdev *dev, struct netdev *slave, struct extack *ext);
	int (*del_slave)(struct netdev *dev, struct netdev *slave);
	/* An L3 master (l3mdev_ops->l3mdev_fib_table, a VRF): the table its
	 * domain routes in. NULL for every other device. */
	uint32_t (*l3mdev_fib_table)(const struct netdev *dev);
};

struct netdev {
	struct netdev *next;		/* ns->dev_list, ifindex order */
	struct netdev *prev;		/* ns->dev_list, NULL for the first */
	struct netdev *name_next;	/* ns->dev_hash chains (dev.c) */
	struct netdev *index_next;
	struct netns *ns;
	const struct netdev_ops *ops;
	const struct header_ops *header_ops; /* NULL: no link-layer header (tun) */
	/* The link kind that made it (veth, tap), which deletes it and names
	 * it in IFLA_INFO_KIND; NULL for lo. Set by the kind before
	 * registration, as rtnl_create_link does. */
	const struct rtnl_link_ops *rtnl_link_ops;
	struct capture *capture;	/* capture.c: taps on this device; NULL = none */
	rx_handler_func_t *rx_handler;	/* dev_rx.c: receive hook; NULL = none */
	void *rx_handler_data;		/* the handler's, e.g. its bridge port */
	struct netdev *master;		/* the upper device this one is enslaved to, or NULL */
	struct Qdisc *qdisc;		/* sch_generic.c: egress queue; NULL = noqueue */
	struct netdev_stats stats;
	int ifindex;
	uint32_t flags;			/* IFF_* */
	uint32_t mtu, min_mtu, max_mtu;
	uint32_t txqlen;
	uint32_t carrier_changes;
	uint16_t type;			/* ARPHRD_* */
	uint16_t hard_header_len;	/* link header header_ops->create pushes */
	uint8_t operstate;		/* OPER_* */
	bool carrier;			/* driver's carrier; RUNNING|LOWER_UP = UP && carrier */
	/* operstate follows carrier (linkwatch has run for it): true from
	 * dev_alloc, as for a NIC whose driver reports its link; false for a
	 * device that never reports one (lo, dummy) until its carrier first
	 * changes, so that it shows UNKNOWN while up, as in Linux */
	bool linkwatch;
	uint8_t addr[ETH_ALEN];
	uint8_t broadcast[ETH_ALEN];
	char name[IFNAMSIZ];
	char *ifalias;			/* IFLA_IFALIAS (malloc'd), NULL when unset */
	struct in_device *ip_ptr;	/* IPv4 state (netns/ipv4/inetdevice.h) */
	void *ip6_ptr;			/* IPv6 state: none yet */
	void *priv;			/* driver data, allocated with the device */
	struct rt_input_hint rt_hint;	/* route.c: last input route on this device */
};

/* Allocate a device in @ns with @priv_size bytes of driver data (dev->priv),
 * defaults of an Ethernet device (random MAC, MTU 1500, BROADCAST|MULTICAST).
 * Not yet visible; per-family state comes with dev_register. Owner thread. */
struct netdev *dev_alloc(struct netns *ns, const char *name, const struct netdev_ops *ops,
			 size_t priv_size);
/* Free a device that was never registered. */
void dev_free(struct netdev *dev);
/* Give it an ifindex (@ifindex 0 = next free) and link it into ns. 0, -EEXIST
 * (name taken), -EINVAL (bad name). */
int dev_register(struct netdev *dev, int ifindex, struct extack *ext);
/* Before dev_register, for a driver that needs the final name early (tap
 * names its host device after it): resolve a "%d" template in dev->name
 * and check it as dev_register will. 0, -EEXIST, -EINVAL. Owner. */
int dev_resolve_name(struct netdev *dev);
/* Close, remove its addresses, routes and neighbours, call ops->uninit,
 * free. Owner thread. */
void dev_unregister(struct netdev *dev);
/*
 * Teardown that outlives dev_unregister: a veth pair across workers
 * finishes by messages between its two owners. dev_async_begin() when
 * such a teardown starts and dev_async_end() when the last of it is done
 * (any thread); dev_async_wait() returns once none is left, as
 * netdev_run_todo waits for a device's last reference, so `ip link del`
 * and a namespace's deletion return with the peer gone. dev_async_wait:
 * not on a worker (the workers finish the teardown); false if it did not
 * finish within a few seconds.
 */
void dev_async_begin(void);
void dev_async_end(void);
bool dev_async_wait(void);

/* Free the lookup table of @ns's devices; netns_destroy calls it once
 * every device is unregistered. Owner thread. */
void dev_hash_free(struct netns *ns);

/*
 * Device events (Linux's netdevice notifier chain, net/core/dev_notify.c):
 * the subsystems that keep state per device (addresses, routes,
 * neighbours, captures) subscribe once at start-up and the device core
 * tells them what happened, naming none of them. Events of a device that
 * is not registered (dev_alloc'ed, attributes being set) are not sent.
 *  REGISTER	dev_register, once the device is listed; a handler may
 *		refuse (notifier_from_errno), the registration is then
 *		undone (UNREGISTER to every handler) and fails
 *  PRE_UP	dev_open before ops->open; a handler may veto
 *  UP		dev_open, once up
 *  GOING_DOWN	dev_close before ops->stop
 *  DOWN	dev_close, once down
 *  CHANGE	carrier changed (dev_set_carrier)
 *  CHANGEMTU / CHANGEADDR / CHANGENAME	after the change
 *  UNREGISTER	dev_unregister, after the close, before ops->uninit
 * Handlers run on the owner worker of the device's namespace, in priority
 * order (higher first; equal: registration order).
 */
enum netdev_cmd {
	NETDEV_UP = 1,
	NETDEV_DOWN,
	NETDEV_REBOOT,
	NETDEV_CHANGE,
	NETDEV_REGISTER,
	NETDEV_UNREGISTER,
	NETDEV_CHANGEMTU,
	NETDEV_CHANGEADDR,
	NETDEV_PRE_CHANGEADDR,
	NETDEV_GOING_DOWN,
	NETDEV_CHANGENAME,
	NETDEV_PRE_UP = 13,
	NETDEV_CHANGEUPPER = 21, /* dev->master changed (an L3 master linked or unlinked) */
};

/* Handler results, as include/linux/notifier.h. */
#define NOTIFY_DONE 0x0000
#define NOTIFY_OK 0x0001
#define NOTIFY_STOP_MASK 0x8000
#define NOTIFY_BAD (NOTIFY_STOP_MASK | 0x0002)
#define NOTIFY_STOP (NOTIFY_OK | NOTIFY_STOP_MASK)

static inline int notifier_from_errno(int err)
{
	return err ? NOTIFY_STOP_MASK | (NOTIFY_OK - err) : NOTIFY_OK;
}

static inline int notifier_to_errno(int ret)
{
	ret &= ~NOTIFY_STOP_MASK;
	return ret > NOTIFY_OK ? NOTIFY_OK - ret : 0;
}

struct notifier_block {
	/* @ptr is the struct netdev. NOTIFY_DONE/OK; a STOP_MASK result
	 * ends the walk (only REGISTER and PRE_UP look at it). */
	int (*notifier_call)(struct notifier_block *nb, unsigned long event, void *ptr);
	struct notifier_block *next; /* dev_notify.c's chain */
	int priority;
};

/* Subscribe / unsubscribe. Start-up (or a test's setup and teardown):
 * the chain is read without a lock by every worker. 0. */
int register_netdevice_notifier(struct notifier_block *nb);
int unregister_netdevice_notifier(struct notifier_block *nb);
/* Run the chain for @event of @dev; the last handler's result (stopping
 * at the first with NOTIFY_STOP_MASK). Owner thread. */
int call_netdevice_notifiers(unsigned long event, struct netdev *dev);

/* netif_is_l3_master / netif_is_l3_slave: a VRF, and a port of one. */
static inline bool netif_is_l3_master(const struct netdev *dev)
{
	return dev->ops && dev->ops->l3mdev_fib_table;
}
static inline bool netif_is_l3_slave(const struct netdev *dev)
{
	return dev->master && netif_is_l3_master(dev->master);
}
/* l3mdev_master_dev: the VRF @dev belongs to (itself for a VRF), NULL
 * for a device in no VRF (or no device); l3mdev_master_ifindex: its
 * ifindex, 0 for none. */
static inline struct netdev *l3mdev_master_dev(struct netdev *dev)
{
	if (!dev)
		return NULL;
	if (netif_is_l3_master(dev))
		return dev;
	return netif_is_l3_slave(dev) ? dev->master : NULL;
}
static inline int l3mdev_master_ifindex(const struct netdev *dev)
{
	const struct netdev *m = l3mdev_master_dev((struct netdev *)dev);

	return m ? m->ifindex : 0;
}
/* l3mdev_fib_table: the table of @dev's VRF, 0 (none) outside one. */
static inline uint32_t l3mdev_fib_table(const struct netdev *dev)
{
	if (!dev)
		return 0;
	if (netif_is_l3_master(dev))
		return dev->ops->l3mdev_fib_table(dev);
	return netif_is_l3_slave(dev) ? dev->master->ops->l3mdev_fib_table(dev->master) : 0;
}

struct netdev *dev_get_by_index(struct netns *ns, int ifindex);
struct netdev *dev_get_by_name(struct netns *ns, const char *name);
bool dev_valid_name(const char *name);

int dev_open(struct netdev *dev);	/* IFF_UP; ops->open */
int dev_close(struct netdev *dev);	/* clears UP; flushes routes via fib */
/* dev_validate_mtu(): within [min_mtu, max_mtu] (max_mtu 0: no upper
 * limit; a u32 above INT_MAX is negative here, as in Linux, and so "less
 * than device minimum"); -EINVAL with the kernel's extack text. */
int dev_validate_mtu(const struct netdev *dev, int mtu, struct extack *ext);
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

/* Attach @fn (with @data in dev->rx_handler_data) as @dev's receive hook:
 * 0, or -EBUSY if it has one. Unregister removes it. Owner thread. */
int netdev_rx_handler_register(struct netdev *dev, rx_handler_func_t *fn, void *data);
void netdev_rx_handler_unregister(struct netdev *dev);

/* Count a frame as sent, show it to the capture taps and hand it to the
 * driver: the end of dev_queue_xmit, and what a qdisc's dequeued frames
 * go through (sch_generic.c). Consumes pkt. Owner thread. */
void dev_hard_start_xmit(struct pkt *p, struct netdev *dev);

/*
 * An ethertype's handler, as Linux's struct packet_type: @func takes one
 * frame (pkt->data at L3; consumes it); @list_func, if not NULL, takes the
 * runs of frames of that type that dev_rx_batch gathers, in order, data at
 * L3 (as ip_list_rcv; consumes every packet of @b, b->n left unspecified).
 * dev_add_pack registers it (one handler per type: a second registration
 * of a type replaces the first), dev_remove_pack removes it; both at
 * start-up or with no packet in flight. The struct is the caller's and must
 * stay alive while registered.
 */
typedef void (*ptype_fn)(struct pkt *p);
typedef void (*ptype_batch_fn)(struct pkt_batch *b);
struct packet_type {
	uint16_t type;		/* ETH_P_*, host order */
	ptype_fn func;
	ptype_batch_fn list_func;
};
void dev_add_pack(struct packet_type *pt);
void dev_remove_pack(struct packet_type *pt);

/* Build an Ethernet header in front of pkt->data. */
void eth_header(struct pkt *p, const uint8_t *dst, const uint8_t *src, uint16_t proto);
/* Ethernet framing (eth.c), what ether_setup gives every device. */
extern const struct header_ops eth_header_ops;

/* dev_hard_header(): put @dev's link header for ethertype @type in front
 * of pkt->data; 0 for a device without one. Negative: @daddr missing. */
static inline int dev_hard_header(struct pkt *p, const struct netdev *dev, uint16_t type,
				  const uint8_t *daddr, const uint8_t *saddr, unsigned len)
{
	if (!dev->header_ops || !dev->header_ops->create)
		return 0;
	return dev->header_ops->create(p, dev, type, daddr, saddr, len);
}

/* Fill a random locally administered unicast MAC. */
void eth_random_addr(uint8_t *addr);

#endif
