// SPDX-License-Identifier: MIT
/*
 * Unit tests of RTM_NEWRULE/DELRULE/GETRULE (netns/rtnl/rtnl_rule.c):
 * requests fed to rtnl_process() as `ip rule` or a raw netlink client
 * sends them, the errnos and ext-ack texts the kernel answers with (checked
 * against this machine's kernel with raw messages), the dump's attributes,
 * and that bad input leaves the rules as they were.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "devices/devices.h"
#include "tests/unit/harness/h_nl.h"
#include "tests/unit/harness/harness.h"
#include "netns/rtnl/rtnl.h"

static struct rtnl_conn conn;
static struct rtnl_out out;
static uint32_t seq;

static int setup(void **state)
{
	h_rtnl_open(&conn, &out);
	return 0;
}

static int teardown(void **state)
{
	h_rtnl_close(&out);
	return 0;
}

static void send_raw(const void *buf, size_t len)
{
	rtnl_out_reset(&out);
	rtnl_process(&conn, buf, len, &out);
}

/* Send @m (freed) with NLM_F_REQUEST and a fresh seq. */
static void send_msg(struct nl_msg *m)
{
	struct nlmsghdr *h = nlmsg_hdr(m);

	h->nlmsg_flags |= NLM_F_REQUEST;
	h->nlmsg_seq = ++seq;
	send_raw(h, h->nlmsg_len);
	nlmsg_free(m);
}

