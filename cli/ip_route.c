// SPDX-License-Identifier: MIT
/*
 * `ip route`: add, change, replace, append, del, show, get for IPv4, after
 * iproute2 6.1 ip/iproute.c (iproute_modify, print_route, iproute_get).
 * `show` filters client-side as iproute2 does: the main table unless
 * `table` says otherwise, and the "table X" column only when more than one
 * table can appear.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/in_route.h>
#include <linux/rtnetlink.h>

#include "ip_common.h"
#include "print.h"

static int iproute_usage(struct cli_ctx *c, FILE *f)
{
	fprintf(f, "Usage: ip route show [ SELECTOR ]\n"
		   "       ip route flush SELECTOR\n"
		   "       ip route get [ fibmatch ] ADDRESS [ from ADDRESS ] [ iif STRING ]\n"
		   "                            [ oif STRING ] [ mark NUMBER ] [ tos TOS ]\n"
		   "       ip route { add | del | change | append | replace } ROUTE\n"
		   "SELECTOR := [ cache ] [ table TABLE_ID ] [ dev STRING ] [ PREFIX ]\n"
		   "ROUTE := NODE_SPEC [ INFO_SPEC ]\n"
		   "NODE_SPEC := [ TYPE ] PREFIX [ table TABLE_ID ] [ proto RTPROTO ]\n"
		   "             [ scope SCOPE ] [ metric METRIC ]\n"
		   "INFO_SPEC := { NH | nexthop NH [ nexthop NH ] ... } [ src ADDRESS ]\n"
		   "             [ mtu [ lock ] NUMBER ]\n"
		   "NH := [ via ADDRESS ] [ dev STRING ] [ weight NUMBER ]\n"
		   "TYPE := { unicast | local | broadcast | blackhole | unreachable | prohibit }\n"
		   "TABLE_ID := [ local | main | default | all | NUMBER ]\n");
	return f == c->out ? 0 : -EINVAL;
}

struct route_filter {
	bool cloned;	  /* `cache`: the exceptions, not the routes */
	uint32_t tb;	  /* 0: all tables */
	int oif;	  /* 0: any */
	bool has_dst;
	uint32_t dst;
	int dst_len;
	bool no_local;	  /* `vrf NAME`: the table without its local and broadcast routes */
};

static uint32_t route_table(struct rtmsg *r, struct nlattr **tb)
{
	return tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : r->rtm_table;
}

/* print_cache_flags(): the RTCF_* bits above the low 16, by name in
 * iproute2's order, what is left in hex. */
static void print_cache_flags(uint32_t flags)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ RTCF_LOCAL, "local" },	 { RTCF_REJECT, "reject" },
		{ RTCF_MULTICAST, "mc" },	 { RTCF_BROADCAST, "brd" },
		{ RTCF_DNAT, "dst-nat" },	 { RTCF_SNAT, "src-nat" },
		{ RTCF_MASQ, "masq" },		 { RTCF_DIRECTDST, "dst-direct" },
		{ RTCF_DIRECTSRC, "src-direct" }, { RTCF_REDIRECTED, "redirected" },
		{ RTCF_DOREDIRECT, "redirect" },	 { RTCF_FAST, "fastroute" },
		{ RTCF_NOTIFY, "notify" },	 { RTCF_TPROXY, "proxy" },
	};
	uint32_t fl = flags & ~0xFFFFu;

	print_nl();
	open_json_array(PRINT_ANY, is_json_context() ? "cache" : "    cache ");
	if (fl) {
		print_string(PRINT_FP, NULL, "<", NULL);
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && fl; i++) {
			if (!(fl & names[i].bit))
				continue;
			fl &= ~names[i].bit;
			print_string(PRINT_ANY, NULL, fl ? "%s," : "%s", names[i].name);
		}
		if (fl)
			print_uint(PRINT_ANY, NULL, "%x", fl);
		print_string(PRINT_FP, NULL, "> ", NULL);
	}
	close_json_array(PRINT_ANY, NULL);
}

/* print_rta_cacheinfo(): the time left of an exception (USER_HZ ticks). */
static void print_rta_cacheinfo(const struct rta_cacheinfo *ci)
{
	if (ci->rta_expires)
		print_int(PRINT_ANY, "expires", "expires %dsec ", (int)ci->rta_expires / 100);
	if (ci->rta_error)
		print_uint(PRINT_ANY, "error", "error %u ", ci->rta_error);
}

/* print_rta_metrics(), for the metrics nsemu keeps: "mtu [lock] N" in
 * text, {"mtu": N} in JSON (which shows no lock, as iproute2). */
