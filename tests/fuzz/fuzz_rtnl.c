// SPDX-License-Identifier: MIT
/*
 * Fuzz target: rtnetlink datagrams into rtnl_process(), the one entry of
 * every control request (DESIGN §7). Each input starts from a fresh control
 * path (rtnl_init: the default namespace only) on the fake worker of the
 * unit tests, so a crash replays exactly, and is a sequence of records
 * (tests/fuzz/fuzz.h), one datagram each:
 *
 *   ctl bit 0     which of two connections sends it (each has its own
 *                 namespace binding, as two clients of the control socket)
 *   ctl bit 6     deliver the datagram at an odd address (rtnl_process
 *                 must cope with unaligned input, as a socket buffer may be)
 *   ctl bit 7     first advance the fake clock by (ctl >> 1 & 31) seconds,
 *                 so neighbour and fragment timers run between requests
 *
 * Every datagram is copied into a buffer of exactly its size, so ASan sees
 * any read past what the client sent. After each datagram the replies must
 * be well-formed netlink (lengths inside the buffer, our portid stamped);
 * after the input, deleting every namespace must leave no namespace and no
 * packet behind (a leak here is a crash, as under LSan).
 */
#include <string.h>

#include <linux/netlink.h>

#include "devices/devices.h"
#include "core/loop.h"
#include "core/pkt.h"
#include "netns/core/netns.h"
#include "netns/rtnl/rtnl.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_START_NS 1000000000ull
#define FUZZ_NCONN 2

/* Replies are complete nlmsgs stamped with the connection's portid; a
 * dump ends with NLMSG_DONE. What a client's recvmsg loop relies on. */
static void fuzz_check_replies(const struct rtnl_out *o, uint32_t portid)
{
	size_t off = 0;

	while (off < o->len) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)(o->buf + off);

		FUZZ_CHECK(o->len - off >= NLMSG_HDRLEN);
		FUZZ_CHECK(h->nlmsg_len >= NLMSG_HDRLEN && h->nlmsg_len <= o->len - off);
		FUZZ_CHECK(h->nlmsg_pid == portid);
		if (h->nlmsg_type == NLMSG_ERROR)
			FUZZ_CHECK(h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr)));
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	loop_test_attach(FUZZ_START_NS);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtnl_conn conn[FUZZ_NCONN];
	struct fuzz_rec rec = { .p = data, .left = size };
	struct rtnl_out out;
	const uint8_t *buf;
	uint8_t ctl;
	size_t len;

	loop_test_attach(FUZZ_START_NS); /* restart the fake clock */
	devices_init();
	FUZZ_CHECK(rtnl_init() == 0);
	for (unsigned i = 0; i < FUZZ_NCONN; i++)
		conn[i] = (struct rtnl_conn){ .portid = 100 + i, .ext_ack = i == 0 };
	rtnl_out_init(&out);

	while (fuzz_rec_next(&rec, &ctl, &buf, &len)) {
		struct rtnl_conn *c = &conn[ctl & 1];
		size_t shift = (ctl & 0x40) ? 1 : 0;
		uint8_t *copy = malloc(len + shift ? len + shift : 1);

		FUZZ_CHECK(copy);
		if (ctl & 0x80)
			loop_test_run(loop_now() + (uint64_t)((ctl >> 1) & 31) * 1000000000ull);
		/* Nothing after the datagram: any over-read is an ASan report. */
		memcpy(copy + shift, buf, len);
		rtnl_out_reset(&out);
		rtnl_process(c, copy + shift, len, &out);
		free(copy);
		fuzz_check_replies(&out, c->portid);
		loop_test_run(loop_now());
	}

	/* Let every timer run out (ARP retries, fragment queues), then delete
	 * everything: nothing may outlive its namespace. */
	loop_test_run(loop_now() + 300 * 1000000000ull);
	rtnl_out_free(&out);
	rtnl_exit();
	loop_test_run(loop_now());
	/* no namespace left; the next input gets the same ids as this one */
	FUZZ_CHECK(netns_test_reset_ids() == 0);
	FUZZ_CHECK(pkt_in_use() == 0);
	return 0;
}
