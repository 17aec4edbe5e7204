// SPDX-License-Identifier: MIT
/*
 * The device core (net/core/dev.c in miniature): allocation and
 * registration with Linux's naming and ifindex rules, up/down and carrier
 * with the operstate a user sees in `ip link`, MTU/MAC/name changes with
 * the kernel's errors, the receive path (dev_rx: counts, runt/MTU/dest-MAC
 * checks as eth_type_trans, ptype dispatch by ethertype), the per-worker
 * backlog that netif_rx() defers into (so a chain of veth hops or lo never
 * recurses), and dev_queue_xmit.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "dev.h"
#include "netns/ipv4/fib.h"
#include "neigh.h"

/* ---- allocation and registration ---- */

struct netdev *dev_alloc(struct netns *ns, const char *name, const struct netdev_ops *ops,
			 size_t priv_size)
{
	struct netdev *dev;

	NS_ASSERT_OWNER(ns);
	/* sizeof(struct netdev) is a multiple of 8 (it holds u64 stats), so
	 * the private area that follows is suitably aligned. */
	static_assert(sizeof(struct netdev) % 8 == 0, "priv alignment");
	dev = calloc(1, sizeof(*dev) + priv_size);
	if (!dev)
		return NULL;
	dev->ns = ns;
	dev->ops = ops;
	dev->priv = priv_size ? (void *)(dev + 1) : NULL;
	/* A name that does not fit is kept empty so dev_register rejects it
	 * instead of silently registering a truncated name. */
	if (name && strlen(name) < IFNAMSIZ)
		snprintf(dev->name, sizeof(dev->name), "%s", name);
	/* ether_setup() defaults */
	dev->type = ARPHRD_ETHER;
	dev->mtu = ETH_DATA_LEN;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU;
	dev->txqlen = 1000;
	dev->flags = IFF_BROADCAST | IFF_MULTICAST;
	dev->operstate = OPER_DOWN;
	/* No __LINK_STATE_NOCARRIER at allocation: carrier is on until the
	 * driver says otherwise (veth turns it off at creation). */
	dev->carrier = true;
	eth_random_addr(dev->addr);
	memset(dev->broadcast, 0xff, ETH_ALEN);
	sysctl_dev_init(ns, &dev->cnf);
	return dev;
}

void dev_free(struct netdev *dev)
{
	free(dev);
}

/* The kernel's dev_valid_name(): 1..IFNAMSIZ-1 chars, not "." or "..", no
 * '/', ':' or whitespace (they would break sysfs and alias names). */
bool dev_valid_name(const char *name)
{
	if (!name || *name == '\0')
		return false;
	if (strnlen(name, IFNAMSIZ) == IFNAMSIZ)
		return false;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (; *name; name++)
		if (*name == '/' || *name == ':' || isspace((unsigned char)*name))
			return false;
	return true;
}

/*
 * Device lookup by name and by ifindex. A namespace with a handful of
 * devices walks its list (no table: an idle namespace stays small); past
 * DEV_HASH_MIN devices it gets a hash of both keys, like the kernel's
 * dev_name_head / dev_index_head, so a hub namespace with one veth end per
 * other namespace (100,000 of them) registers, finds and removes devices
 * in O(1).
 */
#define DEV_HASH_MIN 16

static unsigned dev_name_hash(const char *name, unsigned size)
{
	unsigned h = 5381;

	for (unsigned i = 0; i < IFNAMSIZ && name[i]; i++)
		h = h * 33 + (unsigned char)name[i];
	return (h ^ (h >> 16)) & (size - 1);
}

static struct netdev **dev_name_bucket(struct netns *ns, const char *name)
{
	return &ns->dev_hash[dev_name_hash(name, ns->dev_hsize)];
}

static struct netdev **dev_index_bucket(struct netns *ns, int ifindex)
{
	return &ns->dev_hash[ns->dev_hsize + ((unsigned)ifindex & (ns->dev_hsize - 1))];
}

static void dev_hash_insert(struct netdev *dev)
{
	struct netns *ns = dev->ns;
	struct netdev **b;

	b = dev_name_bucket(ns, dev->name);
	dev->name_next = *b;
	*b = dev;
	b = dev_index_bucket(ns, dev->ifindex);
	dev->index_next = *b;
	*b = dev;
}

static void dev_hash_remove(struct netdev *dev)
{
	struct netns *ns = dev->ns;
	struct netdev **pp;

	for (pp = dev_name_bucket(ns, dev->name); *pp; pp = &(*pp)->name_next) {
		if (*pp == dev) {
			*pp = dev->name_next;
			break;
		}
	}
	for (pp = dev_index_bucket(ns, dev->ifindex); *pp; pp = &(*pp)->index_next) {
		if (*pp == dev) {
			*pp = dev->index_next;
			break;
		}
	}
}

