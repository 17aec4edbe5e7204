// SPDX-License-Identifier: MIT
/*
 * pkt_drop(), the one exit for a packet dropped in error (STYLE §6), like
 * the kernel's kfree_skb_reason(): it counts the reason in the packet's
 * namespace, the MIB counter the reason maps to (drop_reason.h), and the
 * device's rx_dropped or tx_dropped when the reason is one the kernel
 * charges to a device, then frees the packet. The name and text tables
 * that `show drops` prints are generated from the same X-macro.
 */
#include "dev.h"
#include "drop_reason.h"
#include "netns.h"
#include "snmp.h"

const char *const drop_reason_names[DROP_MAX] = {
#define DROP_NAME(r, mib, text) [DROP_##r] = #r,
	DROP_REASONS(DROP_NAME)
#undef DROP_NAME
};

const char *const drop_reason_text[DROP_MAX] = {
#define DROP_TEXT(r, mib, text) [DROP_##r] = text,
	DROP_REASONS(DROP_TEXT)
#undef DROP_TEXT
};

/* MIB_NONE is MIB_MAX: "no counter". */
static const enum mib_field drop_mib[DROP_MAX] = {
#define DROP_MIB(r, mib, text) [DROP_##r] = MIB_##mib,
	DROP_REASONS(DROP_MIB)
#undef DROP_MIB
};

static_assert(ARRAY_SIZE(drop_reason_names) == DROP_MAX, "one name per drop reason");
static_assert(ARRAY_SIZE(drop_mib) == DROP_MAX, "one MIB mapping per drop reason");

/* Which device counter a reason moves, if any. */
enum drop_dev { DROP_DEV_NONE, DROP_DEV_RX, DROP_DEV_TX };

/*
 * Kept next to the kernel behaviour each entry copies; reasons not listed
 * move no device counter (the IP/ICMP/UDP layer drops are MIB-only in
 * Linux, and OTHERHOST is silently discarded by ip_rcv_core).
 */
static const uint8_t drop_dev[DROP_MAX] = {
	/* eth_type_trans on a runt / oversize frame: the driver counts
	 * rx_length_errors (dev.c) and rx_dropped. */
	[DROP_PKT_TOO_SMALL] = DROP_DEV_RX,
	[DROP_MTU_EXCEEDED] = DROP_DEV_RX,
	/* enqueue_to_backlog over netdev_max_backlog: rx_dropped. */
	[DROP_BACKLOG_FULL] = DROP_DEV_RX,
	/* __netif_receive_skb_core with no ptype: rx_dropped (rx_nohandler is
	 * only for exact-delivery devices such as inactive bond slaves). */
	[DROP_UNHANDLED_PROTO] = DROP_DEV_RX,
	/* __dev_queue_xmit on a device that is not up: tx_dropped. */
	[DROP_DEV_DOWN] = DROP_DEV_TX,
	/* veth_xmit when the peer cannot take it (ptr_ring full): the
	 * sender's drop counter, shown as its tx_dropped (P6). */
	[DROP_RING_FULL] = DROP_DEV_TX,
	/* tun_net_xmit when the host's queue is full: tx_dropped. */
	[DROP_TAP_TXFULL] = DROP_DEV_TX,
};

/* Packets with neither namespace nor device (e.g. in flight toward a veth
 * end whose namespace is gone): per thread, so no atomics are needed. */
static _Thread_local uint64_t drop_orphans;

uint64_t pkt_drop_orphans(void)
{
	return drop_orphans;
}

void pkt_drop(struct pkt *p, enum drop_reason reason)
{
	struct netns *ns;

	if (!p)
		return;
	if ((unsigned)reason >= DROP_MAX)
		reason = DROP_NOT_SPECIFIED;
	ns = p->ns ? p->ns : (p->dev ? p->dev->ns : NULL);
	if (!ns) {
		drop_orphans++;
		pkt_free(p);
		return;
	}
	ns->drop[reason]++;
	if (drop_mib[reason] != MIB_NONE)
		ns->mib[drop_mib[reason]]++;
	if (p->dev) {
		if (drop_dev[reason] == DROP_DEV_RX)
			p->dev->stats.rx_dropped++;
		else if (drop_dev[reason] == DROP_DEV_TX)
			p->dev->stats.tx_dropped++;
	}
	pkt_free(p);
}