static void print_rta_metrics(const struct nlattr *mx)
{
	struct nlattr *m[RTAX_MAX + 1];
	uint32_t lock = 0;

	if (nla_parse_nested(m, RTAX_MAX, (struct nlattr *)mx, NULL) < 0)
		return;
	if (m[RTAX_LOCK])
		lock = nla_get_u32(m[RTAX_LOCK]);
	open_json_array(PRINT_JSON, "metrics");
	open_json_object(NULL);
	if (m[RTAX_MTU] || (lock & (1u << RTAX_MTU))) {
		print_string(PRINT_FP, NULL, "mtu ", NULL);
		if (lock & (1u << RTAX_MTU))
			print_string(PRINT_FP, NULL, "lock ", NULL);
		print_uint(PRINT_ANY, "mtu", "%u ", m[RTAX_MTU] ? nla_get_u32(m[RTAX_MTU]) : 0);
	}
	close_json_object();
	close_json_array(PRINT_JSON, NULL);
}

void print_rt_flags(unsigned flags)
{
	open_json_array(PRINT_JSON, "flags");
	if (flags & RTNH_F_DEAD)
		print_string(PRINT_ANY, NULL, "%s ", "dead");
	if (flags & RTNH_F_ONLINK)
		print_string(PRINT_ANY, NULL, "%s ", "onlink");
	if (flags & RTNH_F_PERVASIVE)
		print_string(PRINT_ANY, NULL, "%s ", "pervasive");
	if (flags & RTNH_F_OFFLOAD)
		print_string(PRINT_ANY, NULL, "%s ", "offload");
	if (flags & RTNH_F_TRAP)
		print_string(PRINT_ANY, NULL, "%s ", "trap");
	if (flags & RTNH_F_LINKDOWN)
		print_string(PRINT_ANY, NULL, "%s ", "linkdown");
	if (flags & RTNH_F_UNRESOLVED)
		print_string(PRINT_ANY, NULL, "%s ", "unresolved");
	close_json_array(PRINT_JSON, NULL);
}

/* print_rta_multipath: one "nexthop via A dev X weight W" line per path
 * ("nexthops" in JSON). */
static void print_rta_multipath(const struct nlattr *mp)
{
	const struct rtnexthop *nh = nla_data(mp);
	int len = nla_len(mp);
	char b[INET_ADDRSTRLEN];

	open_json_array(PRINT_JSON, "nexthops");
	while (len >= (int)sizeof(*nh) && nh->rtnh_len <= len) {
		open_json_object(NULL);
		print_string(PRINT_FP, NULL, "%s", "\n");
		print_string(PRINT_FP, NULL, "\tnexthop ", NULL);
		if (nh->rtnh_len > sizeof(*nh)) {
			const struct rtattr *a = RTNH_DATA(nh);
			int rem = nh->rtnh_len - (int)sizeof(*nh);

			for (; RTA_OK(a, rem); a = RTA_NEXT(a, rem)) {
				uint32_t gw;

				if (a->rta_type != RTA_GATEWAY || RTA_PAYLOAD(a) < 4)
					continue;
				memcpy(&gw, RTA_DATA(a), 4);
				print_string(PRINT_FP, NULL, "via ", NULL);
				/* iproute2 colours a nexthop's gateway, not its dev */
				print_color_string(PRINT_ANY, COLOR_INET, "gateway", "%s ",
						   fmt_ip4(gw, b));
			}
		}
		print_string(PRINT_ANY, "dev", "dev %s ", ll_index_to_name(nh->rtnh_ifindex));
		print_int(PRINT_ANY, "weight", "weight %d ", nh->rtnh_hops + 1);
		print_rt_flags(nh->rtnh_flags);
		close_json_object();
		if (len < (int)RTNH_ALIGN(nh->rtnh_len) || !nh->rtnh_len)
			break;
		len -= RTNH_ALIGN(nh->rtnh_len);
		nh = RTNH_NEXT(nh);
	}
	close_json_array(PRINT_JSON, NULL);
}

/* An IPv4 route message that @f (NULL: any) selects, parsed into @tb. */
static bool route_match(struct nlmsghdr *nlh, const struct route_filter *f, struct nlattr **tb)
{
	struct rtmsg *r = nlmsg_data(nlh);

	if (nlh->nlmsg_type != RTM_NEWROUTE || nlmsg_datalen(nlh) < (int)sizeof(*r) ||
	    r->rtm_family != AF_INET || nlmsg_parse(nlh, sizeof(*r), tb, RTA_MAX, NULL) < 0)
		return false;
	if (!f)
		return true;
	if (f->cloned != !!(r->rtm_flags & RTM_F_CLONED))
		return false;
	if (f->tb && route_table(r, tb) != f->tb)
		return false;
	if (f->no_local && (r->rtm_type == RTN_LOCAL || r->rtm_type == RTN_BROADCAST))
		return false;
	if (f->oif && (!tb[RTA_OIF] || (int)nla_get_u32(tb[RTA_OIF]) != f->oif))
		return false;
	if (f->has_dst && (r->rtm_dst_len != f->dst_len ||
			   (tb[RTA_DST] ? nla_get_u32(tb[RTA_DST]) : 0) != f->dst))
		return false;
	return true;
}