/* Make the table (or double it) for @want devices and rehash the list.
 * Without memory the lists still work: lookups fall back to walking. */
static void dev_hash_resize(struct netns *ns, unsigned want)
{
	unsigned size = ns->dev_hsize ? ns->dev_hsize : DEV_HASH_MIN;
	struct netdev **h;

	while (size < want)
		size *= 2;
	h = calloc(2 * (size_t)size, sizeof(*h));
	if (!h)
		return;
	free(ns->dev_hash);
	ns->dev_hash = h;
	ns->dev_hsize = size;
	for (struct netdev *d = ns->dev_list; d; d = d->next)
		dev_hash_insert(d);
}

/* Called by netns_destroy once every device is gone. */
void dev_hash_free(struct netns *ns)
{
	free(ns->dev_hash);
	ns->dev_hash = NULL;
	ns->dev_hsize = 0;
}

struct netdev *dev_get_by_index(struct netns *ns, int ifindex)
{
	struct netdev *dev;

	if (ns->dev_hash) {
		for (dev = *dev_index_bucket(ns, ifindex); dev; dev = dev->index_next)
			if (dev->ifindex == ifindex)
				return dev;
		return NULL;
	}
	for (dev = ns->dev_list; dev; dev = dev->next)
		if (dev->ifindex == ifindex)
			return dev;
	return NULL;
}

struct netdev *dev_get_by_name(struct netns *ns, const char *name)
{
	struct netdev *dev;

	if (!name)
		return NULL;
	if (ns->dev_hash) {
		for (dev = *dev_name_bucket(ns, name); dev; dev = dev->name_next)
			if (strncmp(dev->name, name, IFNAMSIZ) == 0)
				return dev;
		return NULL;
	}
	for (dev = ns->dev_list; dev; dev = dev->next)
		if (strncmp(dev->name, name, IFNAMSIZ) == 0)
			return dev;
	return NULL;
}

/*
 * dev_alloc_name(): a name with one "%d" becomes the lowest free unit
 * ("veth%d" -> veth0, veth1, ...). Returns 0 with @out filled, -EINVAL for
 * a bad template, -ENFILE when every unit is taken.
 */
static int dev_alloc_name(struct netns *ns, const char *tmpl, char *out)
{
	const char *p = strchr(tmpl, '%');
	char buf[IFNAMSIZ];
	int i;

	if (!p || p[1] != 'd' || strchr(p + 2, '%'))
		return -EINVAL;
	for (i = 0; i < 32768; i++) {
		int n = snprintf(buf, sizeof(buf), tmpl, i);

		if (n < 0 || n >= IFNAMSIZ)
			return -EINVAL;
		if (!dev_get_by_name(ns, buf)) {
			memcpy(out, buf, IFNAMSIZ);
			return 0;
		}
	}
	return -ENFILE;
}

/* Resolve a "%d" template and check validity and uniqueness of @name for
 * @dev (which may already hold it: renames to the same name are no-ops). */
static int dev_get_valid_name(struct netdev *dev, const char *name, char *out)
{
	struct netdev *other;

	if (!dev_valid_name(name))
		return -EINVAL;
	if (strchr(name, '%'))
		return dev_alloc_name(dev->ns, name, out);
	other = dev_get_by_name(dev->ns, name);
	if (other && other != dev)
		return -EEXIST;
	snprintf(out, IFNAMSIZ, "%s", name);
	return 0;
}

