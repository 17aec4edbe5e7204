// SPDX-License-Identifier: MIT
/*
 * `ip rule`: add, del, show (list, lst) and flush of the IPv4 policy
 * routing rules, after iproute2 6.1 ip/iprule.c (iprule_modify,
 * print_rule, filter_nlmsg, flush_rule): the same words, the same
 * messages (fib_rule_hdr + FRA_*), the same text and JSON output and the
 * same argument errors. show and flush filter client-side as iproute2
 * does; flush deletes every matching rule but those of priority 0 (a dump
 * carries no FRA_PRIORITY for them, and iproute2 skips such rules).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "ip_common.h"
#include "print.h"

static int iprule_usage(struct cli_ctx *c, FILE *f)
{
	fprintf(f, "Usage: ip rule { add | del } SELECTOR ACTION\n"
		   "       ip rule flush [ SELECTOR ]\n"
		   "       ip rule [ list [ SELECTOR ]]\n"
		   "SELECTOR := [ not ] [ from PREFIX ] [ to PREFIX ] [ tos TOS ]\n"
		   "            [ fwmark FWMARK[/MASK] ]\n"
		   "            [ iif STRING ] [ oif STRING ] [ pref NUMBER ] [ l3mdev ]\n"
		   "ACTION := [ table TABLE_ID ]\n"
		   "          [ protocol PROTO ]\n"
		   "          [ goto NUMBER ] [ nop ]\n"
		   "          [ unreachable | prohibit | blackhole ]\n"
		   "          SUPPRESSOR\n"
		   "SUPPRESSOR := [ suppress_prefixlength NUMBER ]\n"
		   "              [ suppress_ifgroup DEVGROUP ]\n"
		   "TABLE_ID := [ local | main | default | NUMBER ]\n");
	return f == c->out ? 0 : -EINVAL;
}

/* What show and flush select on (iproute2's filter). */
struct rule_filter {
	bool not;
	bool iifmask, oifmask, prefmask, tosmask, protomask;
	uint32_t tb, pref, tos, fwmark, fwmask;
	uint8_t proto;
	char iif[IFNAMSIZ], oif[IFNAMSIZ];
	bool has_src, has_dst;
	uint32_t src, dst;
	int src_len, dst_len;
	/* flush: the rules to delete, as dumped */
	struct nlmsghdr **del;
	unsigned ndel;
	int err;
};

/* rtnl_dsfield_a2n without names: hexadecimal, at most 255. */
static int dsfield_a2n(uint32_t *v, const char *s)
{
	char *end;
	unsigned long n;

	if (!*s)
		return -EINVAL;
	n = strtoul(s, &end, 16);
	if (*end || n > 255)
		return -EINVAL;
	*v = (uint32_t)n;
	return 0;
}

/* iproute2's check_ifname. */
static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= IFNAMSIZ)
		return false;
	for (; *s; s++)
		if (*s == '/' || isspace((unsigned char)*s))
			return false;
	return true;
}

static uint32_t attr_u32(struct nlattr **tb, int type, uint32_t dflt)
{
	return tb[type] ? nla_get_u32(tb[type]) : dflt;
}

static uint32_t attr_addr(const struct nlattr *a)
{
	uint32_t v = 0;

	if (a && nla_len(a) >= 4)
		memcpy(&v, nla_data(a), 4);
	return v;
}

/* inet_addr_match_rta for a prefix filter: the rule's prefix is at least
 * as long and lies inside. */
static bool prefix_in(uint32_t faddr, int flen, const struct nlattr *a, int rlen)
{
	uint32_t mask = flen ? htonl(~0u << (32 - flen)) : 0;

	if (flen > rlen)
		return false;
	if (!flen)
		return true;
	return !((attr_addr(a) ^ faddr) & mask);
}

