// SPDX-License-Identifier: MIT
/*
 * Robustness of the control path at scale and across namespaces (issue 4):
 * a dump of 100,000 routes through rtnl_process (every route once, in
 * NLM_F_MULTI parts ended by NLMSG_DONE, and the memory given back when
 * the namespace goes), and namespace isolation: thousands of requests —
 * ones aimed at another namespace's ifindexes, routes and neighbours, and
 * fuzz-style mutations of them — sent on a connection bound to namespace A
 * never change a byte of namespace B's dumps.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "tests/unit/harness/harness.h"
#include "devices/devices.h"
#include "netns/rtnl/rtnl.h"

#ifdef __SANITIZE_ADDRESS__
/* from <sanitizer/allocator_interface.h>, which gcc does not ship */
size_t __sanitizer_get_current_allocated_bytes(void);
#else
/* jemalloc's control interface, when the binary links jemalloc. */
int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen)
	__attribute__((weak));
#endif

/* Under a second in the plain and the ASan build alike. */
#define ROBUST_NROUTES 100000u

static struct rtnl_out out;

static int setup(void **state)
{
	(void)state;
	h_setup();
	devices_init();
	assert_int_equal(rtnl_init(), 0);
	rtnl_out_init(&out);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rtnl_exit();
	rtnl_out_free(&out);
	h_teardown();
	return 0;
}

/* Live heap bytes, or 0 if this allocator cannot say. */
static size_t heap_allocated(void)
{
#ifdef __SANITIZE_ADDRESS__
	return __sanitizer_get_current_allocated_bytes();
#else
	uint64_t epoch = 1;
	size_t v = 0, len = sizeof(v);

	if (!mallctl)
		return 0;
	mallctl("epoch", NULL, NULL, &epoch, sizeof(epoch));
	if (mallctl("stats.allocated", &v, &len, NULL, 0))
		return 0;
	return v;
#endif
}

static int send_on(struct rtnl_conn *c, struct nl_msg *m, uint32_t seq)
{
	struct nlmsghdr *h = nlmsg_hdr(m);
	int ret;

	h->nlmsg_flags |= NLM_F_REQUEST;
	h->nlmsg_seq = seq;
	rtnl_out_reset(&out);
	ret = rtnl_process(c, h, h->nlmsg_len, &out);
	nlmsg_free(m);
	return ret;
}

/* A namespace made through the control path; its id. */
static uint32_t new_ns(struct rtnl_conn *c, const char *name)
{
	struct nl_msg *m = nlmsg_alloc_simple(NSEMU_MSG_NEWNS, NLM_F_ACK);

	nla_put_string(m, NSEMU_A_NS, name);
	assert_int_equal(send_on(c, m, 1), 0);
	return netns_lookup(name)->id;
}

static void bind_ns(struct rtnl_conn *c, const char *name)
{
	struct nl_msg *m = nlmsg_alloc_simple(NSEMU_MSG_HELLO, 0);

	nla_put_string(m, NSEMU_A_NS, name);
	assert_int_equal(send_on(c, m, 1), 0);
}

/* ---- 100,000 routes ---- */

/* Append RTM_NEWROUTE blackhole 10.0.0.0 + i /32 to a batch datagram. */
static size_t put_route(uint8_t *buf, size_t off, uint32_t i)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
	struct rtmsg *rtm = NLMSG_DATA(h);
	struct nlattr *a = (struct nlattr *)((uint8_t *)rtm + NLMSG_ALIGN(sizeof(*rtm)));
	uint32_t dst = htonl(0x0a000000u + i);

	memset(h, 0, NLMSG_SPACE(sizeof(*rtm)) + NLA_HDRLEN + 4);
	h->nlmsg_len = (uint32_t)(NLMSG_SPACE(sizeof(*rtm)) + NLA_HDRLEN + 4);
	h->nlmsg_type = RTM_NEWROUTE;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	h->nlmsg_seq = i;
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 32;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_BLACKHOLE;
	a->nla_len = NLA_HDRLEN + 4;
	a->nla_type = RTA_DST;
	memcpy(nla_data(a), &dst, 4);
	return off + NLMSG_ALIGN(h->nlmsg_len);
}