int dev_register(struct netdev *dev, int ifindex, struct extack *ext)
{
	struct netns *ns = dev->ns;
	char name[IFNAMSIZ];
	struct netdev **pp, *prev;
	int err;

	NS_ASSERT_OWNER(ns);
	/* The kernel answers a bad or taken name with a bare errno (no
	 * extack), so `ip` prints "RTNETLINK answers: File exists". */
	err = dev_get_valid_name(dev, dev->name, name);
	if (err)
		return err;
	if (ifindex < 0)
		return -EINVAL;
	if (ifindex) {
		/* dev_index_reserve(): an explicit ifindex must be free. */
		if (dev_get_by_index(ns, ifindex)) {
			EXTACK_MSG(ext, "Interface index is already in use");
			return -EBUSY;
		}
	} else {
		/* dev_new_index(): cyclic from the last one given out. */
		int tries = 0;

		do {
			if (++ns->ifindex_next <= 0)
				ns->ifindex_next = 1;
			if (++tries < 0)
				return -EBUSY;
		} while (dev_get_by_index(ns, ns->ifindex_next));
		ifindex = ns->ifindex_next;
	}
	memcpy(dev->name, name, IFNAMSIZ);
	dev->ifindex = ifindex;

	/* ifindex order; a new index is usually the highest: append */
	if (!ns->dev_tail || ns->dev_tail->ifindex < ifindex) {
		prev = ns->dev_tail;
	} else {
		for (prev = NULL, pp = &ns->dev_list; *pp && (*pp)->ifindex < ifindex;
		     pp = &(*pp)->next)
			prev = *pp;
	}
	dev->prev = prev;
	dev->next = prev ? prev->next : ns->dev_list;
	if (dev->next)
		dev->next->prev = dev;
	else
		ns->dev_tail = dev;
	if (prev)
		prev->next = dev;
	else
		ns->dev_list = dev;
	ns->ndevs++;
	ns->dev_gen++;
	if (ns->dev_hash)
		dev_hash_insert(dev);
	if (ns->ndevs > (ns->dev_hash ? 2 * ns->dev_hsize : DEV_HASH_MIN))
		dev_hash_resize(ns, ns->ndevs);
	return 0;
}

/* Frames in this worker's backlog that name @dev would dangle once it is
 * freed: drop them now (forward declaration, backlog below). */
static void dev_backlog_purge_dev(struct netdev *dev);

void dev_unregister(struct netdev *dev)
{
	struct netns *ns = dev->ns;

	NS_ASSERT_OWNER(ns);
	/* unregister_netdevice_many: close, NETDEV_UNREGISTER notifiers
	 * (neighbours, addresses, routes), ndo_uninit, unlink. */
	/* Packet sockets bound to the device see it go (NETDEV_UNREGISTER in
	 * packet_notifier): the captures on it end. */
	if (unlikely(dev->capture))
		capture_dev_gone(dev);
	dev_close(dev);
	neigh_dev_down(dev);
	inet_addr_flush(dev);
	fib_dev_unregister(dev);
	if (dev->ops && dev->ops->uninit)
		dev->ops->uninit(dev);
	dev_backlog_purge_dev(dev);

	if (ns->dev_hash)
		dev_hash_remove(dev);
	if (dev->prev)
		dev->prev->next = dev->next;
	else
		ns->dev_list = dev->next;
	if (dev->next)
		dev->next->prev = dev->prev;
	else
		ns->dev_tail = dev->prev;
	ns->ndevs--;
	if (ns->lo == dev)
		ns->lo = NULL;
	ns->dev_gen++;
	dev_free(dev);
}

/* ---- state: up/down, carrier, operstate ---- */

/*
 * RFC 2863 operstate as the kernel's default_operstate/rfc2863_policy:
 * DOWN when administratively down, LOWERLAYERDOWN without carrier, UP with
 * it. Loopback never goes through linkwatch, so it stays UNKNOWN when up
 * (`ip link` shows "state UNKNOWN" for lo).
 */
static void dev_update_operstate(struct netdev *dev)
{
	dev->flags &= ~(IFF_RUNNING | IFF_LOWER_UP);
	if (!(dev->flags & IFF_UP)) {
		dev->operstate = OPER_DOWN;
		return;
	}
	if (dev->carrier) {
		/* dev_get_flags() reports RUNNING/LOWER_UP only while up. */
		dev->flags |= IFF_RUNNING | IFF_LOWER_UP;
		dev->operstate = (dev->flags & IFF_LOOPBACK) ? OPER_UNKNOWN : OPER_UP;
	} else {
		dev->operstate = OPER_LOWERLAYERDOWN;
	}
}

/* IN_DEV_ARP_NOTIFY: max(all, dev). */
static int dev_arp_notify(const struct netdev *dev)
{
	return MAX(dev->ns->sysctl.all.data[DEVCONF_ARP_NOTIFY], dev->cnf.data[DEVCONF_ARP_NOTIFY]);
}

int dev_open(struct netdev *dev)
{
	struct in_ifaddr *ifa;
	int err;

	NS_ASSERT_OWNER(dev->ns);
	if (dev->flags & IFF_UP)
		return 0;
	dev->flags |= IFF_UP;
	if (dev->ops && dev->ops->open) {
		err = dev->ops->open(dev);
		if (err) {
			dev->flags &= ~IFF_UP;
			dev_update_operstate(dev);
			return err;
		}
	}
	dev_update_operstate(dev);
	dev->ns->dev_gen++;
	/* NETDEV_UP: fib_netdev_event re-adds the address routes (and, for
	 * loopback, inetdev_event adds 127.0.0.1/8). */
	fib_dev_up(dev);
	/*
	 * inetdev_event(NETDEV_UP) falls through to a gratuitous ARP per
	 * address only when arp_notify is set (default 0), as Linux does.
	 * A device without carrier would only drop it.
	 */
	if (!(dev->flags & IFF_NOARP) && dev_is_running(dev) && dev_arp_notify(dev))
		for (ifa = dev->ifa_list; ifa; ifa = ifa->next)
			arp_send_gratuitous(dev, ifa->local);
	return 0;
}

