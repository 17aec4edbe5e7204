/* SPDX-License-Identifier: MIT */
/*
 * Host TAP and TUN devices (devices/tap.c): an nsemu device whose wire is
 * a real host network device reached through /dev/net/tun. `ip link add
 * NAME type tap [host-name HOSTIF]` (Ethernet frames) and `type tun` (bare
 * IPv4 packets, ARPHRD_NONE). The fd is an ev_io on the owner worker.
 */
#ifndef NSEMU_DEVICES_TAP_H
#define NSEMU_DEVICES_TAP_H

#include <stdbool.h>

#include "core/timer.h"
#include "netns/core/dev.h"

/* IFLA_INFO_DATA of the "tap" and "tun" kinds (nsemu's own: the kernel's
 * tun kind has IFLA_TUN_*, which cannot name a host device). */
enum {
	TAP_INFO_UNSPEC,
	TAP_INFO_HOST_NAME, /* string: host device to create or attach to */
	__TAP_INFO_MAX
};
#define TAP_INFO_MAX (__TAP_INFO_MAX - 1)

/* Frames read from the host per wake-up before yielding to other work. */
#define TAP_RX_BATCH 64
/* Host link state is checked (and a lost host-name device looked for)
 * this often. */
#define TAP_POLL_NS NSEC_PER_SEC

/* Which step of attaching a host device failed (for the error text). */
enum tap_step { TAP_STEP_OPEN, TAP_STEP_SETIFF, TAP_STEP_OTHER };

/*
 * Open the host side: open("/dev/net/tun") + TUNSETIFF(IFF_TAP or IFF_TUN,
 * IFF_NO_PI) for @name, non-blocking. With @must_exist, only attach to a
 * device that exists (-ENODEV otherwise; TUNSETIFF would create one).
 * Writes the name the host gave into @actual (IFNAMSIZ). Returns the fd,
 * or -errno with *@step saying what failed. The default opener; tests
 * replace it with tap_set_open_hook. Any thread.
 */
typedef int (*tap_open_fn)(const char *name, bool tun, bool must_exist, char *actual,
			   enum tap_step *step);
int tap_open_host(const char *name, bool tun, bool must_exist, char *actual, enum tap_step *step);
/* Replace the opener (NULL restores tap_open_host). Unit tests only. */
void tap_set_open_hook(tap_open_fn fn);

/*
 * Create device @name in @ns on @fd, which it then owns (closed on error
 * too). @tun: L3 device. @host_name: the host device (for link-state
 * checks and reattaching when @reattach), or NULL when @fd is not a tun
 * fd (a socketpair in unit tests: one frame per read/write, EOF = gone).
 * Control thread or the owner. 0 or -errno with @ext set.
 */
int tap_create_fd(struct netns *ns, const char *name, int fd, bool tun, const char *host_name,
		  bool reattach, struct extack *ext);

/* Read what the host fd has now (up to TAP_RX_BATCH frames), as the ev_io
 * does. Owner thread; unit tests call it (their fake worker has no loop). */
void tap_poll(struct netdev *dev);
/* True for tap/tun devices; the host fd (-1 while detached). */
bool dev_is_tap(const struct netdev *dev);
int tap_fd(const struct netdev *dev);

/* Registers the "tap" and "tun" rtnl_link_ops (devices_init's part). */
void tap_init(void);

#endif