static void test_rtnl_dump_of_100k_routes_lists_each_once_and_frees(void **state)
{
	enum { BATCH = 1000 };
	struct rtnl_conn c = { .portid = 7, .ext_ack = true };
	size_t msgsz = NLMSG_SPACE(sizeof(struct rtmsg)) + NLA_HDRLEN + 4;
	uint8_t *batch = malloc(BATCH * msgsz), *seen = calloc(ROBUST_NROUTES, 1);
	struct timespec t0, t1;
	size_t before, peak, after;
	unsigned found = 0, parts = 0;
	bool done = false;

	assert_non_null(batch);
	assert_non_null(seen);
	new_ns(&c, "big");
	bind_ns(&c, "big");
	before = heap_allocated();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* ip -batch style: a thousand requests per datagram, no ACKs asked,
	 * so any reply at all is an error */
	for (uint32_t i = 0; i < ROBUST_NROUTES; i += BATCH) {
		size_t off = 0;

		for (uint32_t k = i; k < i + BATCH && k < ROBUST_NROUTES; k++)
			off = put_route(batch, off, k);
		rtnl_out_reset(&out);
		assert_int_equal(rtnl_process(&c, batch, off, &out), 0);
		assert_int_equal(out.len, 0);
	}

	/* One dump request: every route once, all parts NLM_F_MULTI with our
	 * seq, then NLMSG_DONE as the last message. */
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg rq = { .rtm_family = AF_INET };
	nlmsg_append(m, &rq, sizeof(rq), NLMSG_ALIGNTO);
	assert_int_equal(send_on(&c, m, 4242), 0);
	int len = (int)out.len;
	for (struct nlmsghdr *h = (struct nlmsghdr *)out.buf; nlmsg_ok(h, len);
	     h = nlmsg_next(h, &len)) {
		assert_false(done); /* nothing after NLMSG_DONE */
		assert_int_equal(h->nlmsg_seq, 4242);
		assert_true(h->nlmsg_flags & NLM_F_MULTI);
		if (h->nlmsg_type == NLMSG_DONE) {
			done = true;
			continue;
		}
		assert_int_equal(h->nlmsg_type, RTM_NEWROUTE);
		parts++;
		struct rtmsg *rtm = nlmsg_data(h);
		struct nlattr *tb[RTA_MAX + 1];
		assert_int_equal(nlmsg_parse(h, sizeof(*rtm), tb, RTA_MAX, NULL), 0);
		if (rtm->rtm_table != RT_TABLE_MAIN || rtm->rtm_type != RTN_BLACKHOLE)
			continue;
		assert_non_null(tb[RTA_DST]);
		uint32_t i = ntohl(nla_get_u32(tb[RTA_DST])) - 0x0a000000u;
		assert_true(i < ROBUST_NROUTES);
		assert_int_equal(seen[i], 0); /* once */
		seen[i] = 1;
		found++;
	}
	assert_int_equal(len, 0); /* the buffer is whole messages */
	assert_true(done);
	assert_int_equal(found, ROBUST_NROUTES);
	assert_true(parts >= ROBUST_NROUTES);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("%u routes added and dumped in %.2f s (%zu bytes of replies)\n",
		      ROBUST_NROUTES,
		      (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, out.len);

	/* Deleting the namespace gives the memory back: the heap returns to
	 * within 1 MiB of where it was (the reply buffer is freed first). */
	rtnl_out_free(&out);
	peak = heap_allocated();
	struct nl_msg *d = nlmsg_alloc_simple(NSEMU_MSG_DELNS, NLM_F_ACK);
	nla_put_string(d, NSEMU_A_NS, "big");
	c.ns_id = 0;
	assert_int_equal(send_on(&c, d, 5), 0);
	h_run();
	after = heap_allocated();
	print_message("heap: %zu bytes before, %zu with the routes, %zu after\n", before, peak,
		      after);
	if (before) {
		/* the measure sees routes (about 24 bytes each: an 8-byte
		 * entry, its index slot, trie leaves; the next hop is shared) */
		assert_true(peak > before + ROBUST_NROUTES * 16);
		assert_true(after < before + (1u << 20));
	}
	assert_null(netns_lookup("big"));
	free(batch);
	free(seen);
}

/* ---- isolation ---- */

/* B's state as its clients see it: every dump, byte for byte. */
static uint8_t *snapshot(struct rtnl_conn *cb, size_t *len)
{
	static const uint16_t types[] = { RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETNEIGH,
					  NSEMU_MSG_SYSCTL_DUMP };
	uint8_t *snap = NULL;

	*len = 0;
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		struct nl_msg *m = nlmsg_alloc_simple(types[i], NLM_F_DUMP);
		struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };

		if (types[i] != NSEMU_MSG_SYSCTL_DUMP)
			nlmsg_append(m, &g, sizeof(g), NLMSG_ALIGNTO);
		send_on(cb, m, 99);
		snap = realloc(snap, *len + out.len);
		assert_non_null(snap);
		memcpy(snap + *len, out.buf, out.len);
		*len += out.len;
	}
	return snap;
}