int print_route(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	const struct route_filter *f = arg;
	struct rtmsg *r = nlmsg_data(nlh);
	struct nlattr *tb[RTA_MAX + 1];
	char b1[64], b2[INET_ADDRSTRLEN];
	uint32_t table;

	if (!route_match(nlh, f, tb))
		return 0;
	table = route_table(r, tb);
	open_json_object(NULL);
	if (r->rtm_type != RTN_UNICAST || c->details)
		print_string(PRINT_ANY, "type", "%s ", rt_type_n2a(r->rtm_type, b1, sizeof(b1)));
	if (tb[RTA_DST]) {
		fmt_ip4(nla_get_u32(tb[RTA_DST]), b2);
		if (r->rtm_dst_len != 32)
			snprintf(b1, sizeof(b1), "%s/%u", b2, r->rtm_dst_len);
		else
			snprintf(b1, sizeof(b1), "%s", b2);
	} else if (r->rtm_dst_len) {
		snprintf(b1, sizeof(b1), "0/%d ", r->rtm_dst_len);
	} else {
		snprintf(b1, sizeof(b1), "default");
	}
	print_color_string(PRINT_ANY, COLOR_INET, "dst", "%s ", b1);
	if (tb[RTA_SRC]) {
		fmt_ip4(nla_get_u32(tb[RTA_SRC]), b2);
		if (r->rtm_src_len != 32)
			snprintf(b1, sizeof(b1), "%s/%u", b2, r->rtm_src_len);
		else
			snprintf(b1, sizeof(b1), "%s", b2);
		print_string(PRINT_ANY, "from", "from %s ", b1);
	} else if (r->rtm_src_len) {
		snprintf(b1, sizeof(b1), "0/%u", r->rtm_src_len);
		print_string(PRINT_ANY, "src", "from %s ", b1);
	}
	if (tb[RTA_NH_ID])
		print_uint(PRINT_ANY, "nhid", "nhid %u ", nla_get_u32(tb[RTA_NH_ID]));
	if (tb[RTA_GATEWAY]) {
		print_string(PRINT_FP, NULL, "via ", NULL);
		print_color_string(PRINT_ANY, COLOR_INET, "gateway", "%s ",
				   fmt_ip4(nla_get_u32(tb[RTA_GATEWAY]), b2));
	}
	if (tb[RTA_OIF]) {
		print_string(PRINT_FP, NULL, "dev ", NULL);
		print_color_string(PRINT_ANY, COLOR_IFNAME, "dev", "%s ",
				   ll_index_to_name((int)nla_get_u32(tb[RTA_OIF])));
	}
	if (table && (table != RT_TABLE_MAIN || c->details) && (!f || !f->tb))
		print_string(PRINT_ANY, "table", "table %s ", rt_table_n2a(table, b1, sizeof(b1)));
	if (!(r->rtm_flags & RTM_F_CLONED)) {
		if (r->rtm_protocol != RTPROT_BOOT || c->details)
			print_string(PRINT_ANY, "protocol", "proto %s ",
				     rt_proto_n2a(r->rtm_protocol, b1, sizeof(b1)));
		if (r->rtm_scope != RT_SCOPE_UNIVERSE || c->details)
			print_string(PRINT_ANY, "scope", "scope %s ",
				     rt_scope_n2a(r->rtm_scope, b1, sizeof(b1)));
	}
	if (tb[RTA_PREFSRC]) {
		print_string(PRINT_FP, NULL, "src ", NULL);
		print_color_string(PRINT_ANY, COLOR_INET, "prefsrc", "%s ",
				   fmt_ip4(nla_get_u32(tb[RTA_PREFSRC]), b2));
	}
	if (tb[RTA_PRIORITY])
		print_uint(PRINT_ANY, "metric", "metric %u ", nla_get_u32(tb[RTA_PRIORITY]));
	print_rt_flags(r->rtm_flags);
	if (tb[RTA_MARK] && nla_get_u32(tb[RTA_MARK])) {
		unsigned mark = nla_get_u32(tb[RTA_MARK]);

		/* iproute2: decimal below 16, else hexadecimal */
		if (is_json_context())
			print_uint(PRINT_JSON, "mark", NULL, mark);
		else if (mark >= 16)
			print_text("mark 0x%x ", mark);
		else
			print_text("mark %u ", mark);
	}
	if (tb[RTA_UID])
		print_uint(PRINT_ANY, "uid", "uid %u ", nla_get_u32(tb[RTA_UID]));
	if (r->rtm_flags & RTM_F_CLONED) {
		print_cache_flags(r->rtm_flags);
		if (tb[RTA_CACHEINFO] && nla_len(tb[RTA_CACHEINFO]) >= (int)sizeof(struct rta_cacheinfo))
			print_rta_cacheinfo(nla_data(tb[RTA_CACHEINFO]));
	}
	if (tb[RTA_METRICS])
		print_rta_metrics(tb[RTA_METRICS]);
	if (tb[RTA_IIF])
		print_string(PRINT_ANY, "iif", "iif %s ",
			     ll_index_to_name((int)nla_get_u32(tb[RTA_IIF])));
	/* the last thing before the line ends, so that nothing reads as
	 * the last nexthop's */
	if (tb[RTA_MULTIPATH])
		print_rta_multipath(tb[RTA_MULTIPATH]);
	print_string(PRINT_FP, NULL, "\n", NULL);
	close_json_object();
	return 0;
}

