// SPDX-License-Identifier: MIT
/*
 * Host TAP/TUN devices (the user-space half of drivers/net/tun.c). An
 * nsemu device of kind "tap" or "tun" owns an fd of /dev/net/tun attached
 * with TUNSETIFF to a host device: what the host sends on it arrives here
 * as rx, and what the namespace transmits is written to the host. A tap
 * carries Ethernet frames; a tun carries bare IPv4 packets (ARPHRD_NONE,
 * IFF_NOARP|IFF_POINTOPOINT, no header_ops, as the kernel's tun_net_init
 * sets for IFF_TUN), so the device core adds and parses no L2 header.
 *
 * The fd is an ev_io on the namespace's owner worker. Each wake-up reads
 * up to TAP_RX_BATCH frames, one read() per frame: a tun fd returns exactly
 * one frame per read and takes one per write (readv/writev only scatter
 * one frame), and IFF_MULTI_QUEUE/IFF_VNET_HDR do not change that (they
 * add queues and offload metadata, which a single emulator thread per
 * device has no use for). So the batching is in the wake-ups: transmitted
 * frames are queued and written by one flush at the end of the current
 * processing batch (a timer due "now", STYLE H7), and a full host queue
 * (EAGAIN) is a counted drop, never a blocking write.
 *
 * Carrier follows the host device: present, attached and IFF_UP on the
 * host. A read or write error (EBADFD/EIO: the host device was deleted)
 * detaches at once; a 1 s timer checks the host's IFF_UP with SIOCGIFFLAGS
 * and, for a device created with host-name, looks for the host device to
 * come back and reattaches to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>
#include <linux/if_link.h>

#include "core/log.h"
#include "core/timer.h"
#include "netns/core/netns.h"
#include "netns/rtnl/rtnl.h"
#include "devices.h"
#include "tap.h"

/* <linux/if_tun.h>'s ioctls and flags; the header itself drags in
 * <linux/if_ether.h>, whose struct ethhdr clashes with netns/proto/eth.h. */
#define TUNSETIFF _IOW('T', 202, int)
#define TUNGETIFF _IOR('T', 210, unsigned int)
#define IFF_TUN 0x0001
#define IFF_TAP 0x0002
#define IFF_NO_PI 0x1000

struct tap_priv {
	struct netdev *dev;
	int fd;			/* host fd, -1 while detached */
	int ctl;		/* AF_INET datagram socket for SIOCGIFFLAGS, or -1 */
	bool tun;		/* IFF_TUN: bare IPv4, no Ethernet header */
	bool host;		/* fd is a real tun fd attached to host_name */
	bool reattach;		/* host-name device: reattach when it comes back */
	bool io_on;		/* io started on the owner's loop */
	char host_name[IFNAMSIZ];
	ev_io io;
	struct pkt_queue txq;	/* frames waiting for the flush */
	struct timer flush;	/* writes txq at the end of this batch */
	struct timer poll;	/* host link state, reattach */
};

static const struct netdev_ops tap_ops;
static const struct netdev_ops tun_ops;
static tap_open_fn tap_opener = tap_open_host;
static const struct rtnl_link_ops tap_link_ops, tun_link_ops;

static struct tap_priv *tap_priv(const struct netdev *dev)
{
	return dev->priv;
}

bool dev_is_tap(const struct netdev *dev)
{
	return dev && (dev->ops == &tap_ops || dev->ops == &tun_ops);
}

int tap_fd(const struct netdev *dev)
{
	return tap_priv(dev)->fd;
}

void tap_set_open_hook(tap_open_fn fn)
{
	tap_opener = fn ? fn : tap_open_host;
}

/* ---- the host side ---- */

