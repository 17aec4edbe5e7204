// SPDX-License-Identifier: MIT
/*
 * The device core (net/core/dev.c in miniature): allocation and
 * registration with Linux's naming and ifindex rules, up/down and carrier
 * with the operstate a user sees in `ip link`, MTU/MAC/name changes with
 * the kernel's errors. The receive path is in dev_rx.c, transmit in
 * dev_xmit.c.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "dev.h"
#include "sch_generic.h"

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
	dev->header_ops = &eth_header_ops;
	dev->hard_header_len = ETH_HLEN;
	dev->mtu = ETH_DATA_LEN;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU;
	dev->txqlen = 1000;
	dev->flags = IFF_BROADCAST | IFF_MULTICAST;
	dev->operstate = OPER_DOWN;
	/* No __LINK_STATE_NOCARRIER at allocation: carrier is on until the
	 * driver says otherwise (veth turns it off at creation). */
	dev->carrier = true;
	dev->linkwatch = true;
	eth_random_addr(dev->addr);
	memset(dev->broadcast, 0xff, ETH_ALEN);
	return dev;
}

void dev_free(struct netdev *dev)
{
	free(dev->ifalias);
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

int dev_resolve_name(struct netdev *dev)
{
	char name[IFNAMSIZ];
	int err;

	NS_ASSERT_OWNER(dev->ns);
	err = dev_get_valid_name(dev, dev->name, name);
	if (!err)
		memcpy(dev->name, name, IFNAMSIZ);
	return err;
}

static void dev_unlist(struct netdev *dev);

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
	/* register_netdevice: a subscriber that cannot take the device
	 * (no memory for its state) fails the registration; every
	 * subscriber is told UNREGISTER to drop what it set up. */
	err = notifier_to_errno(call_netdevice_notifiers(NETDEV_REGISTER, dev));
	if (err) {
		call_netdevice_notifiers(NETDEV_UNREGISTER, dev);
		dev_unlist(dev);
		dev->ifindex = 0;
		return err;
	}
	return 0;
}

/* Take @dev out of its namespace's list and lookup table. */
static void dev_unlist(struct netdev *dev)
{
	struct netns *ns = dev->ns;

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
	dev->next = dev->prev = NULL;
	ns->ndevs--;
	ns->dev_gen++;
}

void dev_unregister(struct netdev *dev)
{
	struct netns *ns = dev->ns;

	NS_ASSERT_OWNER(ns);
	/* unregister_netdevice_many: close (NETDEV_DOWN), NETDEV_UNREGISTER
	 * (captures end, routes, addresses and neighbours go), ndo_uninit,
	 * unlink. */
	dev_close(dev);
	call_netdevice_notifiers(NETDEV_UNREGISTER, dev);
	/* dev_shutdown: the queueing discipline goes, with what it holds. */
	dev_qdisc_detach(dev);
	if (dev->ops && dev->ops->uninit)
		dev->ops->uninit(dev);
	dev_backlog_purge_dev(dev);

	dev_unlist(dev);
	if (ns->lo == dev)
		ns->lo = NULL;
	dev_free(dev);
}

/* Teardowns in flight (dev_async_begin): written by workers, read by the
 * control thread. */
static atomic_uint dev_async_pending;

void dev_async_begin(void)
{
	atomic_fetch_add_explicit(&dev_async_pending, 1, memory_order_relaxed);
}

void dev_async_end(void)
{
	/* release: what the teardown freed is freed before the count drops */
	atomic_fetch_sub_explicit(&dev_async_pending, 1, memory_order_release);
}

/*
 * Each teardown is a chain of a few messages between workers, so this
 * ends within microseconds; a short sleep between looks leaves the cores
 * to the workers.
 */
#define DEV_ASYNC_POLL_NS 20000
#define DEV_ASYNC_POLL_MAX 250000 /* 5 s */

bool dev_async_wait(void)
{
	/* a worker could be waiting for teardown that needs its own loop */
	assert(!loop_current() ||
	       !atomic_load_explicit(&dev_async_pending, memory_order_acquire));
	for (unsigned i = 0; i < DEV_ASYNC_POLL_MAX; i++) {
		struct timespec ts = { 0, DEV_ASYNC_POLL_NS };

		if (!atomic_load_explicit(&dev_async_pending, memory_order_acquire))
			return true;
		nanosleep(&ts, NULL);
	}
	log_msg(LOG_WARN, "device teardown did not finish");
	return false;
}

/* ---- state: up/down, carrier, operstate ---- */