/* filter_nlmsg */
static bool rule_selected(const struct rule_filter *f, const struct fib_rule_hdr *frh,
			  struct nlattr **tb)
{
	if (!f)
		return true;
	if (f->prefmask && f->pref != attr_u32(tb, FRA_PRIORITY, 0))
		return false;
	if (f->not && !(frh->flags & FIB_RULE_INVERT))
		return false;
	if (f->has_src && !prefix_in(f->src, f->src_len, tb[FRA_SRC], frh->src_len))
		return false;
	if (f->has_dst && !prefix_in(f->dst, f->dst_len, tb[FRA_DST], frh->dst_len))
		return false;
	if (f->tosmask && f->tos != frh->tos)
		return false;
	if (f->fwmark && f->fwmark != attr_u32(tb, FRA_FWMARK, 0))
		return false;
	if (f->fwmask && f->fwmask != attr_u32(tb, FRA_FWMASK, 0))
		return false;
	if (f->iifmask && (!tb[FRA_IFNAME] || strcmp(f->iif, nla_get_string(tb[FRA_IFNAME]))))
		return false;
	if (f->oifmask && (!tb[FRA_OIFNAME] || strcmp(f->oif, nla_get_string(tb[FRA_OIFNAME]))))
		return false;
	if (f->tb && f->tb != attr_u32(tb, FRA_TABLE, frh->table))
		return false;
	return true;
}

static int rule_parse_reply(struct nlmsghdr *nlh, struct fib_rule_hdr **frh, struct nlattr **tb)
{
	if ((nlh->nlmsg_type != RTM_NEWRULE && nlh->nlmsg_type != RTM_DELRULE) ||
	    nlmsg_datalen(nlh) < (int)sizeof(**frh))
		return -1;
	*frh = nlmsg_data(nlh);
	if ((*frh)->family != AF_INET || nlmsg_parse(nlh, sizeof(**frh), tb, FRA_MAX, NULL) < 0)
		return -1;
	return 0;
}