int tap_open_host(const char *name, bool tun, bool must_exist, char *actual, enum tap_step *step)
{
	struct ifreq ifr;
	int fd, err;

	*step = TAP_STEP_OTHER;
	if (must_exist && !if_nametoindex(name))
		return -ENODEV;
	*step = TAP_STEP_OPEN;
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	/* IFF_NO_PI: no 4-byte packet-information prefix on every frame. */
	ifr.ifr_flags = (short)((tun ? IFF_TUN : IFF_TAP) | IFF_NO_PI);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	/* tun_set_iff: an existing device is attached if it has the same
	 * mode and the caller owns it (tun_not_capable: owner/group of a
	 * persistent device, or CAP_NET_ADMIN); a new one needs
	 * CAP_NET_ADMIN. */
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		*step = TAP_STEP_SETIFF;
		close(fd);
		return err;
	}
	memcpy(actual, ifr.ifr_name, IFNAMSIZ);
	actual[IFNAMSIZ - 1] = '\0';
	return fd;
}

/* The text a user reads when attaching fails (extack, 127 chars max). */
static void tap_open_error(struct extack *ext, const char *name, int err, enum tap_step step)
{
	static const char hint[] =
		"(need CAP_NET_ADMIN or a persistent TAP owned by you: see docs/host.md)";

	if (!ext)
		return;
	if (step == TAP_STEP_OPEN && err == -ENOENT)
		extack_set(ext, "cannot open /dev/net/tun: %s (load the tun module)", strerror(-err));
	else if (step == TAP_STEP_OPEN)
		extack_set(ext, "cannot open /dev/net/tun: %s %s", strerror(-err),
			   err == -EACCES || err == -EPERM ? hint : "");
	else if (err == -EPERM || err == -EACCES)
		extack_set(ext, "cannot attach %s: %s %s", name, strerror(-err), hint);
	else if (err == -EINVAL)
		extack_set(ext, "cannot attach %s: host device exists and is not a %s", name,
			   "TAP/TUN of this mode");
	else if (err == -EBUSY)
		extack_set(ext, "cannot attach %s: already attached to another process", name);
	else
		extack_set(ext, "cannot attach %s: %s", name, strerror(-err));
}

/*
 * Whether the host device is there and up. TUNGETIFF fails with EBADFD
 * once the device is deleted (tun_get() finds no tun behind the file).
 * SIOCGIFFLAGS by name answers ENODEV when the device moved to another
 * kernel namespace; the fd still works then, so count it as up.
 * Returns 1 up, 0 down, -1 gone.
 */
static int tap_host_state(struct tap_priv *t)
{
	struct ifreq ifr;

	if (!t->host)
		return 1; /* a stand-in fd: up while open */
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(t->fd, TUNGETIFF, &ifr) < 0)
		return errno == EBADFD ? -1 : 1;
	if (t->ctl < 0)
		return 1;
	memcpy(ifr.ifr_name, t->host_name, IFNAMSIZ);
	if (ioctl(t->ctl, SIOCGIFFLAGS, &ifr) < 0)
		return 1;
	return (ifr.ifr_flags & IFF_UP) ? 1 : 0;
}

static void tap_io_cb(struct ev_loop *l, ev_io *w, int revents);

/* Drop every queued frame with @reason. */
static void tap_txq_drop(struct tap_priv *t, enum drop_reason reason)
{
	struct pkt *p;

	while ((p = pkt_queue_pop(&t->txq)))
		pkt_drop(p, reason);
}

/* Start reading @fd on the owner's loop (no loop for the test worker:
 * tests call tap_poll). Owner. */