int dev_close(struct netdev *dev)
{
	NS_ASSERT_OWNER(dev->ns);
	if (!(dev->flags & IFF_UP))
		return 0;
	/* __dev_close_many: ndo_stop, clear IFF_UP, then NETDEV_DOWN. */
	if (dev->ops && dev->ops->stop)
		dev->ops->stop(dev);
	dev->flags &= ~IFF_UP;
	dev_update_operstate(dev);
	dev->ns->dev_gen++;
	fib_dev_down(dev);
	neigh_dev_down(dev);
	return 0;
}

void dev_set_carrier(struct netdev *dev, bool on)
{
	NS_ASSERT_OWNER(dev->ns);
	if (dev->carrier == on)
		return;
	dev->carrier = on;
	/* carrier_changes = carrier_up_count + carrier_down_count */
	dev->carrier_changes++;
	dev_update_operstate(dev);
	dev->ns->dev_gen++;
	/* arp_netdev_event(NETDEV_CHANGE): with arp_evict_nocarrier (default
	 * 1) losing carrier flushes the device's neighbours. */
	if (!on && (dev->flags & IFF_UP) && dev->cnf.data[DEVCONF_ARP_EVICT_NOCARRIER])
		neigh_dev_down(dev);
}

/* ---- attribute changes ---- */

int dev_set_mtu(struct netdev *dev, int mtu, struct extack *ext)
{
	int err;

	NS_ASSERT_OWNER(dev->ns);
	/* dev_validate_mtu() */
	if (mtu < 0 || (uint32_t)mtu < dev->min_mtu) {
		EXTACK_MSG(ext, "mtu less than device minimum");
		return -EINVAL;
	}
	if (dev->max_mtu > 0 && (uint32_t)mtu > dev->max_mtu) {
		EXTACK_MSG(ext, "mtu greater than device maximum");
		return -EINVAL;
	}
	if ((uint32_t)mtu == dev->mtu)
		return 0;
	if (dev->ops && dev->ops->change_mtu) {
		err = dev->ops->change_mtu(dev, mtu);
		if (err)
			return err;
	}
	dev->mtu = (uint32_t)mtu;
	dev->ns->dev_gen++;
	return 0;
}

int dev_set_mac(struct netdev *dev, const uint8_t *mac, struct extack *ext)
{
	NS_ASSERT_OWNER(dev->ns);
	/* loopback has no ndo_set_mac_address: dev_set_mac_address()
	 * answers -EOPNOTSUPP. */
	if (dev->type != ARPHRD_ETHER)
		return -EOPNOTSUPP;
	/* eth_prepare_mac_addr_change(): !is_valid_ether_addr ->
	 * -EADDRNOTAVAIL ("Cannot assign requested address"). */
	if (!mac || !eth_is_valid_unicast(mac))
		return -EADDRNOTAVAIL;
	memcpy(dev->addr, mac, ETH_ALEN);
	dev->ns->dev_gen++;
	return 0;
}

int dev_change_name(struct netdev *dev, const char *name, struct extack *ext)
{
	char buf[IFNAMSIZ];
	int err;

	NS_ASSERT_OWNER(dev->ns);
	if (name && strncmp(dev->name, name, IFNAMSIZ) == 0)
		return 0;
	err = dev_get_valid_name(dev, name, buf);
	if (err)
		return err;
	/* dev_change_name(): a running device cannot be renamed. */
	if (dev->flags & IFF_UP)
		return -EBUSY;
	/* registered devices (ifindex set) are in the name hash */
	if (dev->ifindex && dev->ns->dev_hash)
		dev_hash_remove(dev);
	memcpy(dev->name, buf, IFNAMSIZ);
	if (dev->ifindex && dev->ns->dev_hash)
		dev_hash_insert(dev);
	dev->ns->dev_gen++;
	return 0;
}

/* ---- ptype table ---- */

#define PTYPE_MAX 16

static struct ptype {
	uint16_t type;
	ptype_fn fn;
	ptype_batch_fn batch_fn; /* NULL: frames go to fn one by one */
} ptypes[PTYPE_MAX];
static unsigned nptypes;

static struct ptype *ptype_find_entry(uint16_t type)
{
	unsigned i;