/* print_rule */
int print_rule(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	const struct rule_filter *f = arg;
	struct nlattr *tb[FRA_MAX + 1];
	struct fib_rule_hdr *frh;
	char b1[64], a[INET_ADDRSTRLEN];
	uint32_t table;

	if (rule_parse_reply(nlh, &frh, tb) || !rule_selected(f, frh, tb))
		return 0;
	open_json_object(NULL);
	if (nlh->nlmsg_type == RTM_DELRULE)
		print_bool(PRINT_ANY, "deleted", "Deleted ", true);
	print_uint(PRINT_ANY, "priority", "%u:\t", attr_u32(tb, FRA_PRIORITY, 0));
	if (frh->flags & FIB_RULE_INVERT)
		print_null(PRINT_ANY, "not", "not ", NULL);
	if (tb[FRA_SRC]) {
		print_string(PRINT_FP, NULL, "from ", NULL);
		print_string(PRINT_ANY, "src", "%s", fmt_ip4(attr_addr(tb[FRA_SRC]), a));
		if (frh->src_len != 32)
			print_uint(PRINT_ANY, "srclen", "/%u", frh->src_len);
	} else if (frh->src_len) {
		print_string(PRINT_ANY, "src", "from %s", "0");
		print_uint(PRINT_ANY, "srclen", "/%u", frh->src_len);
	} else {
		print_string(PRINT_ANY, "src", "from %s", "all");
	}
	if (tb[FRA_DST]) {
		print_string(PRINT_FP, NULL, " to ", NULL);
		print_string(PRINT_ANY, "dst", "%s", fmt_ip4(attr_addr(tb[FRA_DST]), a));
		if (frh->dst_len != 32)
			print_uint(PRINT_ANY, "dstlen", "/%u", frh->dst_len);
	} else if (frh->dst_len) {
		print_string(PRINT_ANY, "dst", " to %s", "0");
		print_uint(PRINT_ANY, "dstlen", "/%u", frh->dst_len);
	}
	if (frh->tos) {
		snprintf(b1, sizeof(b1), "0x%02x", frh->tos);
		print_string(PRINT_ANY, "tos", " tos %s", b1);
	}
	if (tb[FRA_FWMARK] || tb[FRA_FWMASK]) {
		uint32_t mark = attr_u32(tb, FRA_FWMARK, 0), mask;

		snprintf(b1, sizeof(b1), "%#x", mark);
		print_string(PRINT_ANY, "fwmark", " fwmark %s", b1);
		if (tb[FRA_FWMASK] && (mask = nla_get_u32(tb[FRA_FWMASK])) != 0xffffffffu) {
			snprintf(b1, sizeof(b1), "%#x", mask);
			print_string(PRINT_ANY, "fwmask", "/%s", b1);
		}
	}
	if (tb[FRA_IFNAME]) {
		print_string(PRINT_ANY, "iif", " iif %s", nla_get_string(tb[FRA_IFNAME]));
		if (frh->flags & FIB_RULE_IIF_DETACHED)
			print_null(PRINT_ANY, "iif_detached", " [detached]", NULL);
	}
	if (tb[FRA_OIFNAME]) {
		print_string(PRINT_ANY, "oif", " oif %s", nla_get_string(tb[FRA_OIFNAME]));
		if (frh->flags & FIB_RULE_OIF_DETACHED)
			print_null(PRINT_ANY, "oif_detached", " [detached]", NULL);
	}
	if (tb[FRA_L3MDEV] && nla_get_u8(tb[FRA_L3MDEV]))
		print_null(PRINT_ANY, "l3mdev", " lookup [l3mdev-table]", NULL);
	table = attr_u32(tb, FRA_TABLE, frh->table);
	if (table) {
		print_string(PRINT_ANY, "table", " lookup %s", rt_table_n2a(table, b1, sizeof(b1)));
		if (tb[FRA_SUPPRESS_PREFIXLEN]) {
			int pl = (int)nla_get_u32(tb[FRA_SUPPRESS_PREFIXLEN]);

			if (pl != -1)
				print_int(PRINT_ANY, "suppress_prefixlen", " suppress_prefixlength %d",
					  pl);
		}
		if (tb[FRA_SUPPRESS_IFGROUP]) {
			int group = (int)nla_get_u32(tb[FRA_SUPPRESS_IFGROUP]);

			if (group != -1) {
				if (group)
					snprintf(b1, sizeof(b1), "%d", group);
				print_string(PRINT_ANY, "suppress_ifgroup", " suppress_ifgroup %s",
					     group ? b1 : "default");
			}
		}
	}
	if (frh->action == RTN_NAT) {
		if (tb[RTA_GATEWAY])
			print_string(PRINT_ANY, "nat_gateway", " map-to %s",
				     fmt_ip4(attr_addr(tb[RTA_GATEWAY]), a));
		else
			print_null(PRINT_ANY, "masquerade", " masquerade", NULL);
	} else if (frh->action == FR_ACT_GOTO) {
		if (tb[FRA_GOTO])
			print_uint(PRINT_ANY, "goto", " goto %u", nla_get_u32(tb[FRA_GOTO]));
		else
			print_string(PRINT_ANY, "goto", " goto %s", "none");
		if (frh->flags & FIB_RULE_UNRESOLVED)
			print_null(PRINT_ANY, "unresolved", " [unresolved]", NULL);
	} else if (frh->action == FR_ACT_NOP) {
		print_null(PRINT_ANY, "nop", " nop", NULL);
	} else if (frh->action != FR_ACT_TO_TBL) {
		print_string(PRINT_ANY, "action", " %s", rt_type_n2a(frh->action, b1, sizeof(b1)));
	}
	if (tb[FRA_PROTOCOL]) {
		uint8_t proto = nla_get_u8(tb[FRA_PROTOCOL]);

		if ((proto && proto != RTPROT_KERNEL) || c->details)
			print_string(PRINT_ANY, "protocol", " proto %s",
				     rt_proto_n2a(proto, b1, sizeof(b1)));
	}
	print_string(PRINT_FP, NULL, "\n", "");
	close_json_object();
	return 0;
}