/*
 * RFC 2863 operstate as `ip link` shows it: DOWN when administratively
 * down (rtnl_fill_ifinfo reports IF_OPER_DOWN for a device not running);
 * up, what linkwatch last set (default_operstate below). A device whose
 * driver never reports a carrier
 * (lo, dummy: dev->linkwatch false) has none set and stays UNKNOWN, as in
 * Linux, until its carrier first changes.
 */
/*
 * default_operstate without carrier: LOWERLAYERDOWN only when the device
 * has a link of its own (iflink, a veth's peer) and the device of that
 * ifindex in this namespace has no carrier either; DOWN otherwise (a
 * dummy with carrier off). Like the kernel, the ifindex is looked up
 * here even when the peer is in another namespace.
 */
static uint8_t dev_operstate_no_carrier(struct netdev *dev)
{
	const struct netdev *peer;
	int iflink = dev->ops && dev->ops->get_iflink ? dev->ops->get_iflink(dev, NULL) : dev->ifindex;

	if (iflink == dev->ifindex)
		return OPER_DOWN;
	peer = dev_get_by_index(dev->ns, iflink);
	return peer && !peer->carrier ? OPER_LOWERLAYERDOWN : OPER_DOWN;
}

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
		dev->operstate = dev->linkwatch ? OPER_UP : OPER_UNKNOWN;
	} else {
		dev->operstate = dev_operstate_no_carrier(dev);
	}
}

/* Only registered devices (an ifindex given) have subscribers' state. */
static int dev_notify(struct netdev *dev, unsigned long event)
{
	return dev->ifindex ? call_netdevice_notifiers(event, dev) : NOTIFY_DONE;
}

int dev_open(struct netdev *dev)
{
	int err;

	NS_ASSERT_OWNER(dev->ns);
	if (dev->flags & IFF_UP)
		return 0;
	err = notifier_to_errno(dev_notify(dev, NETDEV_PRE_UP));
	if (err)
		return err;
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
	 * loopback, 127.0.0.1/8), then arp_notify's gratuitous ARP. */
	dev_notify(dev, NETDEV_UP);
	return 0;
}

int dev_close(struct netdev *dev)
{
	NS_ASSERT_OWNER(dev->ns);
	if (!(dev->flags & IFF_UP))
		return 0;
	/* __dev_close_many: GOING_DOWN, dev_deactivate (what the qdisc
	 * holds is dropped), ndo_stop, clear IFF_UP, then NETDEV_DOWN
	 * (routes, then neighbours). */
	dev_notify(dev, NETDEV_GOING_DOWN);
	dev_qdisc_reset(dev);
	if (dev->ops && dev->ops->stop)
		dev->ops->stop(dev);
	dev->flags &= ~IFF_UP;
	dev_update_operstate(dev);
	dev->ns->dev_gen++;
	dev_notify(dev, NETDEV_DOWN);
	return 0;
}

void dev_set_carrier(struct netdev *dev, bool on)
{
	NS_ASSERT_OWNER(dev->ns);
	if (dev->carrier == on)
		return;
	dev->carrier = on;
	dev->linkwatch = true;
	/* carrier_changes = carrier_up_count + carrier_down_count */
	dev->carrier_changes++;
	dev_update_operstate(dev);
	dev->ns->dev_gen++;
	/* linkwatch's NETDEV_CHANGE (arp_netdev_event evicts neighbours on
	 * carrier loss) */
	dev_notify(dev, NETDEV_CHANGE);
}

/* ---- attribute changes ---- */

int dev_validate_mtu(const struct netdev *dev, int mtu, struct extack *ext)
{
	if (mtu < 0 || (uint32_t)mtu < dev->min_mtu) {
		EXTACK_MSG(ext, "mtu less than device minimum");
		return -EINVAL;
	}
	if (dev->max_mtu > 0 && (uint32_t)mtu > dev->max_mtu) {
		EXTACK_MSG(ext, "mtu greater than device maximum");
		return -EINVAL;
	}
	return 0;
}

int dev_set_mtu(struct netdev *dev, int mtu, struct extack *ext)
{
	int err;

	NS_ASSERT_OWNER(dev->ns);
	err = dev_validate_mtu(dev, mtu, ext);
	if (err)
		return err;
	if ((uint32_t)mtu == dev->mtu)
		return 0;
	if (dev->ops && dev->ops->change_mtu) {
		err = dev->ops->change_mtu(dev, mtu);
		if (err)
			return err;
	}
	dev->mtu = (uint32_t)mtu;
	dev->ns->dev_gen++;
	dev_notify(dev, NETDEV_CHANGEMTU);
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
	dev_notify(dev, NETDEV_CHANGEADDR);
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
	dev_notify(dev, NETDEV_CHANGENAME);
	return 0;
}