static struct nl_msg *ifi_msg(int type, int flags, int ifindex, unsigned ifflags)
{
	struct nl_msg *m = nlmsg_alloc_simple(type, flags);
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex,
				 .ifi_flags = ifflags, .ifi_change = 0xffffffff };

	nlmsg_append(m, &ifm, sizeof(ifm), NLMSG_ALIGNTO);
	return m;
}

/* Requests aimed at what exists only in B: its ifindexes 2 and 3, its
 * addresses, routes, neighbours and device sysctls. */
static unsigned make_targeted(struct nl_msg **msgs, unsigned max)
{
	unsigned n = 0;

	for (int ifi = 2; ifi <= 3 && n + 9 <= max; ifi++) {
		struct nl_msg *m;
		struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 24,
					 .ifa_index = (uint32_t)ifi };
		struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 24,
				     .rtm_table = RT_TABLE_MAIN, .rtm_scope = RT_SCOPE_NOWHERE };
		struct ndmsg nd = { .ndm_family = AF_INET, .ndm_ifindex = ifi,
				    .ndm_state = NUD_PERMANENT };

		msgs[n++] = ifi_msg(RTM_DELLINK, NLM_F_ACK, ifi, 0);
		msgs[n++] = ifi_msg(RTM_SETLINK, NLM_F_ACK, ifi, 0);	/* down */
		m = ifi_msg(RTM_NEWLINK, NLM_F_ACK, ifi, IFF_UP);
		nla_put_u32(m, IFLA_MTU, 1280);
		nla_put_string(m, IFLA_IFNAME, "stolen");
		msgs[n++] = m;
		m = nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE);
		nlmsg_append(m, &ifa, sizeof(ifa), NLMSG_ALIGNTO);
		nla_put_u32(m, IFA_LOCAL, htonl(0x0a630001));
		msgs[n++] = m;
		m = nlmsg_alloc_simple(RTM_DELADDR, NLM_F_ACK);
		nlmsg_append(m, &ifa, sizeof(ifa), NLMSG_ALIGNTO);
		nla_put_u32(m, IFA_LOCAL, htonl(0x0a000001 + (uint32_t)(ifi - 2)));
		msgs[n++] = m;
		m = nlmsg_alloc_simple(RTM_DELROUTE, NLM_F_ACK);
		nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
		nla_put_u32(m, RTA_DST, htonl(0x0a000000));
		nla_put_u32(m, RTA_OIF, (uint32_t)ifi);
		msgs[n++] = m;
		m = nlmsg_alloc_simple(RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
		rtm.rtm_scope = RT_SCOPE_LINK;
		rtm.rtm_type = RTN_UNICAST;
		nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
		nla_put_u32(m, RTA_DST, htonl(0x0a000000));
		nla_put_u32(m, RTA_OIF, (uint32_t)ifi);
		msgs[n++] = m;
		m = nlmsg_alloc_simple(RTM_DELNEIGH, NLM_F_ACK);
		nlmsg_append(m, &nd, sizeof(nd), NLMSG_ALIGNTO);
		nla_put_u32(m, NDA_DST, htonl(0x0a000063));
		msgs[n++] = m;
		m = nlmsg_alloc_simple(RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
		nlmsg_append(m, &nd, sizeof(nd), NLMSG_ALIGNTO);
		nla_put_u32(m, NDA_DST, htonl(0x0a000063));
		nla_put(m, NDA_LLADDR, 6, "\x02\x00\x00\x00\x00\x66");
		msgs[n++] = m;
	}
	if (n < max) {
		struct nl_msg *m = nlmsg_alloc_simple(NSEMU_MSG_SYSCTL_SET, NLM_F_ACK);

		nla_put_string(m, NSEMU_A_KEY, "net.ipv4.conf.b0.forwarding");
		nla_put_string(m, NSEMU_A_VALUE, "1");
		msgs[n++] = m;
	}
	return n;
}

/* Does @buf hold @id as a 32-bit value anywhere, or @name? Such a message
 * may legitimately name B (IFLA_NET_NS_PID, a peer's netns), so the
 * mutation loop does not send it. */
static bool names_ns(const uint8_t *buf, size_t len, uint32_t id, const char *name)
{
	for (size_t i = 0; i + 4 <= len; i++)
		if (!memcmp(buf + i, &id, 4))
			return true;
	return memmem(buf, len, name, strlen(name)) != NULL;
}