/* flush_rule, first half: remember what to delete (requests cannot be
 * sent while the dump's replies are being read). */
static int collect_rule(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct rule_filter *f = arg;
	struct nlattr *tb[FRA_MAX + 1];
	struct fib_rule_hdr *frh;
	struct nlmsghdr **v, *copy;

	(void)c;
	if (rule_parse_reply(nlh, &frh, tb) || !rule_selected(f, frh, tb))
		return 0;
	if (f->protomask && tb[FRA_PROTOCOL] && nla_get_u8(tb[FRA_PROTOCOL]) != f->proto)
		return 0;
	if (!tb[FRA_PRIORITY])
		return 0;
	v = realloc(f->del, (f->ndel + 1) * sizeof(*v));
	copy = malloc(nlh->nlmsg_len);
	if (!v || !copy) {
		free(copy);
		if (v)
			f->del = v;
		f->err = -ENOMEM;
		return 0;
	}
	memcpy(copy, nlh, nlh->nlmsg_len);
	f->del = v;
	f->del[f->ndel++] = copy;
	return 0;
}

static int get_prefix_arg(struct cli_ctx *c, const char *s, uint32_t *addr, int *len,
			  const char *what)
{
	if (get_prefix4(addr, len, s, true)) {
		fprintf(c->err, "Error: %s prefix is expected rather than \"%s\".\n", what, s);
		return -EINVAL;
	}
	return 0;
}

enum { IPRULE_LIST, IPRULE_FLUSH };

/* iprule_list_flush_or_save */
static int iprule_list_flush(struct cli_ctx *c, int argc, char **argv, int action)
{
	struct rule_filter f = { 0 };
	struct fib_rule_hdr frh = { .family = AF_INET };
	struct nl_msg *m;
	uint32_t v;
	int err;

	for (; argc > 0; argc--, argv++) {
		if (matches(argv[0], "preference") || matches(argv[0], "order") ||
		    matches(argv[0], "priority")) {
			NEXT_ARG();
			if (get_u32(&f.pref, argv[0], 0))
				return invarg(c, "preference value is invalid\n", argv[0]);
			f.prefmask = true;
		} else if (!strcmp(argv[0], "not")) {
			f.not = true;
		} else if (!strcmp(argv[0], "tos") || !strcmp(argv[0], "dsfield")) {
			NEXT_ARG();
			if (dsfield_a2n(&f.tos, argv[0]))
				return invarg(c, "TOS value is invalid\n", argv[0]);
			f.tosmask = true;
		} else if (!strcmp(argv[0], "fwmark")) {
			char *slash;

			NEXT_ARG();
			slash = strchr(argv[0], '/');
			if (slash)
				*slash = '\0';
			if (get_u32(&f.fwmark, argv[0], 0))
				return invarg(c, "fwmark value is invalid\n", argv[0]);
			if (slash && get_u32(&f.fwmask, slash + 1, 0))
				return invarg(c, "fwmask value is invalid\n", slash + 1);
		} else if (!strcmp(argv[0], "dev") || !strcmp(argv[0], "iif")) {
			NEXT_ARG();
			if (!ifname_ok(argv[0]))
				return invarg(c, "\"iif\"/\"dev\" not a valid ifname", argv[0]);
			snprintf(f.iif, sizeof(f.iif), "%s", argv[0]);
			f.iifmask = true;
		} else if (!strcmp(argv[0], "oif")) {
			NEXT_ARG();
			if (!ifname_ok(argv[0]))
				return invarg(c, "\"oif\" not a valid ifname", argv[0]);
			snprintf(f.oif, sizeof(f.oif), "%s", argv[0]);
			f.oifmask = true;
		} else if (matches(argv[0], "lookup") || matches(argv[0], "table")) {
			NEXT_ARG();
			if (rt_table_a2n(&f.tb, argv[0]))
				return invarg(c, "table id value is invalid\n", argv[0]);
		} else if (matches(argv[0], "from") || matches(argv[0], "src")) {
			NEXT_ARG();
			if (get_prefix4(&f.src, &f.src_len, argv[0], true))
				return invarg(c, "from value is invalid\n", argv[0]);
			f.has_src = true;
		} else if (matches(argv[0], "protocol")) {
			NEXT_ARG();
			if (rt_proto_a2n(&v, argv[0])) {
				if (strcmp(argv[0], "all"))
					return invarg(c, "invalid \"protocol\"\n", argv[0]);
				f.protomask = false;
			} else {
				f.proto = (uint8_t)v;
				f.protomask = true;
			}
		} else {
			if (matches(argv[0], "dst") || matches(argv[0], "to"))
				NEXT_ARG();
			if (get_prefix_arg(c, argv[0], &f.dst, &f.dst_len, "inet"))
				return -EINVAL;
			f.has_dst = true;
		}
	}
	m = nlmsg_alloc_simple(RTM_GETRULE, NLM_F_DUMP);
	if (!m)
		return -ENOMEM;
	nlmsg_append(m, &frh, sizeof(frh), NLMSG_ALIGNTO);
	if (action == IPRULE_LIST) {
		new_json_obj(c->out, c->json, c->pretty);
		err = cli_request(c, m, print_rule, &f, false);
		delete_json_obj();
		return err;
	}
	err = cli_request(c, m, collect_rule, &f, false);
	if (!err)
		err = f.err;
	for (unsigned i = 0; i < f.ndel; i++) {
		struct nlmsghdr *h = f.del[i];

		if (!err) {
			struct nl_msg *d = nlmsg_alloc_simple(RTM_DELRULE, 0);

			if (!d) {
				err = -ENOMEM;
			} else {
				nlmsg_append(d, nlmsg_data(h), (size_t)nlmsg_datalen(h),
					     NLMSG_ALIGNTO);
				err = cli_request(c, d, NULL, NULL, false);
			}
		}
		free(h);
	}
	free(f.del);
	return err;
}