	for (i = 0; i < nptypes; i++)
		if (ptypes[i].type == type)
			return &ptypes[i];
	return NULL;
}

/* Registration happens once at start-up, before workers run. */
void dev_add_pack(uint16_t ethertype, ptype_fn fn)
{
	struct ptype *pt = ptype_find_entry(ethertype);

	if (pt) {
		pt->fn = fn;
		return;
	}
	assert(nptypes < PTYPE_MAX);
	if (nptypes < PTYPE_MAX) {
		ptypes[nptypes].type = ethertype;
		ptypes[nptypes].fn = fn;
		nptypes++;
	}
}

void dev_add_pack_batch(uint16_t ethertype, ptype_batch_fn fn)
{
	struct ptype *pt = ptype_find_entry(ethertype);

	assert(pt);
	if (pt)
		pt->batch_fn = fn;
}

static ptype_fn ptype_find(uint16_t type)
{
	const struct ptype *pt = ptype_find_entry(type);

	return pt ? pt->fn : NULL;
}

/* ---- receive ---- */

/* eth_type_trans()'s classification of the destination MAC. */
static uint8_t eth_pkt_type(const struct netdev *dev, const struct ethhdr *eth)
{
	if (dev->flags & IFF_LOOPBACK)
		return PACKET_HOST;
	if (likely(eth_equal(eth->h_dest, dev->addr)))
		return PACKET_HOST;
	if (eth_is_multicast(eth->h_dest))
		return eth_is_broadcast(eth->h_dest) ? PACKET_BROADCAST : PACKET_MULTICAST;
	return PACKET_OTHERHOST;
}

/*
 * May the device take frame @p with a link header of @hlen bytes? A frame
 * shorter than its header (or empty) or longer than is_skb_forwardable()
 * allows (mtu + header + VLAN_HLEN of slack) is a length error; one that
 * reaches a down device never entered it: its rx_dropped is charged here
 * and pkt_drop counts only the reason (DEV_DOWN is otherwise a transmit-
 * side drop). False: @p was dropped.
 */
static inline bool dev_rx_admit(struct pkt *p, unsigned hlen)
{
	struct netdev *dev = p->dev;

	if (unlikely(p->len < (hlen ? hlen : 1))) {
		dev->stats.rx_length_errors++;
		pkt_drop(p, DROP_PKT_TOO_SMALL);
		return false;
	}
	if (unlikely(p->len > dev->mtu + hlen + 4)) {
		dev->stats.rx_length_errors++;
		pkt_drop(p, DROP_MTU_EXCEEDED);
		return false;
	}
	if (unlikely(!(dev->flags & IFF_UP))) {
		dev->stats.rx_dropped++;
		p->dev = NULL;
		pkt_drop(p, DROP_DEV_DOWN);
		return false;
	}
	return true;
}

/*
 * Receive on a device without a link-layer header (ARPHRD_NONE: tun). The
 * frame is a bare IP packet and the driver has set p->protocol from it, as
 * tun_get_user does from the IP version nibble for IFF_TUN without
 * IFF_NO_PI. There is no destination MAC: every packet is for this host.
 * Consumes p.
 */
static void dev_rx_nohdr(struct pkt *p)
{
	ptype_fn fn;

	if (unlikely(!dev_rx_admit(p, 0)))
		return;
	p->pkt_type = PACKET_HOST;
	pkt_set_l2(p);
	pkt_set_l3(p);
	fn = ptype_find(p->protocol);
	if (unlikely(!fn)) {
		pkt_drop(p, DROP_UNHANDLED_PROTO);
		return;
	}
	fn(p);
}

/* dev_rx without the worker's packet count (dev_rx_batch counts a batch
 * at once). Consumes p. */
static void dev_rx_one(struct pkt *p)
{
	struct netdev *dev = p->dev;
	const struct ethhdr *eth;
	ptype_fn fn;

	p->ns = dev->ns;
	NS_ASSERT_OWNER(dev->ns);
	dev->stats.rx_packets++;
	dev->stats.rx_bytes += p->len;
	/* ptype_all taps (tcpdump) see every frame the device receives,
	 * before any protocol check; one branch when nobody captures. */
	if (unlikely(dev->capture))
		capture_tap(dev, p, false);
	if (unlikely(dev->type == ARPHRD_NONE)) {
		dev_rx_nohdr(p);
		return;
	}

	if (unlikely(!dev_rx_admit(p, ETH_HLEN)))
		return;

	eth = (const struct ethhdr *)p->data;
	p->pkt_type = eth_pkt_type(dev, eth);
	if (p->pkt_type == PACKET_MULTICAST)
		dev->stats.multicast++;
	/* ip_rcv_core drops PACKET_OTHERHOST (SKB_DROP_REASON_OTHERHOST);
	 * without promiscuity no such frame gets that far, so we drop it
	 * here. With IFF_PROMISC the L3 handler sees and drops it. */
	if (unlikely(p->pkt_type == PACKET_OTHERHOST && !(dev->flags & IFF_PROMISC))) {
		pkt_drop(p, DROP_OTHERHOST);
		return;
	}
	pkt_set_l2(p);
	p->protocol = ntohs(eth->h_proto);
	pkt_pull(p, ETH_HLEN);
	pkt_set_l3(p);

	fn = ptype_find(p->protocol);
	if (unlikely(!fn)) {
		pkt_drop(p, DROP_UNHANDLED_PROTO);
		return;
	}
	fn(p);
}

