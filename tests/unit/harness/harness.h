/* SPDX-License-Identifier: MIT */
/*
 * Unit-test harness (STYLE §8, after lwIP's test/unit): a fake worker with a
 * fake clock, namespaces that are destroyed at teardown, fake Ethernet
 * devices that record what they transmit, frame builders (Ethernet, IPv4,
 * ICMP echo, UDP) with valid checksums, and a leak check: h_teardown fails
 * the test if any packet is still allocated.
 *
 * Typical use: cmocka_unit_test_setup_teardown(test, h_cm_setup,
 * h_cm_teardown), or a suite's own setup that calls h_setup() first.
 */
#ifndef NSEMU_TEST_HARNESS_H
#define NSEMU_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/loop.h"
#include "core/pkt.h"
#include "netns/core/dev.h"
#include "netns/core/netns.h"

/* Fake clock at start: 1 s. */
#define H_START_NS 1000000000ull

/* loop_test_attach(fake clock 1 s), inet_init() and devices_init() once. */
void h_setup(void);
/* Destroys namespaces made by h_ns (newest first), runs the loop, asserts
 * pkt_in_use() == 0, detaches the fake worker. */
void h_teardown(void);
/* h_setup / h_teardown as cmocka setup and teardown functions. */
int h_cm_setup(void **state);
int h_cm_teardown(void **state);

/* netns_create on the fake worker + netns_register. Fails the test on error. */
struct netns *h_ns(const char *name);
/* Destroy a namespace made by h_ns before teardown (unregister + destroy,
 * then run the loop); teardown forgets it. */
void h_ns_destroy(struct netns *ns);

/* A fake Ethernet device: registered, up, carrier on; xmit records frames.
 * @mac "02:00:00:00:00:01" or NULL for a random one. */
struct netdev *h_fake_dev(struct netns *ns, const char *name, const char *mac);
unsigned h_tx_count(struct netdev *fake);
/* Oldest transmitted frame (data at the Ethernet header), or NULL; the
 * caller pkt_free()s it. */
struct pkt *h_tx_pop(struct netdev *fake);
void h_tx_flush(struct netdev *fake);

/* pkt_alloc + dev_rx of a copy of @frame on @dev. */
void h_rx(struct netdev *dev, const void *frame, size_t len);

/* Run pending tasks, calls (the backlog) and due timers at the current
 * fake time. */
void h_run(void);
/* Advance the fake clock by @ns nanoseconds, firing due timers. */
void h_advance(uint64_t ns);
/* Current fake time (ns). */
uint64_t h_now(void);

/* Frame builders; each returns the bytes written at @buf. */
size_t h_eth(uint8_t *buf, const char *dst_mac, const char *src_mac, uint16_t proto); /* 14 */
/* IPv4 header + payload: valid checksum, id 1, DF clear, tos 0. */
size_t h_ipv4(uint8_t *buf, const char *src, const char *dst, uint8_t proto, uint8_t ttl,
	      const void *payload, size_t len);
/* ICMP echo (type 8) or reply (0) with @payload_len bytes of pattern, checksummed. */
size_t h_icmp_echo(uint8_t *buf, uint8_t type, uint16_t id, uint16_t seq, size_t payload_len);
/* UDP header + payload with the pseudo-header checksum (ports host order). */
size_t h_udp(uint8_t *buf, const char *src, const char *dst, uint16_t sport, uint16_t dport,
	     const void *payload, size_t len);
/* Dotted quad -> network order. Fails the test on a bad string. */
uint32_t h_ip(const char *dotted);
/* An Ethernet + ARP frame (operation @op, sender @sha/@sip, target
 * @tha/@tip), padded to ETH_ZLEN as a NIC sends it. Returns ETH_ZLEN. */
size_t h_arp(uint8_t *buf, const char *eth_dst, const char *sha, int op, const char *sip,
	     const char *tha, const char *tip);
/* "02:00:00:00:00:01" -> 6 bytes. Fails the test on a bad string. */
void h_mac(uint8_t *out, const char *mac);

/* The one-host fixture most IP-level tests share: namespace @name with lo
 * up and a fake eth0 (MAC 02:00:00:00:00:01, 10.0.0.1/24 brd 10.0.0.255)
 * whose peer 10.0.0.2 is a permanent neighbour at 02:00:00:00:00:02. Calls
 * h_setup(); eth0's transmit queue is empty on return. */
#define H_HOST_MAC "02:00:00:00:00:01"
#define H_PEER_MAC "02:00:00:00:00:02"
struct netns *h_host(const char *name, struct netdev **eth0);

/* Add a permanent neighbour @ip -> @mac on @dev. */
void h_neigh(struct netdev *dev, const char *ip, const char *mac);

/* The router fixture of the forwarding tests (call h_setup() first; may
 * be called more than once): namespace @name with lo up, fake eth0
 * (H_R0_MAC, 10.0.1.1/24) and eth1 (H_R1_MAC, 10.0.2.1/24), permanent
 * neighbours 10.0.1.2 at H_A_MAC and 10.0.2.2 at H_B_MAC, ip_forward=1.
 * Both transmit queues are empty on return. */
#define H_R0_MAC "02:00:00:00:00:10"
#define H_R1_MAC "02:00:00:00:00:20"
#define H_A_MAC "02:00:00:00:00:01"
#define H_B_MAC "02:00:00:00:00:02"
struct netns *h_router(const char *name, struct netdev **eth0, struct netdev **eth1);

#define assert_drop(ns, reason, n) assert_int_equal((ns)->drop[DROP_##reason], n)
#define assert_mib(ns, field, n) assert_int_equal((ns)->mib[MIB_##field], n)

#endif