/* iprule_modify */
static int iprule_modify(struct cli_ctx *c, int cmd, int argc, char **argv)
{
	struct fib_rule_hdr frh = { .family = AF_INET, .action = FR_ACT_UNSPEC };
	bool table_ok = false, l3mdev_rule = false;
	uint32_t tid = 0, v;
	struct nl_msg *m;
	int flags = 0, err;

	if (cmd == RTM_NEWRULE) {
		if (argc == 0) {
			fprintf(c->err, "\"ip rule add\" requires arguments.\n");
			return -EINVAL;
		}
		flags = NLM_F_CREATE | NLM_F_EXCL;
		frh.action = FR_ACT_TO_TBL;
	}
	if (cmd == RTM_DELRULE && argc == 0) {
		fprintf(c->err, "\"ip rule del\" requires arguments.\n");
		return -EINVAL;
	}
	m = nlmsg_alloc_simple(cmd, flags);
	if (!m)
		return -ENOMEM;
	/* the header is written last: reserve its room now */
	nlmsg_append(m, &frh, sizeof(frh), NLMSG_ALIGNTO);
	err = -EINVAL;
	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "not")) {
			frh.flags |= FIB_RULE_INVERT;
		} else if (!strcmp(argv[0], "from") || !strcmp(argv[0], "to")) {
			bool from = argv[0][0] == 'f';
			uint32_t addr;
			int len;

			if (--argc <= 0) {
				err = incomplete_command(c);
				goto out_free;
			}
			argv++;
			if (get_prefix_arg(c, argv[0], &addr, &len, "any valid"))
				goto out_free;
			if (from)
				frh.src_len = (uint8_t)len;
			else
				frh.dst_len = (uint8_t)len;
			if (len)
				nla_put_u32(m, from ? FRA_SRC : FRA_DST, addr);
		} else if (matches(argv[0], "preference") || matches(argv[0], "order") ||
			   matches(argv[0], "priority")) {
			if (--argc <= 0) {
				err = incomplete_command(c);
				goto out_free;
			}
			argv++;
			if (get_u32(&v, argv[0], 0)) {
				err = invarg(c, "preference value is invalid\n", argv[0]);
				goto out_free;
			}
			nla_put_u32(m, FRA_PRIORITY, v);
		} else if (!strcmp(argv[0], "tos") || matches(argv[0], "dsfield")) {
			if (--argc <= 0) {
				err = incomplete_command(c);
				goto out_free;
			}
			argv++;
			if (dsfield_a2n(&v, argv[0])) {
				err = invarg(c, "TOS value is invalid\n", argv[0]);
				goto out_free;
			}
			frh.tos = (uint8_t)v;
		} else if (!strcmp(argv[0], "fwmark")) {
			char *slash;

			if (--argc <= 0) {
				err = incomplete_command(c);
				goto out_free;
			}
			argv++;
			slash = strchr(argv[0], '/');
			if (slash)
				*slash = '\0';
			if (get_u32(&v, argv[0], 0)) {
				err = invarg(c, "fwmark value is invalid\n", argv[0]);
				goto out_free;
			}
			nla_put_u32(m, FRA_FWMARK, v);
			if (slash) {
				if (get_u32(&v, slash + 1, 0)) {
					err = invarg(c, "fwmask value is invalid\n", slash + 1);
					goto out_free;
				}
				nla_put_u32(m, FRA_FWMASK, v);
			}
		} else if (matches(argv[0], "protocol")) {
			if (--argc <= 0) {
				err = incomplete_command(c);
				goto out_free;
			}
			argv++;
			if (rt_proto_a2n(&v, argv[0])) {
				err = invarg(c, "\"protocol\" value is invalid\n", argv[0]);
				goto out_free;
			}
			nla_put_u8(m, FRA_PROTOCOL, (uint8_t)v);
		} else if (matches(argv[0], "table") || !strcmp(argv[0], "lookup")) {
			if (--argc <= 0) {
				err = incomplete_command(c);
				goto out_free;
			}
			argv++;
			if (rt_table_a2n(&tid, argv[0])) {
				err = invarg(c, "invalid table ID\n", argv[0]);
				goto out_free;
			}
			if (tid < 256) {
				frh.table = (uint8_t)tid;
			} else {
				frh.table = RT_TABLE_UNSPEC;
				nla_put_u32(m, FRA_TABLE, tid);
			}
			table_ok = true;
		} else if (matches(argv[0], "suppress_prefixlength") || !strcmp(argv[0], "sup_pl")) {
			char *end;
			long pl;

			if (--argc <= 0) {
				err = incomplete_command(c);
				goto out_free;
			}
			argv++;
			pl = strtol(argv[0], &end, 0);
			if (!argv[0][0] || *end || pl < 0 || pl > INT32_MAX) {
				err = invarg(c, "suppress_prefixlength value is invalid\n", argv[0]);
				goto out_free;
			}
			nla_put_u32(m, FRA_SUPPRESS_PREFIXLEN, (uint32_t)pl);
		} else if (matches(argv[0], "suppress_ifgroup") || !strcmp(argv[0], "sup_group")) {
			if (--argc <= 0) {
				err = incomplete_command(c);
				goto out_free;
			}
			argv++;
			if (!strcmp(argv[0], "default"))
				v = 0;
			else if (get_u32(&v, argv[0], 0)) {
				err = invarg(c, "Invalid \"suppress_ifgroup\" value\n", argv[0]);
				goto out_free;
			}
			nla_put_u32(m, FRA_SUPPRESS_IFGROUP, v);
		} else if (!strcmp(argv[0], "l3mdev")) {
			/* the flow's VRF gives the table: no default one */
			nla_put_u8(m, FRA_L3MDEV, 1);
			table_ok = true;
			l3mdev_rule = true;
		} else if (!strcmp(argv[0], "dev") || !strcmp(argv[0], "iif") ||
			   !strcmp(argv[0], "oif")) {
			bool oif = argv[0][0] == 'o';

			if (--argc <= 0) {
				err = incomplete_command(c);
				goto out_free;
			}
			argv++;
			if (!ifname_ok(argv[0])) {
				err = invarg(c, oif ? "\"oif\" not a valid ifname" :
						      "\"iif\"/\"dev\" not a valid ifname",
					     argv[0]);
				goto out_free;
			}
			nla_put_string(m, oif ? FRA_OIFNAME : FRA_IFNAME, argv[0]);
		} else {
			int type;

			if (!strcmp(argv[0], "type")) {
				if (--argc <= 0) {
					err = incomplete_command(c);
					goto out_free;
				}
				argv++;
			}
			if (matches(argv[0], "help")) {
				nlmsg_free(m);
				return iprule_usage(c, c->out);
			} else if (matches(argv[0], "goto")) {
				type = FR_ACT_GOTO;
				if (--argc <= 0) {
					err = incomplete_command(c);
					goto out_free;
				}
				argv++;
				if (get_u32(&v, argv[0], 0)) {
					err = invarg(c, "invalid target\n", argv[0]);
					goto out_free;
				}
				nla_put_u32(m, FRA_GOTO, v);
			} else if (matches(argv[0], "nop")) {
				type = FR_ACT_NOP;
			} else if (rt_type_a2n(&type, argv[0])) {
				/* rtnl_rtntype_a2n: a name or a number */
				if (get_u32(&v, argv[0], 0) || v > 255) {
					err = invarg(c, "Failed to parse rule type", argv[0]);
					goto out_free;
				}
				type = (int)v;
			}
			frh.action = (uint8_t)type;
			table_ok = true;
		}
	}
	/* iprule_modify refuses it before the kernel would */
	if (l3mdev_rule && tid) {
		fprintf(c->err, "table can not be specified for l3mdev rules\n");
		err = -EINVAL;
		goto out_free;
	}
	if (!table_ok && cmd == RTM_NEWRULE)
		frh.table = RT_TABLE_MAIN;
	memcpy(nlmsg_data(nlmsg_hdr(m)), &frh, sizeof(frh));
	return cli_request(c, m, NULL, NULL, false);