static int get_table(struct cli_ctx *c, uint32_t *tid, const char *s, bool allow_all)
{
	if (allow_all && !strcmp(s, "all")) {
		*tid = 0;
		return 0;
	}
	if (rt_table_a2n(tid, s) || (!allow_all && *tid == 0))
		return invarg(c, "\"table\" value is invalid\n", s);
	return 0;
}

/* The selectors of `ip route show` and `flush` (iproute_list_flush_or_save):
 * table (main unless given; `vrf NAME`: its table), dev, cache, and an
 * exact prefix. */
static int route_filter_parse(struct cli_ctx *c, int argc, char **argv, struct route_filter *f)
{
	uint32_t addr;
	int len;

	*f = (struct route_filter){ .tb = RT_TABLE_MAIN };
	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "cache")) {
			f->cloned = true;
		} else if (!strcmp(argv[0], "table")) {
			NEXT_ARG();
			if (get_table(c, &f->tb, argv[0], true))
				return -EINVAL;
		} else if (!strcmp(argv[0], "vrf")) {
			/* iproute_list_flush_or_save: the VRF's table, as `ip
			 * route` shows main (typemask without local/broadcast) */
			NEXT_ARG();
			f->tb = cli_vrf_table(c, argv[0]);
			if (!f->tb)
				return invarg(c, "Invalid VRF\n", argv[0]);
			f->no_local = true;
		} else if (!strcmp(argv[0], "dev") || !strcmp(argv[0], "oif")) {
			NEXT_ARG();
			f->oif = cli_ifindex(c, argv[0]);
			if (f->oif < 0) {
				fprintf(c->err, "Cannot find device \"%s\"\n", argv[0]);
				return -ENODEV;
			}
		} else {
			if (!strcmp(argv[0], "to") || !strcmp(argv[0], "exact"))
				NEXT_ARG();
			if (get_prefix4(&addr, &len, argv[0], true)) {
				fprintf(c->err, "Error: any valid prefix is expected rather than \"%s\".\n",
					argv[0]);
				return -EINVAL;
			}
			f->has_dst = true;
			f->dst = addr;
			f->dst_len = len;
		}
	}
	return 0;
}

static int route_dump(struct cli_ctx *c, const struct route_filter *f, cli_reply_fn cb, void *arg)
{
	struct rtmsg r = { .rtm_family = AF_INET,
			   .rtm_flags = f->cloned ? RTM_F_CLONED : 0 };
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_DUMP);

	if (!m)
		return -ENOMEM;
	nlmsg_append(m, &r, sizeof(r), NLMSG_ALIGNTO);
	return cli_request(c, m, cb, arg, false);
}

static int iproute_show(struct cli_ctx *c, int argc, char **argv)
{
	struct route_filter f;
	int err = route_filter_parse(c, argc, argv, &f);

	if (err)
		return err;
	err = ll_init_map(c);
	if (err)
		return err;
	new_json_obj(c->out, c->json, c->pretty);
	err = route_dump(c, &f, print_route, &f);
	delete_json_obj();
	return err;
}

