/* SPDX-License-Identifier: MIT */
/*
 * Packet capture on a device, like the kernel's ptype_all taps (AF_PACKET
 * sockets that tcpdump opens): every frame the device receives (dev_rx) or
 * transmits (dev_queue_xmit, just before the driver) is offered to each
 * capture attached to it. A capture is two halves:
 *
 *   - the tap, on the owner worker of the device's namespace: it runs the
 *     capture's filter (a classic BPF program run by a function the caller
 *     supplies, so this library needs no libpcap), copies what matches
 *     into the capture's current batch (one memcpy, no allocation per
 *     frame), and once per worker iteration hands the batch over;
 *   - the consumer (the CLI's tcpdump, any non-worker thread), which takes
 *     batches from a bounded queue and writes or prints them.
 *
 * The queue between them is a mutex + condition variable touched once per
 * batch (the same crossing as cli/app.c's output queue), never blocking
 * the worker for longer than a list operation: when the consumer falls
 * behind, the queue is full, the tap counts the frames it cannot keep as
 * dropped (tcpdump's "packets dropped by kernel") and goes on.
 *
 * A device without captures pays one predictable branch on dev->capture
 * in dev_rx and in dev_queue_xmit (STYLE H9).
 */
#ifndef NSEMU_NETNS_CAPTURE_H
#define NSEMU_NETNS_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/pkt.h"
#include "netns.h"

struct netdev;
struct capture;

/* Run a filter program over one frame (@data: the link-layer header,
 * @caplen bytes present of @wirelen): true to keep it. Called on the owner
 * worker; must be reentrant (libpcap's bpf_filter is). */
typedef bool (*capture_filter_fn)(const void *prog, const uint8_t *data, uint32_t wirelen,
				  uint32_t caplen);

struct capture_config {
	uint32_t snaplen;	  /* bytes kept per frame; 0 = 262144 */
	size_t queue_bytes;	  /* bound of the queue; 0 = 4 MiB */
	capture_filter_fn filter; /* NULL: every frame */
	const void *filter_prog;  /* borrowed until capture_destroy */
};

/* One captured frame inside a batch (8-byte aligned). */
struct capture_rec {
	uint64_t ts_ns;	  /* CLOCK_REALTIME, ns since the epoch */
	uint32_t caplen;  /* bytes in data[] */
	uint32_t len;	  /* bytes on the wire */
	uint8_t outgoing; /* 1: transmitted (PACKET_OUTGOING), 0: received */
	uint8_t pad[7];
	uint8_t data[];
};

/* Why a capture ended (capture_next's *end). */
enum capture_end {
	CAPTURE_RUNNING = 0,
	CAPTURE_END_STOPPED, /* capture_request_stop() */
	CAPTURE_END_GONE,    /* the device (or its namespace) was deleted */
};

/* Create a capture (not attached). Any thread. NULL if out of memory. */
struct capture *capture_create(const struct capture_config *cfg);

/*
 * Attach @cap to device @ifname of @ns: from now on its frames are
 * captured. Owner thread of @ns (e.g. from rtnl_ns_call). 0, or -ENODEV
 * with @ext set ("Cannot find device"). On success *@dev_type is the
 * device's ARPHRD_* type (Ethernet or tun).
 */
int capture_attach(struct netns *ns, const char *ifname, struct capture *cap,
		   uint16_t *dev_type, struct extack *ext);

/* Ask the capture to stop: a loop_call to its owner, which detaches it and
 * ends it with CAPTURE_END_STOPPED. Any non-worker thread; at most once
 * takes effect; ignored once the capture has ended. */
void capture_request_stop(struct capture *cap);

/*
 * Consumer: the next batch of records, waiting up to @timeout_ms for one.
 * NULL when none came; then *@end says whether the capture has ended (and
 * every batch was taken). Any one non-worker thread.
 */
struct capture_batch *capture_next(struct capture *cap, unsigned timeout_ms,
				   enum capture_end *end);
/* Walk a batch: pass *@off = 0 first; NULL after the last record. */
const struct capture_rec *capture_batch_rec(const struct capture_batch *b, size_t *off);
/* Give a batch back once its records were used. */
void capture_batch_release(struct capture *cap, struct capture_batch *b);
/* Frames that passed the filter, and those dropped because the queue was
 * full, as handed over so far (a snapshot the owner posted). */
void capture_stats(struct capture *cap, uint64_t *received, uint64_t *dropped);
/* Free a capture that has ended (capture_next reported it) or was never
 * attached, with its queued batches. */
void capture_destroy(struct capture *cap);

/* --- device hooks (netns/core/dev.c; owner thread) --- */
/* Offer @p (borrowed; data at the link-layer header) to every capture on
 * @dev. Called only when dev->capture is set. */
void capture_tap(struct netdev *dev, const struct pkt *p, bool outgoing);
/* @dev is being unregistered: end its captures with CAPTURE_END_GONE. */
void capture_dev_gone(struct netdev *dev);
/* Start-up: subscribe to device events (captures end with their device). */
void capture_init(void);

/* --- test support --- */
/* Frames the taps of the calling (worker) thread have copied so far: a
 * device without captures must never make this move. */
uint64_t capture_copies(void);

#endif