static void test_rtnl_requests_bound_to_a_never_change_b(void **state)
{
	struct rtnl_conn ca = { .portid = 1, .ext_ack = true }, cb = ca;
	struct nl_msg *msgs[32];
	char pad[16];
	uint32_t bid, rng = 0x12345678;
	size_t blen, alen;
	uint8_t *before, *after;
	unsigned n, sent = 0;

	/* Push B's id away from small numbers (ifindexes, lengths) so the
	 * mutation filter below rarely has to skip. */
	for (int i = 0; i < 40; i++) {
		snprintf(pad, sizeof(pad), "pad%d", i);
		new_ns(&ca, pad);
		struct nl_msg *d = nlmsg_alloc_simple(NSEMU_MSG_DELNS, NLM_F_ACK);
		nla_put_string(d, NSEMU_A_NS, pad);
		assert_int_equal(send_on(&ca, d, 2), 0);
	}
	new_ns(&ca, "nsa");
	bid = new_ns(&ca, "zb");
	h_run();
	/* B: a veth pair inside B, addresses, a route, a neighbour */
	assert_int_equal(veth_create_pair(netns_lookup("zb"), "b0", netns_lookup("zb"), "b1",
					  NULL), 0);
	assert_int_equal(veth_create_pair(netns_lookup("nsa"), "a0", netns_lookup("nsa"), "a1",
					  NULL), 0);
	bind_ns(&cb, "zb");
	bind_ns(&ca, "nsa");
	n = make_targeted(msgs, ARRAY_SIZE(msgs));
	/* set B up through its own connection: these must work */
	for (int ifi = 2; ifi <= 3; ifi++) {
		struct nl_msg *m = ifi_msg(RTM_NEWLINK, NLM_F_ACK, ifi, IFF_UP);
		assert_int_equal(send_on(&cb, m, 3), 0);
		m = nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE);
		struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 24,
					 .ifa_index = (uint32_t)ifi };
		nlmsg_append(m, &ifa, sizeof(ifa), NLMSG_ALIGNTO);
		nla_put_u32(m, IFA_LOCAL, htonl(0x0a000001 + (uint32_t)(ifi - 2)));
		assert_int_equal(send_on(&cb, m, 3), 0);
	}
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE);
	struct ndmsg nd = { .ndm_family = AF_INET, .ndm_ifindex = 2, .ndm_state = NUD_PERMANENT };
	nlmsg_append(m, &nd, sizeof(nd), NLMSG_ALIGNTO);
	nla_put_u32(m, NDA_DST, htonl(0x0a000063));
	nla_put(m, NDA_LLADDR, 6, "\x02\x00\x00\x00\x00\x63");
	assert_int_equal(send_on(&cb, m, 3), 0);
	h_run();
	before = snapshot(&cb, &blen);

	/* The targeted requests as they are, then 3000 mutations of them:
	 * random bytes after the nlmsghdr, a random truncation. */
	for (unsigned round = 0; round <= 3000; round++) {
		for (unsigned i = 0; i < n; i++) {
			struct nlmsghdr *h = nlmsg_hdr(msgs[i]);
			uint8_t *copy = malloc(h->nlmsg_len);
			uint32_t len = h->nlmsg_len;

			memcpy(copy, h, len);
			if (round) {
				for (int k = 0; k < 3; k++) {
					rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
					copy[NLMSG_HDRLEN + rng % (len - NLMSG_HDRLEN)] ^=
						(uint8_t)(rng >> 8);
				}
				if (!(rng & 7))
					len = NLMSG_HDRLEN + (rng >> 16) % (len - NLMSG_HDRLEN);
				((struct nlmsghdr *)copy)->nlmsg_len = len;
			}
			if (!round || !names_ns(copy + NLMSG_HDRLEN, len - NLMSG_HDRLEN, bid, "zb")) {
				rtnl_out_reset(&out);
				rtnl_process(&ca, copy, len, &out);
				sent++;
			}
			free(copy);
		}
		h_run();
	}
	after = snapshot(&cb, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(after, before, blen);
	assert_true(sent > 3000 * n / 2);
	/* and A is still served */
	assert_int_equal(send_on(&ca, ifi_msg(RTM_GETLINK, NLM_F_ACK, 1, 0), 6), 0);
	/* The same request on B's own connection does change B: the
	 * comparison above can fail. */
	assert_int_equal(send_on(&cb, ifi_msg(RTM_DELLINK, NLM_F_ACK, 2, 0), 7), 0);
	free(after);
	after = snapshot(&cb, &alen);
	assert_true(alen != blen || memcmp(after, before, blen));
	for (unsigned i = 0; i < n; i++)
		nlmsg_free(msgs[i]);
	free(before);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rtnl_dump_of_100k_routes_lists_each_once_and_frees,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtnl_requests_bound_to_a_never_change_b, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