static int iproute_get(struct cli_ctx *c, int argc, char **argv)
{
	struct rtmsg r = { .rtm_family = AF_INET };
	uint32_t dst = 0, src = 0, mark = 0, v;
	bool have_dst = false, have_src = false, have_mark = false;
	int oif = 0, iif = 0, len, err;
	struct nl_msg *m;

	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "tos") || matches(argv[0], "dsfield")) {
			char *end;
			unsigned long t;

			NEXT_ARG();
			/* rtnl_dsfield_a2n: hexadecimal */
			t = strtoul(argv[0], &end, 16);
			if (!argv[0][0] || *end || t > 255)
				return invarg(c, "TOS value is invalid\n", argv[0]);
			r.rtm_tos = (uint8_t)t;
		} else if (!strcmp(argv[0], "iif")) {
			NEXT_ARG();
			iif = cli_ifindex(c, argv[0]);
			if (iif < 0) {
				fprintf(c->err, "Cannot find device \"%s\"\n", argv[0]);
				return -ENODEV;
			}
		} else if (matches(argv[0], "mark")) {
			NEXT_ARG();
			if (get_u32(&v, argv[0], 0))
				return invarg(c, "invalid mark value", argv[0]);
			mark = v;
			have_mark = true;
		} else if (matches(argv[0], "fibmatch")) {
			r.rtm_flags |= RTM_F_FIB_MATCH;
		} else if (!strcmp(argv[0], "from")) {
			NEXT_ARG();
			if (get_prefix4(&src, &len, argv[0], false)) {
				fprintf(c->err, "Error: inet prefix is expected rather than \"%s\".\n",
					argv[0]);
				return -EINVAL;
			}
			have_src = true;
		} else if (!strcmp(argv[0], "oif") || !strcmp(argv[0], "dev")) {
			NEXT_ARG();
			oif = cli_ifindex(c, argv[0]);
			if (oif < 0) {
				fprintf(c->err, "Cannot find device \"%s\"\n", argv[0]);
				return -ENODEV;
			}
		} else if (!strcmp(argv[0], "vrf")) {
			/* the lookup of a flow bound to the VRF (odev = NAME) */
			NEXT_ARG();
			if (!cli_name_is_vrf(c, argv[0]))
				return invarg(c, "Invalid VRF\n", argv[0]);
			oif = cli_ifindex(c, argv[0]);
		} else {
			if (!strcmp(argv[0], "to"))
				NEXT_ARG();
			if (have_dst)
				return duparg2(c, "to", argv[0]);
			if (get_prefix4(&dst, &len, argv[0], false)) {
				fprintf(c->err, "Error: inet prefix is expected rather than \"%s\".\n",
					argv[0]);
				return -EINVAL;
			}
			have_dst = true;
		}
	}
	if (!have_dst) {
		fprintf(c->err, "need at least a destination address\n");
		return -EINVAL;
	}
	err = ll_init_map(c);
	if (err)
		return err;
	m = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	if (!m)
		return -ENOMEM;
	r.rtm_dst_len = 32;
	/* iproute2 asks for the table the lookup used */
	r.rtm_flags |= RTM_F_LOOKUP_TABLE;
	if (have_src)
		r.rtm_src_len = 32;
	nlmsg_append(m, &r, sizeof(r), NLMSG_ALIGNTO);
	nla_put_u32(m, RTA_DST, dst);
	if (have_src)
		nla_put_u32(m, RTA_SRC, src);
	if (iif)
		nla_put_u32(m, RTA_IIF, (uint32_t)iif);
	if (oif)
		nla_put_u32(m, RTA_OIF, (uint32_t)oif);
	if (have_mark)
		nla_put_u32(m, RTA_MARK, mark);
	new_json_obj(c->out, c->json, c->pretty);
	err = cli_request(c, m, print_route, NULL, false);
	delete_json_obj();
	return err;
}

/*
 * parse_one_nh: the words of one nexthop after "nexthop" (via, dev,
 * weight) into @buf as a struct rtnexthop and its RTA_GATEWAY. On return
 * the arguments are at the first word that is not the nexthop's. 0, or
 * -errno with iproute2's message printed.
 */
static int parse_one_nh(struct cli_ctx *c, uint8_t *buf, size_t *len, size_t cap, int *argcp,
			char ***argvp)
{
	struct rtnexthop *rtnh = (struct rtnexthop *)(buf + *len);
	int argc = *argcp;
	char **argv = *argvp;

	if (*len + RTNH_ALIGN(sizeof(*rtnh)) + RTA_SPACE(4) > cap) {
		fprintf(c->err, "Error: too many nexthops\n");
		return -E2BIG;
	}
	memset(rtnh, 0, sizeof(*rtnh));
	rtnh->rtnh_len = sizeof(*rtnh);
	while (++argv, --argc > 0) {
		if (!strcmp(argv[0], "via")) {
			struct rtattr *a = (struct rtattr *)((uint8_t *)rtnh + rtnh->rtnh_len);
			uint32_t gw;

			NEXT_ARG();
			if (get_addr4(&gw, argv[0])) {
				fprintf(c->err, "Error: inet address is expected rather than \"%s\".\n",
					argv[0]);
				return -EINVAL;
			}
			if (*len + rtnh->rtnh_len + RTA_SPACE(4) > cap) {
				fprintf(c->err, "Error: too many nexthops\n");
				return -E2BIG;
			}
			a->rta_type = RTA_GATEWAY;
			a->rta_len = RTA_LENGTH(4);
			memcpy(RTA_DATA(a), &gw, 4);
			rtnh->rtnh_len += RTA_SPACE(4);
		} else if (!strcmp(argv[0], "dev")) {
			NEXT_ARG();
			rtnh->rtnh_ifindex = cli_ifindex(c, argv[0]);
			if (rtnh->rtnh_ifindex < 0) {
				/* nodev() returns, and parse_nexthops says more */
				fprintf(c->err, "Cannot find device \"%s\"\n", argv[0]);
				fprintf(c->err, "Error: cannot parse nexthop\n");
				return -ENODEV;
			}
		} else if (!strcmp(argv[0], "weight")) {
			uint32_t w;

			NEXT_ARG();
			if (get_u32(&w, argv[0], 0) || w == 0 || w > 256)
				return invarg(c, "\"weight\" is invalid\n", argv[0]);
			rtnh->rtnh_hops = (uint8_t)(w - 1);
		} else {
			break;
		}
	}
	*len += RTNH_ALIGN(rtnh->rtnh_len);
	*argcp = argc;
	*argvp = argv;
	return 0;
}