void dev_rx(struct pkt *p)
{
	struct worker *w = loop_current();

	if (w)
		loop_stats(w)->pkts++;
	dev_rx_one(p);
}

/*
 * Batch receive (STYLE H1-H3, like netif_receive_skb_list). A frame takes
 * the fast path when its device is a plain Ethernet device that is up and
 * not captured (checked once per run of one device) and the frame is
 * long enough, short enough and addressed to the device's own MAC (one
 * test): that is exactly the case where dev_rx would pass it up as
 * PACKET_HOST with no counter but rx_packets/rx_bytes. Anything else goes
 * through dev_rx_one, whose checks and counts are dev_rx's. Frames of a
 * type with a batch handler (IPv4) are gathered into runs and handed over
 * together; before any frame is handled on its own the pending run is
 * handed over, so frames reach the protocols in arrival order.
 */
void dev_rx_batch(struct pkt_batch *b)
{
	struct worker *w = loop_current();
	struct pkt_batch up;		/* a run of one ethertype for its batch handler */
	ptype_batch_fn up_fn = NULL;	/* NULL: no run open */
	uint16_t up_proto = 0;
	struct netdev *dev = NULL;	/* device of the current run of frames */
	struct netns *ns = NULL;
	uint32_t span = 0;		/* is_skb_forwardable: mtu + VLAN past the header */
	uint32_t a4 = 0;		/* the device's MAC as a 4- and a 2-byte word */
	uint16_t a2 = 0;
	bool fast = false;		/* Ethernet, up, no capture, not loopback */
	uint32_t pkts = 0;		/* rx_packets/rx_bytes not yet added to dev */
	uint64_t bytes = 0;
	unsigned i, n = b->n;

	up.n = 0;
	if (w)
		loop_stats(w)->pkts += n;
	for (i = 0; i < n; i++) {
		struct pkt *p = b->p[i];
		const uint8_t *d = p->data;
		uint32_t len = p->len, d4;
		const struct ptype *pt;
		uint16_t d2, proto;


		if (unlikely(p->dev != dev)) {
			if (dev) {
				dev->stats.rx_packets += pkts;
				dev->stats.rx_bytes += bytes;
			}
			pkts = 0;
			bytes = 0;
			dev = p->dev;
			ns = dev->ns;
			NS_ASSERT_OWNER(ns);
			span = dev->mtu + 4;
			fast = dev->type == ARPHRD_ETHER && !dev->capture &&
			       (dev->flags & (IFF_UP | IFF_LOOPBACK)) == IFF_UP;
			memcpy(&a4, dev->addr, 4);
			memcpy(&a2, dev->addr + 4, 2);
		}
		/* one unsigned compare checks both ends of the length; the
		 * destination is read only once the header is known there */
		if (unlikely(!fast || len - ETH_HLEN > span ||
			     (memcpy(&d4, d, 4), memcpy(&d2, d + 4, 2), d4 != a4 || d2 != a2))) {
			/* every other case, with dev_rx's checks and counts */
			if (up.n) {
				up_fn(&up);
				up.n = 0;
			}
			dev_rx_one(p);
			continue;
		}
		pkts++;
		bytes += len;
		p->ns = ns;
		p->pkt_type = PACKET_HOST;
		pkt_set_l2(p);
		proto = ntohs(((const struct ethhdr *)d)->h_proto);
		p->protocol = proto;
		p->data = (uint8_t *)d + ETH_HLEN;
		p->len = len - ETH_HLEN;
		pkt_set_l3(p);
		if (likely(proto == up_proto && up_fn)) {
			up.p[up.n++] = p;
			continue;
		}
		if (up.n) {
			up_fn(&up);
			up.n = 0;
		}
		pt = ptype_find_entry(proto);
		if (pt && pt->batch_fn) {
			up_fn = pt->batch_fn;
			up_proto = proto;
			up.p[up.n++] = p;
			continue;
		}
		up_fn = NULL;
		if (unlikely(!pt || !pt->fn)) {
			pkt_drop(p, DROP_UNHANDLED_PROTO);
			continue;
		}
		pt->fn(p);
	}
	if (up.n)
		up_fn(&up);
	if (dev) {
		dev->stats.rx_packets += pkts;
		dev->stats.rx_bytes += bytes;
	}
	b->n = 0;
}