static struct nlmsghdr *reply(unsigned i)
{
	for (size_t off = 0; off + NLMSG_HDRLEN <= out.len;) {
		struct nlmsghdr *h = (struct nlmsghdr *)(out.buf + off);

		if (i-- == 0)
			return h;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	return NULL;
}

/* The error of the NLMSG_ERROR (1 if none) and its ext-ack text. */
static int reply_err(const char **msg)
{
	*msg = NULL;
	for (unsigned i = 0; reply(i); i++) {
		struct nlmsghdr *h = reply(i);
		struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

		if (h->nlmsg_type != NLMSG_ERROR)
			continue;
		if ((h->nlmsg_flags & NLM_F_ACK_TLVS) &&
		    !nlmsg_parse(h, sizeof(struct nlmsgerr), tb, NLMSGERR_ATTR_MAX, NULL) &&
		    tb[NLMSGERR_ATTR_MSG])
			*msg = nla_get_string(tb[NLMSGERR_ATTR_MSG]);
		return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
	return 1;
}

static struct nl_msg *rule_msg(int type, const struct fib_rule_hdr *frh)
{
	struct nl_msg *m = nlmsg_alloc_simple(type, type == RTM_NEWRULE ?
							    NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL :
							    NLM_F_ACK);

	nlmsg_append(m, (void *)frh, sizeof(*frh), NLMSG_ALIGNTO);
	return m;
}

static const struct fib_rule_hdr FRH = { .family = AF_INET, .table = 100,
					 .action = FR_ACT_TO_TBL };

/* Send @m and expect error @err with ext-ack @text (NULL: none). */
static void expect(struct nl_msg *m, int err, const char *text)
{
	const char *msg;

	send_msg(m);
	assert_int_equal(reply_err(&msg), err);
	if (text)
		assert_string_equal(msg, text);
	else
		assert_null(msg);
}

/* The rule dump, as bytes (to compare before and after a bad request). */
static void *dump(size_t *len)
{
	struct fib_rule_hdr frh = { .family = AF_INET };
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETRULE, NLM_F_DUMP);
	void *copy;

	nlmsg_append(m, &frh, sizeof(frh), NLMSG_ALIGNTO);
	nlmsg_hdr(m)->nlmsg_seq = 7;
	nlmsg_hdr(m)->nlmsg_flags |= NLM_F_REQUEST;
	send_raw(nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len);
	nlmsg_free(m);
	copy = malloc(out.len);
	memcpy(copy, out.buf, out.len);
	*len = out.len;
	return copy;
}

static void test_rtnl_rule_bad_requests_get_kernel_errors_and_change_nothing(void **state)
{
	struct fib_rule_hdr frh = FRH;
	struct nl_msg *m;
	size_t blen, alen;
	void *before, *after;
	uint8_t raw[20] = { 20, 0, 0, 0, RTM_NEWRULE, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,
			    AF_INET, 0, 0, 0 };

	(void)state;
	before = dump(&blen);
	/* the header cut short */
	send_raw(raw, sizeof(raw));
	{
		const char *msg;

		assert_int_equal(reply_err(&msg), -EINVAL);
		assert_string_equal(msg, "Invalid msg length");
	}
	/* another family */
	frh.family = AF_UNSPEC;
	expect(rule_msg(RTM_NEWRULE, &frh), -EAFNOSUPPORT, "Rule family not supported");
	frh = FRH;
	/* an interface name of 17 characters: the policy, with the kernel's text */
	m = rule_msg(RTM_NEWRULE, &frh);
	nla_put_string(m, FRA_IIFNAME, "abcdefghijklmnopq");
	expect(m, -ERANGE, "Error parsing msg");
	/* a priority of two bytes */
	m = rule_msg(RTM_NEWRULE, &frh);
	nla_put(m, FRA_PRIORITY, 2, "\1\2");
	expect(m, -ERANGE, "Error parsing msg");
	/* prefix lengths without or beyond their address */
	frh.src_len = 24;
	expect(rule_msg(RTM_NEWRULE, &frh), -EINVAL, "Invalid source address");
	frh.src_len = 33;
	m = rule_msg(RTM_NEWRULE, &frh);
	nla_put_u32(m, FRA_SRC, htonl(0x0a000000));
	expect(m, -EINVAL, "Invalid source address");
	frh.src_len = 0;
	frh.dst_len = 40;
	m = rule_msg(RTM_NEWRULE, &frh);
	nla_put_u32(m, FRA_DST, htonl(0x0a000000));
	expect(m, -EINVAL, "Invalid dst address");
	frh.dst_len = 0;
	/* a goto target on a rule whose action is not goto */
	m = rule_msg(RTM_NEWRULE, &frh);
	nla_put_u32(m, FRA_GOTO, 5);
	expect(m, -EINVAL, "Unexpected goto");
	/* a selector nsemu does not have */
	m = rule_msg(RTM_NEWRULE, &frh);
	nla_put(m, FRA_UID_RANGE, sizeof(struct fib_rule_uid_range),
		&(struct fib_rule_uid_range){ 1, 2 });
	expect(m, -EOPNOTSUPP,
	       "Rule selectors tun_id, uidrange, ipproto, sport, dport and realms are not supported");
	/* GETRULE without NLM_F_DUMP: no doit, as in the kernel */
	expect(rule_msg(RTM_GETRULE, &frh), -EOPNOTSUPP, NULL);
	/* deleting what is not there */
	frh.table = 77;
	expect(rule_msg(RTM_DELRULE, &frh), -ENOENT, NULL);
	after = dump(&alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(after, before, blen);
	free(after);
	free(before);
}

/* The dumped rule @i (0-based among RTM_NEWRULE parts) and its attributes. */
static struct fib_rule_hdr *dumped(unsigned i, struct nlattr **tb)
{
	for (unsigned k = 0; reply(k); k++) {
		struct nlmsghdr *h = reply(k);

		if (h->nlmsg_type != RTM_NEWRULE || i--)
			continue;
		assert_int_equal(nlmsg_parse(h, sizeof(struct fib_rule_hdr), tb, FRA_MAX, NULL), 0);
		return nlmsg_data(h);
	}
	return NULL;
}

static void test_rtnl_rule_add_dump_delete(void **state)
{
	struct fib_rule_hdr frh = FRH;
	struct nlattr *tb[FRA_MAX + 1];
	struct fib_rule_hdr *d;
	struct nl_msg *m;
	size_t len;

	(void)state;
	frh.src_len = 24;
	frh.tos = 0x10;
	m = rule_msg(RTM_NEWRULE, &frh);
	nla_put_u32(m, FRA_SRC, htonl(0x0a010200));
	nla_put_string(m, FRA_IIFNAME, "nosuch0");
	nla_put_u32(m, FRA_FWMARK, 5);
	expect(m, 0, NULL);
	/* the same again without a priority is another rule, one below the
	 * second (as on Linux) */
	m = rule_msg(RTM_NEWRULE, &frh);
	nla_put_u32(m, FRA_SRC, htonl(0x0a010200));
	nla_put_string(m, FRA_IIFNAME, "nosuch0");
	nla_put_u32(m, FRA_FWMARK, 5);
	expect(m, 0, NULL);
	/* with the priority it now has, NLM_F_EXCL refuses it */
	m = rule_msg(RTM_NEWRULE, &frh);
	nla_put_u32(m, FRA_PRIORITY, 32764);
	nla_put_u32(m, FRA_SRC, htonl(0x0a010200));
	nla_put_string(m, FRA_IIFNAME, "nosuch0");
	nla_put_u32(m, FRA_FWMARK, 5);
	expect(m, -EEXIST, NULL);
	frh = (struct fib_rule_hdr){ .family = AF_INET };
	m = rule_msg(RTM_DELRULE, &frh);
	nla_put_u32(m, FRA_PRIORITY, 32764);
	expect(m, 0, NULL);
	frh = FRH;
	frh.src_len = 24;
	frh.tos = 0x10;
	free(dump(&len));
	/* local, the first one (32765: below main), main, default */
	assert_non_null(d = dumped(0, tb));
	assert_null(tb[FRA_PRIORITY]); /* priority 0 is not put */
	assert_int_equal(nla_get_u8(tb[FRA_PROTOCOL]), RTPROT_KERNEL);
	assert_non_null(d = dumped(1, tb));
	assert_int_equal(nla_get_u32(tb[FRA_PRIORITY]), 32765);
	assert_int_equal(nla_get_u32(tb[FRA_TABLE]), 100);
	assert_int_equal(d->table, 100);
	assert_int_equal(d->src_len, 24);
	assert_int_equal(d->tos, 0x10);
	assert_int_equal(nla_get_u32(tb[FRA_SRC]), htonl(0x0a010200));
	assert_string_equal(nla_get_string(tb[FRA_IIFNAME]), "nosuch0");
	assert_true(d->flags & FIB_RULE_IIF_DETACHED);
	assert_int_equal(nla_get_u32(tb[FRA_FWMARK]), 5);
	assert_int_equal(nla_get_u32(tb[FRA_FWMASK]), 0xffffffffu);
	assert_int_equal((int)nla_get_u32(tb[FRA_SUPPRESS_PREFIXLEN]), -1);
	assert_non_null(dumped(3, tb));
	assert_null(dumped(4, tb));
	/* delete by priority alone */
	frh = (struct fib_rule_hdr){ .family = AF_INET };
	m = rule_msg(RTM_DELRULE, &frh);
	nla_put_u32(m, FRA_PRIORITY, 32765);
	expect(m, 0, NULL);
	m = rule_msg(RTM_DELRULE, &frh);
	nla_put_u32(m, FRA_PRIORITY, 32765);
	expect(m, -ENOENT, NULL);
	free(dump(&len));
	assert_null(dumped(3, tb));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
		T(test_rtnl_rule_bad_requests_get_kernel_errors_and_change_nothing),
		T(test_rtnl_rule_add_dump_delete),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