/* parse_nexthops: "nexthop NH [nexthop NH]..." to the end of the line,
 * as RTA_MULTIPATH. */
static int parse_nexthops(struct cli_ctx *c, struct nl_msg *m, int argc, char **argv)
{
	uint8_t buf[4096];
	size_t len = 0;
	int err;

	while (argc > 0) {
		if (strcmp(argv[0], "nexthop")) {
			fprintf(c->err,
				"Error: \"nexthop\" or end of line is expected instead of \"%s\"\n",
				argv[0]);
			return -EINVAL;
		}
		if (argc <= 1) {
			fprintf(c->err, "Error: unexpected end of line after \"nexthop\"\n");
			return -EINVAL;
		}
		err = parse_one_nh(c, buf, &len, sizeof(buf), &argc, &argv);
		if (err)
			return err;
	}
	if (len)
		nla_put(m, RTA_MULTIPATH, (int)len, buf);
	return 0;
}

static int iproute_modify(struct cli_ctx *c, int cmd, int flags, int argc, char **argv)
{
	struct rtmsg r = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN,
			   .rtm_scope = RT_SCOPE_NOWHERE };
	uint32_t dst = 0, gw = 0, prefsrc = 0, metric = 0, tid = RT_TABLE_MAIN, v;
	bool dst_ok = false, gw_ok = false, src_ok = false, metric_ok = false, table_ok = false;
	bool scope_ok = false, mtu_ok = false, nhs_ok = false, nhid_ok = false;
	uint32_t mtu = 0, mxlock = 0, nhid = 0;
	char **nh_argv = NULL;
	int nh_argc = 0;
	const char *dev = NULL;
	struct nl_msg *m;
	int len = 0, type, oif = 0;

	if (cmd != RTM_DELROUTE) {
		r.rtm_protocol = RTPROT_BOOT;
		r.rtm_scope = RT_SCOPE_UNIVERSE;
		r.rtm_type = RTN_UNICAST;
	}
	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "via")) {
			NEXT_ARG();
			if (gw_ok)
				return duparg(c, "via", argv[0]);
			if (get_addr4(&gw, argv[0])) {
				fprintf(c->err, "Error: inet address is expected rather than \"%s\".\n",
					argv[0]);
				return -EINVAL;
			}
			gw_ok = true;
		} else if (!strcmp(argv[0], "dev") || !strcmp(argv[0], "oif")) {
			NEXT_ARG();
			dev = argv[0];
		} else if (!strcmp(argv[0], "src")) {
			NEXT_ARG();
			if (get_addr4(&prefsrc, argv[0])) {
				fprintf(c->err, "Error: inet address is expected rather than \"%s\".\n",
					argv[0]);
				return -EINVAL;
			}
			src_ok = true;
		} else if (!strcmp(argv[0], "metric") || !strcmp(argv[0], "priority") ||
			   !strcmp(argv[0], "preference")) {
			NEXT_ARG();
			if (metric_ok)
				return duparg(c, "metric", argv[0]);
			if (get_u32(&metric, argv[0], 0))
				return invarg(c, "\"metric\" value is invalid\n", argv[0]);
			metric_ok = true;
		} else if (!strcmp(argv[0], "mtu")) {
			NEXT_ARG();
			if (!strcmp(argv[0], "lock")) {
				mxlock |= 1u << RTAX_MTU;
				NEXT_ARG();
			}
			if (get_u32(&mtu, argv[0], 0))
				return invarg(c, "\"mtu\" value is invalid\n", argv[0]);
			mtu_ok = true;
		} else if (!strcmp(argv[0], "table")) {
			NEXT_ARG();
			if (get_table(c, &tid, argv[0], false))
				return -EINVAL;
			table_ok = true;
		} else if (!strcmp(argv[0], "vrf")) {
			/* iproute_modify: the VRF's table */
			NEXT_ARG();
			tid = cli_vrf_table(c, argv[0]);
			if (!tid)
				return invarg(c, "Invalid VRF\n", argv[0]);
			table_ok = true;
		} else if (matches(argv[0], "protocol")) {
			NEXT_ARG();
			if (rt_proto_a2n(&v, argv[0]))
				return invarg(c, "\"protocol\" value is invalid\n", argv[0]);
			r.rtm_protocol = (uint8_t)v;
		} else if (!strcmp(argv[0], "scope")) {
			NEXT_ARG();
			if (rt_scope_a2n(&v, argv[0]))
				return invarg(c, "invalid \"scope\" value\n", argv[0]);
			r.rtm_scope = (uint8_t)v;
			scope_ok = true;
		} else if (!strcmp(argv[0], "nhid")) {
			NEXT_ARG();
			if (get_u32(&nhid, argv[0], 0))
				return invarg(c, "\"id\" value is invalid\n", argv[0]);
			nhid_ok = true;
		} else if (!strcmp(argv[0], "nexthop")) {
			/* the rest of the line is nexthops */
			nhs_ok = true;
			nh_argc = argc;
			nh_argv = argv;
			break;
		} else {
			if (!strcmp(argv[0], "to"))
				NEXT_ARG();
			if ((argv[0][0] < '0' || argv[0][0] > '9') && !rt_type_a2n(&type, argv[0])) {
				NEXT_ARG();
				r.rtm_type = (uint8_t)type;
			}
			if (dst_ok)
				return duparg2(c, "to", argv[0]);
			if (get_prefix4(&dst, &len, argv[0], true)) {
				fprintf(c->err, "Error: any valid prefix is expected rather than \"%s\".\n",
					argv[0]);
				return -EINVAL;
			}
			dst_ok = true;
		}
	}
	if (!dst_ok) {
		fprintf(c->err, "Not enough information: destination prefix is required.\n");
		return -EINVAL;
	}
	if (dev) {
		oif = cli_ifindex(c, dev);
		if (oif < 0) {
			fprintf(c->err, "Cannot find device \"%s\"\n", dev);
			return -ENODEV;
		}
	}
	/* iproute2 iproute_modify(): default table and scope by route type */
	if (!table_ok && (r.rtm_type == RTN_LOCAL || r.rtm_type == RTN_BROADCAST ||
			  r.rtm_type == RTN_NAT || r.rtm_type == RTN_ANYCAST))
		tid = RT_TABLE_LOCAL;
	if (!scope_ok) {
		if (r.rtm_type == RTN_LOCAL || r.rtm_type == RTN_NAT)
			r.rtm_scope = RT_SCOPE_HOST;
		else if (r.rtm_type == RTN_BROADCAST || r.rtm_type == RTN_MULTICAST ||
			 r.rtm_type == RTN_ANYCAST)
			r.rtm_scope = RT_SCOPE_LINK;
		else if (r.rtm_type == RTN_UNICAST || r.rtm_type == RTN_UNSPEC) {
			if (cmd == RTM_DELROUTE)
				r.rtm_scope = RT_SCOPE_NOWHERE;
			else if (!gw_ok && !nhs_ok && !nhid_ok)
				r.rtm_scope = RT_SCOPE_LINK;
		}
	}
	r.rtm_dst_len = (uint8_t)len;
	m = nlmsg_alloc_simple(cmd, flags);
	if (!m)
		return -ENOMEM;
	if (tid < 256) {
		r.rtm_table = (uint8_t)tid;
	} else {
		r.rtm_table = RT_TABLE_UNSPEC;
	}
	nlmsg_append(m, &r, sizeof(r), NLMSG_ALIGNTO);
	if (tid >= 256)
		nla_put_u32(m, RTA_TABLE, tid);
	if (len)
		nla_put_u32(m, RTA_DST, dst);
	if (gw_ok)
		nla_put_u32(m, RTA_GATEWAY, gw);
	if (oif)
		nla_put_u32(m, RTA_OIF, (uint32_t)oif);
	if (src_ok)
		nla_put_u32(m, RTA_PREFSRC, prefsrc);
	if (metric_ok)
		nla_put_u32(m, RTA_PRIORITY, metric);
	if (nhid_ok)
		nla_put_u32(m, RTA_NH_ID, nhid);
	if (nhs_ok) {
		int err = parse_nexthops(c, m, nh_argc, nh_argv);

		if (err) {
			nlmsg_free(m);
			return err;
		}
	}
	if (mtu_ok || mxlock) {
		struct nlattr *mx = nla_nest_start(m, RTA_METRICS);

		if (mtu_ok)
			nla_put_u32(m, RTAX_MTU, mtu);
		if (mxlock)
			nla_put_u32(m, RTAX_LOCK, mxlock);
		nla_nest_end(m, mx);
	}
	return cli_request(c, m, NULL, NULL, false);
}