static void tap_attach(struct tap_priv *t, int fd)
{
	struct worker *w = loop_current();
	struct ev_loop *l = w ? loop_ev(w) : NULL;

	t->fd = fd;
	/* Never block the worker: a full host queue is EAGAIN, counted. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (l) {
		ev_io_init(&t->io, tap_io_cb, fd, EV_READ);
		ev_io_start(l, &t->io);
		t->io_on = true;
	}
}

/* Close the host fd and stop reading it. Owner. */
static void tap_detach(struct tap_priv *t)
{
	if (t->io_on) {
		ev_io_stop(loop_ev(loop_current()), &t->io);
		t->io_on = false;
	}
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

/* The host device went away: no carrier until it comes back. Owner. */
static void tap_host_lost(struct tap_priv *t)
{
	tap_detach(t);
	tap_txq_drop(t, DROP_DEV_DOWN);
	dev_set_carrier(t->dev, false);
	if (t->reattach && !timer_pending(&t->poll))
		timer_mod(&t->poll, loop_now() + TAP_POLL_NS);
}

/* Bring carrier in line with the host device. Owner. */
static void tap_check_host(struct tap_priv *t)
{
	int state = tap_host_state(t);

	if (state < 0) {
		log_msg(LOG_INFO, "tap %s: host device %s is gone", t->dev->name, t->host_name);
		tap_host_lost(t);
		return;
	}
	dev_set_carrier(t->dev, state > 0);
}

/* Look for a lost host-name device and attach to it again. Owner. */
static void tap_try_reattach(struct tap_priv *t)
{
	char actual[IFNAMSIZ];
	enum tap_step step;
	int fd;

	/* Attach only to a device that exists again: TUNSETIFF with our
	 * privileges would otherwise create a new, non-persistent one. */
	fd = tap_opener(t->host_name, t->tun, true, actual, &step);
	if (fd < 0)
		return;
	log_msg(LOG_INFO, "tap %s: reattached to host device %s", t->dev->name, actual);
	tap_attach(t, fd);
	tap_check_host(t);
}

static void tap_poll_timer(struct timer *tm)
{
	struct tap_priv *t = container_of(tm, struct tap_priv, poll);

	if (t->fd >= 0)
		tap_check_host(t);
	else if (t->reattach)
		tap_try_reattach(t);
	if (t->fd >= 0 || t->reattach)
		timer_mod(&t->poll, loop_now() + TAP_POLL_NS);
}

/* ---- receive ---- */

void tap_poll(struct netdev *dev)
{
	struct tap_priv *t = tap_priv(dev);
	/* One read per frame into a pool buffer. Reading one byte more than
	 * the largest frame dev_rx accepts makes an oversize frame visible
	 * (it fills the buffer) instead of silently truncated. */
	unsigned hlen = t->tun ? 0 : ETH_HLEN;
	unsigned want = dev->mtu + hlen + 4 + 1;
	unsigned i;

	NS_ASSERT_OWNER(dev->ns);
	if (want < PKT_BUF_SIZE - PKT_HR_NET)
		want = PKT_BUF_SIZE - PKT_HR_NET;
	for (i = 0; i < TAP_RX_BATCH && t->fd >= 0; i++) {
		struct pkt *p = pkt_alloc(PKT_HR_NET, want);
		ssize_t n;

		/* Pool exhausted: leave the frames in the host's queue (the
		 * host counts its own drops when that fills). */
		if (unlikely(!p))
			return;
		n = read(t->fd, p->data, want);
		if (n <= 0) {
			int err = n < 0 ? errno : 0;

			pkt_free(p); /* never held a frame: not a drop */
			if (err == EAGAIN || err == EINTR)
				return;
			/* EOF (stand-in closed), EBADFD (host device deleted),
			 * EIO: the wire is gone. */
			tap_host_lost(t);
			return;
		}
		p->len = (uint32_t)n;
		p->dev = dev;
		p->tstamp = loop_now();
		if (t->tun) {
			/* tun_get_user without a PI header: the protocol
			 * comes from the IP version nibble. */
			p->protocol = (p->data[0] >> 4) == 4 ? ETH_P_IP : 0;
		}
		dev_rx(p);
	}
}

static void tap_io_cb(struct ev_loop *l, ev_io *w, int revents)
{
	struct tap_priv *t = container_of(w, struct tap_priv, io);

	tap_poll(t->dev);
}

/* ---- transmit ---- */

/* Write every queued frame to the host. Owner. */
static void tap_flush(struct timer *tm)
{
	struct tap_priv *t = container_of(tm, struct tap_priv, flush);
	struct pkt *p;

	while ((p = pkt_queue_pop(&t->txq))) {
		ssize_t n;

		if (t->fd < 0) {
			pkt_drop(p, DROP_DEV_DOWN);
			continue;
		}
		n = write(t->fd, p->data, p->len);
		if (likely(n == (ssize_t)p->len)) {
			pkt_consume(p);
			continue;
		}
		if (n >= 0 || errno == EAGAIN || errno == ENOBUFS) {
			/* The host is not reading fast enough: what follows
			 * would not fit either (P6: count all of it). */
			pkt_drop(p, DROP_TAP_TXFULL);
			tap_txq_drop(t, DROP_TAP_TXFULL);
			return;
		}
		/* EIO: the host device is down; EBADFD: deleted. */
		t->dev->stats.tx_errors++;
		pkt_drop(p, DROP_DEV_DOWN);
		tap_check_host(t);
	}
}

/* tun_net_xmit(): queue for the flush. Consumes p. Owner. */
static void tap_xmit(struct netdev *dev, struct pkt *p)
{
	struct tap_priv *t = tap_priv(dev);

	/* The host's queue is bounded by txqlen as tun's tx_queue_len. */
	if (unlikely(t->txq.len >= dev->txqlen)) {
		pkt_drop(p, DROP_TAP_TXFULL);
		return;
	}
	pkt_queue_push(&t->txq, p);
	if (t->txq.len == 1)
		timer_mod(&t->flush, loop_now());
}

/* ---- device ops ---- */

static int tap_open(struct netdev *dev)
{
	struct tap_priv *t = tap_priv(dev);

	if (t->fd >= 0)
		tap_check_host(t);
	return 0;
}

static int tap_stop(struct netdev *dev)
{
	tap_txq_drop(tap_priv(dev), DROP_DEV_DOWN);
	return 0;
}

/* Unregistering closes the fd: a non-persistent host device goes with it
 * (tun_chr_close -> tun_detach). Owner. */
static void tap_uninit(struct netdev *dev)
{
	struct tap_priv *t = tap_priv(dev);

	timer_del(&t->flush);
	timer_del(&t->poll);
	tap_txq_drop(t, DROP_DEV_GONE);
	tap_detach(t);
	if (t->ctl >= 0)
		close(t->ctl);
	t->ctl = -1;
}

static const struct netdev_ops tap_ops = {
	.kind = "tap",
	.open = tap_open,
	.stop = tap_stop,
	.xmit = tap_xmit,
	.uninit = tap_uninit,
};

static const struct netdev_ops tun_ops = {
	.kind = "tun",
	.open = tap_open,
	.stop = tap_stop,
	.xmit = tap_xmit,
	.uninit = tap_uninit,
};

/* ---- creation ---- */

/* tun_net_init: what both kinds share (the rest is tap_register's). */
static void tap_setup_priv(struct netdev *dev, bool tun)
{
	struct tap_priv *t = dev->priv;

	t->dev = dev;
	t->fd = -1;
	t->ctl = -1;
	t->tun = tun;
	pkt_queue_init(&t->txq);
	timer_init(&t->flush, tap_flush);
	timer_init(&t->poll, tap_poll_timer);
	dev->txqlen = 500; /* the kernel's TUN_READQ_SIZE */
}

/* IFF_TAP: an Ethernet device (ether_setup). */
static void tap_setup(struct netdev *dev)
{
	dev->ops = &tap_ops;
	tap_setup_priv(dev, false);
}

/* IFF_TUN: no header, no ARP, point-to-point. */
static void tun_setup(struct netdev *dev)
{
	dev->ops = &tun_ops;
	tap_setup_priv(dev, true);
	dev->type = ARPHRD_NONE;
	dev->header_ops = NULL;
	dev->hard_header_len = 0;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP | IFF_MULTICAST;
	memset(dev->addr, 0, ETH_ALEN);
	memset(dev->broadcast, 0, ETH_ALEN);
	dev->min_mtu = 68;
}

/*
 * Register @dev (set up by tap_setup/tun_setup) and attach it to the host
 * device open on @fd, named @host_name (NULL: an fd the caller opened,
 * not a host device of nsemu's making). Takes @fd on success. Owner.
 */
static int tap_register(struct netdev *dev, int fd, const char *host_name, bool reattach,
			struct extack *ext)
{
	struct tap_priv *t = tap_priv(dev);
	int err;

	t->reattach = reattach && host_name;
	if (host_name) {
		t->host = true;
		snprintf(t->host_name, sizeof(t->host_name), "%s", host_name);
		t->ctl = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	}
	err = dev_register(dev, 0, ext);
	if (err) {
		if (t->ctl >= 0)
			close(t->ctl);
		t->ctl = -1;
		return err;
	}
	tap_attach(t, fd);
	tap_check_host(t);
	timer_mod(&t->poll, loop_now() + TAP_POLL_NS);
	return 0;
}

struct tap_create_req {
	struct netns *ns;
	const char *name;
	int fd;
	bool tun, reattach;
	const char *host_name;
	struct extack *ext;
	int err;
};

static void tap_create_owner(void *arg)
{
	struct tap_create_req *r = arg;
	struct netdev *dev = rtnl_create_link(r->ns, r->name, r->tun ? &tun_link_ops : &tap_link_ops,
					      NULL, r->ext, &r->err);

	if (!dev)
		return;
	r->err = tap_register(dev, r->fd, r->host_name, r->reattach, r->ext);
	if (r->err) {
		dev_free(dev);
		return;
	}
	r->fd = -1; /* the device owns it */
}

int tap_create_fd(struct netns *ns, const char *name, int fd, bool tun, const char *host_name,
		  bool reattach, struct extack *ext)
{
	struct tap_create_req r = {
		.ns = ns, .name = name, .fd = fd, .tun = tun, .reattach = reattach,
		.host_name = host_name, .ext = ext,
	};

	loop_call_sync(ns->owner, tap_create_owner, &r);
	if (r.fd >= 0)
		close(r.fd);
	return r.err;
}

/* ---- rtnl_link_ops "tap" and "tun" ---- */

static struct nla_policy tap_policy[TAP_INFO_MAX + 1] = {
	[TAP_INFO_HOST_NAME] = { .type = NLA_STRING, .maxlen = IFNAMSIZ },
};

static int tap_validate(struct nlattr **tb, struct nlattr **data, struct extack *ext)
{
	char host[IFNAMSIZ];

	if (data && data[TAP_INFO_HOST_NAME] &&
	    (nla_strlcpy(host, data[TAP_INFO_HOST_NAME], sizeof(host)) >= sizeof(host) ||
	     !dev_valid_name(host))) {
		EXTACK_MSG(ext, "Invalid host-name");
		return -EINVAL;
	}
	return 0;
}

/* rtnl_link_ops.newlink, on the owner: open the host device (TAP_INFO_HOST_NAME,
 * or the device's own name), then register and attach. */
static int tap_newlink(struct netns *src, struct netdev *dev, struct netdev *peer,
		       struct nlattr **tb, struct nlattr **data, struct extack *ext)
{
	char host[IFNAMSIZ], actual[IFNAMSIZ];
	bool named = data && data[TAP_INFO_HOST_NAME];
	bool tun = dev->ops == &tun_ops;
	enum tap_step step;
	int fd, err;

	/* the host device takes the name this one will have ("tap%d" resolved) */
	err = dev_resolve_name(dev);
	if (err)
		return err;
	if (named)
		nla_strlcpy(host, data[TAP_INFO_HOST_NAME], sizeof(host));
	else
		snprintf(host, sizeof(host), "%s", dev->name);
	fd = tap_opener(host, tun, false, actual, &step);
	if (fd < 0) {
		tap_open_error(ext, host, fd, step);
		return fd;
	}
	err = tap_register(dev, fd, actual, named, ext);
	if (err)
		close(fd);
	return err;
}

static const struct rtnl_link_ops tap_link_ops = {
	.kind = "tap",
	.priv_size = sizeof(struct tap_priv),
	.setup = tap_setup,
	.maxtype = TAP_INFO_MAX,
	.policy = tap_policy,
	.validate = tap_validate,
	.newlink = tap_newlink,
};

static const struct rtnl_link_ops tun_link_ops = {
	.kind = "tun",
	.priv_size = sizeof(struct tap_priv),
	.setup = tun_setup,
	.maxtype = TAP_INFO_MAX,
	.policy = tap_policy,
	.validate = tap_validate,
	.newlink = tap_newlink,
};

void tap_init(void)
{
	rtnl_link_register(&tap_link_ops);
	rtnl_link_register(&tun_link_ops);
}