/*
 * The per-worker backlog (softnet_data.input_pkt_queue): a FIFO plus a loop
 * task that drains it. netdev_max_backlog bounds it like the kernel's
 * default of 1000.
 */
#define NETDEV_MAX_BACKLOG 1000
/* Work per task run: enough to amortise the wake-up, small enough that a
 * routing loop cannot starve the worker's other calls (like the NAPI
 * budget / netdev_budget). */
#define BACKLOG_BUDGET 4096

/* The backlog is a ring of packet pointers (a power of two above the
 * bound): queueing a frame is one store, and a batch comes off it without
 * touching the frames themselves. */
#define BACKLOG_SLOTS 1024
static_assert(BACKLOG_SLOTS >= NETDEV_MAX_BACKLOG, "backlog ring holds the bound");
static_assert((BACKLOG_SLOTS & (BACKLOG_SLOTS - 1)) == 0, "power of two");

static _Thread_local struct {
	unsigned head, tail;	/* free-running; tail - head frames queued */
	struct pkt *slot[BACKLOG_SLOTS];
} backlog;
static _Thread_local struct loop_task backlog_task;
static _Thread_local struct worker *backlog_worker; /* worker backlog_task belongs to */

static inline unsigned backlog_len(void)
{
	return backlog.tail - backlog.head;
}

static void backlog_run(void *arg)
{
	(void)arg;
	dev_process_backlog();
}

static void backlog_schedule(struct worker *w)
{
	/* A thread can become a different (test) worker over its life: a
	 * task left queued on an old one must not block the new one. */
	if (backlog_worker != w) {
		loop_task_init(&backlog_task, backlog_run, NULL);
		backlog_worker = w;
	}
	loop_task_wake(w, &backlog_task);
}

void netif_rx(struct pkt *p)
{
	struct worker *w = loop_current();

	p->ns = p->dev->ns;
	NS_ASSERT_OWNER(p->ns);
	/* Not on a worker (never in normal operation): receive inline. */
	if (unlikely(!w)) {
		dev_rx(p);
		return;
	}
	if (unlikely(backlog_len() >= NETDEV_MAX_BACKLOG)) {
		pkt_drop(p, DROP_BACKLOG_FULL);
		return;
	}
	backlog.slot[backlog.tail++ & (BACKLOG_SLOTS - 1)] = p;
	if (backlog_len() == 1)
		backlog_schedule(w);
}

unsigned dev_process_backlog(void)
{
	unsigned n = 0;

	/* Batches of up to PKT_BATCH frames in arrival order (H1). */
	while (n < BACKLOG_BUDGET && backlog_len()) {
		struct pkt_batch b;
		unsigned i, k = MIN(backlog_len(), (unsigned)PKT_BATCH);

		for (i = 0; i < k; i++)
			b.p[i] = backlog.slot[(backlog.head + i) & (BACKLOG_SLOTS - 1)];
		backlog.head += k;
		b.n = k;
		n += k;
		dev_rx_batch(&b);
	}
	/* Frames queued while we ran (a loop through lo, a chain of
	 * same-worker veths) get another turn after other work. */
	if (backlog_len()) {
		struct worker *w = loop_current();

		if (w)
			backlog_schedule(w);
	}
	return n;
}

void netif_rx_batch(struct pkt_batch *b)
{
	struct worker *w = loop_current();
	unsigned i, n = b->n, tail = backlog.tail, room;
	struct netdev *dev = NULL;

	/* Not on a worker (never in normal operation): receive inline. */
	if (unlikely(!w)) {
		dev_rx_batch(b);
		return;
	}
	room = NETDEV_MAX_BACKLOG - backlog_len();
	for (i = 0; i < n; i++) {
		struct pkt *p = b->p[i];

		if (unlikely(p->dev != dev)) {
			dev = p->dev;
			NS_ASSERT_OWNER(dev->ns);
		}
		p->ns = dev->ns;
		if (unlikely(i >= room)) {
			pkt_drop(p, DROP_BACKLOG_FULL);
			continue;
		}
		backlog.slot[tail++ & (BACKLOG_SLOTS - 1)] = p;
	}
	b->n = 0;
	/* one wake-up for the batch (H6), as netif_rx's first frame */
	if (backlog.tail == backlog.head && tail != backlog.head) {
		backlog.tail = tail;
		backlog_schedule(w);
	} else {
		backlog.tail = tail;
	}
}