struct route_flush {
	const struct route_filter *f;
	struct nlmsg_list del;
};

static int route_collect(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct route_flush *fl = arg;
	struct nlattr *tb[RTA_MAX + 1];

	return route_match(nlh, fl->f, tb) ? nlmsg_list_add(&fl->del, nlh) : 0;
}

/* Delete what one dump selected: each message sent back as RTM_DELROUTE,
 * as iproute2's flush_update does. A route already gone (an address's
 * deletion took its local routes) is not an error. */
static int route_delete_all(struct cli_ctx *c, const struct nlmsg_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct nl_msg *m = nlmsg_alloc_simple(RTM_DELROUTE, 0);
		int err;

		if (!m)
			return -ENOMEM;
		nlmsg_append(m, nlmsg_data(l->msg[i]), (size_t)nlmsg_datalen(l->msg[i]), 0);
		err = cli_request(c, m, NULL, NULL, true);
		if (err && err != -ESRCH) {
			fprintf(c->err, "Failed to send flush request: %s\n", strerror(-err));
			return err;
		}
	}
	return 0;
}

/*
 * `ip route flush SELECTORS`, as iproute_list_flush_or_save: rounds of
 * dump-then-delete until a dump selects nothing (at most 10), reported
 * with -s. `flush cache` writes net.ipv4.route.flush instead, as
 * iproute_flush_cache, which makes every route exception stale.
 */