out_free:
	nlmsg_free(m);
	return err;
}

static int do_add(struct cli_ctx *c, int argc, char **argv)
{
	return iprule_modify(c, RTM_NEWRULE, argc - 1, argv + 1);
}
static int do_del(struct cli_ctx *c, int argc, char **argv)
{
	return iprule_modify(c, RTM_DELRULE, argc - 1, argv + 1);
}
static int do_show(struct cli_ctx *c, int argc, char **argv)
{
	return iprule_list_flush(c, argc - 1, argv + 1, IPRULE_LIST);
}
static int do_flush(struct cli_ctx *c, int argc, char **argv)
{
	return iprule_list_flush(c, argc - 1, argv + 1, IPRULE_FLUSH);
}
static int do_help(struct cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return iprule_usage(c, c->out);
}

/* do_iprule's order: list, lst, show, add, delete, flush, help */
static const struct cmd iprule_cmds[] = {
	{ "list", do_show, "" },   { "lst", do_show, "" },     { "show", do_show, "" },
	{ "add", do_add, "" },	   { "delete", do_del, "" },   { "flush", do_flush, "" },
	{ "help", do_help, "" },   { NULL, NULL, NULL },
};

int cmd_ip_rule(struct cli_ctx *c, int argc, char **argv)
{
	if (argc < 2)
		return iprule_list_flush(c, 0, NULL, IPRULE_LIST);
	return cmd_dispatch(c, iprule_cmds, "ip rule", argc - 1, argv + 1);
}