/* Remove every backlog frame for which @match is true and drop it as
 * DEV_GONE in its namespace, forgetting its device; the others keep their
 * order. */
static void dev_backlog_purge_if(bool (*match)(const struct pkt *p, const void *arg),
				 const void *arg)
{
	unsigned i, keep = backlog.head;

	for (i = backlog.head; i != backlog.tail; i++) {
		struct pkt *p = backlog.slot[i & (BACKLOG_SLOTS - 1)];

		if (match(p, arg)) {
			p->ns = p->dev->ns;
			p->dev = NULL;
			pkt_drop(p, DROP_DEV_GONE);
		} else {
			backlog.slot[keep++ & (BACKLOG_SLOTS - 1)] = p;
		}
	}
	backlog.tail = keep;
}

static bool match_dev(const struct pkt *p, const void *arg)
{
	return p->dev == arg;
}

static bool match_ns(const struct pkt *p, const void *arg)
{
	return p->dev->ns == arg;
}

static void dev_backlog_purge_dev(struct netdev *dev)
{
	if (backlog_len())
		dev_backlog_purge_if(match_dev, dev);
}

void dev_backlog_purge(struct netns *ns)
{
	NS_ASSERT_OWNER(ns);
	if (backlog_len())
		dev_backlog_purge_if(match_ns, ns);
}

/* ---- transmit ---- */

void dev_queue_xmit(struct pkt *p)
{
	struct netdev *dev = p->dev;

	p->ns = dev->ns;
	NS_ASSERT_OWNER(dev->ns);
	/* __dev_queue_xmit on a device that is down or has no carrier. */
	if (unlikely(!dev_is_running(dev))) {
		pkt_drop(p, DROP_DEV_DOWN);
		return;
	}
	/* A device without a link-layer header (ARPHRD_NONE: tun, which has
	 * no header_ops) sends the bare IP packet. neigh_xmit frames every
	 * IPv4 packet for Ethernet; take that header off again here, before
	 * counting, since tun's tx_bytes count the IP packet only. */
	if (unlikely(dev->type == ARPHRD_NONE) && p->protocol == ETH_P_IP &&
	    p->len >= ETH_HLEN && p->data == pkt_l2(p))
		pkt_pull(p, ETH_HLEN);
	dev->stats.tx_packets++;
	dev->stats.tx_bytes += p->len;
	/* dev_queue_xmit_nit(): taps see the frame as it goes to the driver. */
	if (unlikely(dev->capture))
		capture_tap(dev, p, true);
	dev->ops->xmit(dev, p);
}

void dev_queue_xmit_batch(struct netdev *dev, struct pkt_batch *b)
{
	struct netns *ns = dev->ns;
	unsigned i, n = b->n;
	uint64_t bytes = 0;

	NS_ASSERT_OWNER(ns);
	/* Devices that need per-frame work (down, tun's header removal,
	 * capture taps) take dev_queue_xmit's path frame by frame. */
	if (unlikely(!dev_is_running(dev) || dev->type == ARPHRD_NONE || dev->capture ||
		     !dev->ops->xmit_batch)) {
		for (i = 0; i < n; i++) {
			b->p[i]->dev = dev;
			dev_queue_xmit(b->p[i]);
		}
		b->n = 0;
		return;
	}
	for (i = 0; i < n; i++) {
		struct pkt *p = b->p[i];

		p->dev = dev;
		p->ns = ns;
		bytes += p->len;
	}
	dev->stats.tx_packets += n;
	dev->stats.tx_bytes += bytes;
	dev->ops->xmit_batch(dev, b);
	b->n = 0;
}

/* ---- Ethernet helpers ---- */

void eth_header(struct pkt *p, const uint8_t *dst, const uint8_t *src, uint16_t proto)
{
	struct ethhdr *eth = (struct ethhdr *)pkt_push(p, ETH_HLEN);

	memcpy(eth->h_dest, dst, ETH_ALEN);
	memcpy(eth->h_source, src, ETH_ALEN);
	eth->h_proto = htons(proto);
	pkt_set_l2(p);
}

void eth_random_addr(uint8_t *addr)
{
	unsigned i;

	/* random() is thread-safe in glibc; MACs are made on the control
	 * path, never per packet. */
	for (i = 0; i < ETH_ALEN; i++)
		addr[i] = (uint8_t)(random() >> 7);
	addr[0] &= 0xfe; /* unicast */
	addr[0] |= 0x02; /* locally administered */
}