#define FLUSH_MAX_ROUNDS 10
static int iproute_flush(struct cli_ctx *c, int argc, char **argv)
{
	struct route_filter f;
	struct nl_msg *m;
	int err, round;

	if (argc == 0) {
		fprintf(c->err, "\"ip route flush\" requires arguments.\n");
		return -EINVAL;
	}
	err = route_filter_parse(c, argc, argv, &f);
	if (err)
		return err;
	if (!f.cloned) {
		for (round = 0; round < FLUSH_MAX_ROUNDS; round++) {
			struct route_flush fl = { .f = &f };

			err = route_dump(c, &f, route_collect, &fl);
			if (!err && fl.del.n && c->stats)
				fprintf(c->out, "\n*** Round %d, deleting %zu entries ***\n", round + 1,
					fl.del.n);
			if (!err)
				err = route_delete_all(c, &fl.del);
			if (err || !fl.del.n) {
				nlmsg_list_free(&fl.del);
				break;
			}
			nlmsg_list_free(&fl.del);
		}
		if (err || !c->stats)
			return err;
		if (round == 0)
			fprintf(c->out, "Nothing to flush.\n");
		else if (round < FLUSH_MAX_ROUNDS)
			fprintf(c->out, "*** Flush is complete after %d round%s ***\n", round,
				round > 1 ? "s" : "");
		else
			fprintf(c->out, "*** Flush remains incomplete after %d rounds. ***\n", round);
		return 0;
	}
	m = nlmsg_alloc_simple(NSEMU_MSG_SYSCTL_SET, 0);
	if (!m)
		return -ENOMEM;
	nla_put_string(m, NSEMU_A_KEY, "net.ipv4.route.flush");
	nla_put_string(m, NSEMU_A_VALUE, "1");
	return cli_request(c, m, NULL, NULL, false);
}

static int do_add(struct cli_ctx *c, int argc, char **argv)
{
	return iproute_modify(c, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, argc - 1, argv + 1);
}
static int do_change(struct cli_ctx *c, int argc, char **argv)
{
	return iproute_modify(c, RTM_NEWROUTE, NLM_F_REPLACE, argc - 1, argv + 1);
}
static int do_replace(struct cli_ctx *c, int argc, char **argv)
{
	return iproute_modify(c, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, argc - 1, argv + 1);
}
static int do_append(struct cli_ctx *c, int argc, char **argv)
{
	return iproute_modify(c, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_APPEND, argc - 1, argv + 1);
}
static int do_del(struct cli_ctx *c, int argc, char **argv)
{
	return iproute_modify(c, RTM_DELROUTE, 0, argc - 1, argv + 1);
}
static int do_show(struct cli_ctx *c, int argc, char **argv)
{
	return iproute_show(c, argc - 1, argv + 1);
}
static int do_get(struct cli_ctx *c, int argc, char **argv)
{
	return iproute_get(c, argc - 1, argv + 1);
}
static int do_flush(struct cli_ctx *c, int argc, char **argv)
{
	return iproute_flush(c, argc - 1, argv + 1);
}
static int do_help(struct cli_ctx *c, int argc, char **argv)
{
	return iproute_usage(c, c->out);
}

static const struct cmd iproute_cmds[] = {
	{ "add", do_add, "" },	   { "change", do_change, "" }, { "replace", do_replace, "" },
	{ "append", do_append, "" }, { "delete", do_del, "" },   { "show", do_show, "" },
	{ "list", do_show, "" },   { "lst", do_show, "" },	{ "get", do_get, "" },
	{ "flush", do_flush, "" }, { "help", do_help, "" },   { NULL, NULL, NULL },
};

int cmd_ip_route(struct cli_ctx *c, int argc, char **argv)
{
	if (argc < 2)
		return iproute_show(c, 0, NULL);
	return cmd_dispatch(c, iproute_cmds, "ip route", argc - 1, argv + 1);
}
