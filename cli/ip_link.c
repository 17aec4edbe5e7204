// SPDX-License-Identifier: MIT
/*
 * `ip link`: add (with link-kind plug-ins, link_veth.c; a kind without
 * options, such as dummy, needs none), set, delete, show;
 * and print_linkinfo(), the link header that `ip addr` shares, written
 * after iproute2 6.1 ip/ipaddress.c (print_linkinfo, print_link_flags,
 * print_link_stats64) so that the text and `-j` output are the same bytes.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "ip_common.h"
#include "print.h"

/* <net/if.h> stops at IFF_DYNAMIC; these are linux/if.h's values */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP (1 << 16)
#endif
#ifndef IFF_DORMANT
#define IFF_DORMANT (1 << 17)
#endif
#ifndef IFF_ECHO
#define IFF_ECHO (1 << 18)
#endif
#ifndef IFALIASZ
#define IFALIASZ 256 /* linux/if.h */
#endif

static const struct link_util *link_utils[] = { &veth_link_util, &tap_link_util,
						&tun_link_util, &vrf_link_util };

static const struct link_util *link_util_get(const char *kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(link_utils); i++)
		if (!strcmp(link_utils[i]->id, kind))
			return link_utils[i];
	return NULL;
}

static int iplink_usage(struct cli_ctx *c, FILE *f)
{
	fprintf(f, "Usage: ip link add [ name ] NAME [ mtu MTU ] [ address LLADDR ] [ netns NS ]\n"
		   "                   [ master DEVICE | vrf NAME ]\n"
		   "                   type TYPE [ ARGS ]\n"
		   "       ip link delete { DEVICE | dev DEVICE }\n"
		   "       ip link set { DEVICE | dev DEVICE } [ { up | down } ] [ mtu MTU ]\n"
		   "                   [ name NEWNAME ] [ address LLADDR ] [ txqlen N ]\n"
		   "                   [ alias NAME ] [ master DEVICE ] [ nomaster ]\n"
		   "                   [ vrf NAME ]\n"
		   "       ip link show [ [dev] DEVICE ] [ up ] [ type TYPE ] [ master DEVICE ]\n"
		   "                    [ vrf NAME ]\n"
		   "       ip link help [ TYPE ]\n"
		   "TYPE := { veth | tap | tun | dummy | vrf }\n");
	return f == c->out ? 0 : -EINVAL;
}

/* iplink_parse's alias: IFLA_IFALIAS without a NUL, as iproute2 sends it
 * (the kernel's limit is IFALIASZ - 1 bytes; ip refuses longer itself). */
static int iplink_put_alias(struct cli_ctx *c, struct nl_msg *m, const char *alias)
{
	size_t len = strlen(alias);

	if (len >= IFALIASZ)
		return invarg(c, "alias too long\n", alias);
	nla_put(m, IFLA_IFALIAS, (int)len, alias);
	return 0;
}

int iplink_parse(struct cli_ctx *c, int argc, char **argv, struct nl_msg *m,
		 struct ifinfomsg *ifi, const char **name, const char **kind)
{
	int argc0 = argc;
	uint32_t v;
	uint8_t mac[6];

	*name = NULL;
	while (argc > 0) {
		if (!strcmp(argv[0], "type")) {
			NEXT_ARG();
			*kind = argv[0];
			argc--;
			argv++;
			break;
		} else if (!strcmp(argv[0], "name") || !strcmp(argv[0], "dev")) {
			NEXT_ARG();
			if (*name)
				return duparg2(c, "name", argv[0]);
			*name = argv[0];
		} else if (!strcmp(argv[0], "up")) {
			ifi->ifi_change |= IFF_UP;
			ifi->ifi_flags |= IFF_UP;
		} else if (!strcmp(argv[0], "down")) {
			ifi->ifi_change |= IFF_UP;
			ifi->ifi_flags &= ~IFF_UP;
		} else if (!strcmp(argv[0], "mtu")) {
			NEXT_ARG();
			if (get_u32(&v, argv[0], 0))
				return invarg(c, "Invalid \"mtu\" value\n", argv[0]);
			nla_put_u32(m, IFLA_MTU, v);
		} else if (matches(argv[0], "address")) {
			NEXT_ARG();
			if (get_mac(mac, argv[0])) {
				fprintf(c->err, "Error: \"%s\" is not a valid link address.\n", argv[0]);
				return -EINVAL;
			}
			nla_put(m, IFLA_ADDRESS, 6, mac);
		} else if (matches(argv[0], "txqueuelen") || !strcmp(argv[0], "txqlen")) {
			NEXT_ARG();
			if (get_u32(&v, argv[0], 0))
				return invarg(c, "Invalid \"txqueuelen\" value\n", argv[0]);
			nla_put_u32(m, IFLA_TXQLEN, v);
		} else if (!strcmp(argv[0], "alias")) {
			NEXT_ARG();
			if (iplink_put_alias(c, m, argv[0]))
				return -EINVAL;
		} else if (!strcmp(argv[0], "master") || !strcmp(argv[0], "vrf")) {
			bool vrf = argv[0][0] == 'v';
			int ifindex;

			NEXT_ARG();
			ifindex = cli_ifindex(c, argv[0]);
			if (ifindex <= 0 || (vrf && !cli_name_is_vrf(c, argv[0])))
				return invarg(c, vrf ? "Not a valid VRF name\n" : "Device does not exist\n",
					      argv[0]);
			nla_put_u32(m, IFLA_MASTER, (uint32_t)ifindex);
		} else if (!strcmp(argv[0], "netns")) {
			NEXT_ARG();
			/* IFLA_NET_NS_PID carries the nsemu namespace id (notes §4) */
			if (cli_ns_id(c, argv[0], &v)) {
				fprintf(c->err, "Invalid \"netns\" value \"%s\"\n", argv[0]);
				return -EINVAL;
			}
			nla_put_u32(m, IFLA_NET_NS_PID, v);
		} else {
			if (*name)
				return duparg2(c, "name", argv[0]);
			*name = argv[0];
		}
		argc--;
		argv++;
	}
	if (*name && strlen(*name) >= IFNAMSIZ)
		return invarg(c, "\"name\" not a valid ifname", *name);
	return argc0 - argc;
}

static int iplink_add(struct cli_ctx *c, int argc, char **argv)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	const char *name = NULL, *kind = NULL;
	const struct link_util *lu = NULL;
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *linkinfo;
	int n;

	if (!m)
		return -ENOMEM;
	nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	n = iplink_parse(c, argc, argv, m, nlmsg_data(nlmsg_hdr(m)), &name, &kind);
	if (n < 0)
		goto err;
	argc -= n;
	argv += n;
	if (!kind) {
		fprintf(c->err, "Not enough information: \"type\" argument is required\n");
		n = -EINVAL;
		goto err;
	}
	if (name)
		nla_put_string(m, IFLA_IFNAME, name);
	linkinfo = nla_nest_start(m, IFLA_LINKINFO);
	nla_put_string(m, IFLA_INFO_KIND, kind);
	lu = link_util_get(kind);
	if (lu) {
		n = lu->parse_opt(c, argc, argv, m);
		if (n < 0)
			goto err;
	} else if (argc > 0) {
		fprintf(c->err, "Garbage instead of arguments \"%s ...\". Try \"ip link help\".\n",
			argv[0]);
		n = -EINVAL;
		goto err;
	}
	nla_nest_end(m, linkinfo);
	return cli_request(c, m, NULL, NULL, false);
err:
	nlmsg_free(m);
	return n;
}

static int iplink_set(struct cli_ctx *c, int argc, char **argv)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	const char *dev = NULL, *newname = NULL;
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWLINK, 0);
	uint8_t mac[6];
	uint32_t v;
	int err = -EINVAL;

	if (!m)
		return -ENOMEM;
	/* attributes go after the header, which is filled in last */
	nlmsg_reserve(m, sizeof(ifi), NLMSG_ALIGNTO);
	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "up")) {
			ifi.ifi_change |= IFF_UP;
			ifi.ifi_flags |= IFF_UP;
		} else if (!strcmp(argv[0], "down")) {
			ifi.ifi_change |= IFF_UP;
			ifi.ifi_flags &= ~IFF_UP;
		} else if (!strcmp(argv[0], "mtu")) {
			if (argc < 2)
				goto incomplete;
			argc--, argv++;
			if (get_u32(&v, argv[0], 0)) {
				invarg(c, "Invalid \"mtu\" value\n", argv[0]);
				goto out;
			}
			nla_put_u32(m, IFLA_MTU, v);
		} else if (!strcmp(argv[0], "name")) {
			if (argc < 2)
				goto incomplete;
			argc--, argv++;
			if (strlen(argv[0]) >= IFNAMSIZ || !*argv[0]) {
				invarg(c, "\"name\" not a valid ifname", argv[0]);
				goto out;
			}
			newname = argv[0];
		} else if (matches(argv[0], "address")) {
			if (argc < 2)
				goto incomplete;
			argc--, argv++;
			if (get_mac(mac, argv[0])) {
				fprintf(c->err, "Error: \"%s\" is not a valid link address.\n", argv[0]);
				goto out;
			}
			nla_put(m, IFLA_ADDRESS, 6, mac);
		} else if (matches(argv[0], "txqueuelen") || !strcmp(argv[0], "txqlen")) {
			if (argc < 2)
				goto incomplete;
			argc--, argv++;
			if (get_u32(&v, argv[0], 0)) {
				invarg(c, "Invalid \"txqueuelen\" value\n", argv[0]);
				goto out;
			}
			nla_put_u32(m, IFLA_TXQLEN, v);
		} else if (!strcmp(argv[0], "alias")) {
			if (argc < 2)
				goto incomplete;
			argc--, argv++;
			if (iplink_put_alias(c, m, argv[0]))
				goto out;
		} else if (!strcmp(argv[0], "master") || !strcmp(argv[0], "vrf")) {
			bool vrf = argv[0][0] == 'v';
			int ifindex;

			if (argc < 2)
				goto incomplete;
			argc--, argv++;
			/* iplink_parse: the name must be a device here (and, for
			 * `vrf`, a VRF: name_is_vrf) */
			ifindex = cli_ifindex(c, argv[0]);
			if (ifindex <= 0 || (vrf && !cli_name_is_vrf(c, argv[0]))) {
				invarg(c, vrf ? "Not a valid VRF name\n" : "Device does not exist\n",
				       argv[0]);
				goto out;
			}
			nla_put_u32(m, IFLA_MASTER, (uint32_t)ifindex);
		} else if (matches(argv[0], "nomaster")) {
			nla_put_u32(m, IFLA_MASTER, 0);
		} else if (!strcmp(argv[0], "carrier")) {
			if (argc < 2)
				goto incomplete;
			argc--, argv++;
			/* parse_on_off */
			if (strcmp(argv[0], "on") && strcmp(argv[0], "off")) {
				fprintf(c->err, "Error: argument of \"carrier\" must be one of \"off\", "
						"\"on\", not \"%s\"\n", argv[0]);
				goto out;
			}
			nla_put_u8(m, IFLA_CARRIER, !strcmp(argv[0], "on"));
		} else {
			if (!strcmp(argv[0], "dev")) {
				if (argc < 2)
					goto incomplete;
				argc--, argv++;
			}
			if (dev) {
				duparg2(c, "dev", argv[0]);
				goto out;
			}
			dev = argv[0];
		}
	}
	if (!dev) {
		fprintf(c->err, "Not enough information: \"dev\" argument is required.\n");
		goto out;
	}
	err = cli_ifindex(c, dev);
	if (err < 0) {
		fprintf(c->err, "Cannot find device \"%s\"\n", dev);
		goto out;
	}
	ifi.ifi_index = err;
	if (newname)
		nla_put_string(m, IFLA_IFNAME, newname);
	memcpy(nlmsg_data(nlmsg_hdr(m)), &ifi, sizeof(ifi));
	return cli_request(c, m, NULL, NULL, false);
incomplete:
	incomplete_command(c);
out:
	nlmsg_free(m);
	return err < 0 ? err : -EINVAL;
}

static int iplink_del(struct cli_ctx *c, int argc, char **argv)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *m;
	const char *dev;

	if (argc > 0 && !strcmp(argv[0], "dev"))
		argc--, argv++;
	if (argc < 1) {
		fprintf(c->err, "Not enough information: \"dev\" argument is required.\n");
		return -EINVAL;
	}
	if (argc > 1)
		return duparg2(c, "dev", argv[1]);
	dev = argv[0];
	ifi.ifi_index = cli_ifindex(c, dev);
	if (ifi.ifi_index < 0) {
		fprintf(c->err, "Cannot find device \"%s\"\n", dev);
		return -ENODEV;
	}
	m = nlmsg_alloc_simple(RTM_DELLINK, 0);
	if (!m)
		return -ENOMEM;
	nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	return cli_request(c, m, NULL, NULL, false);
}

/* ---- printing ---- */

static const char *const oper_states[] = { "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN",
					   "TESTING", "DORMANT", "UP" };

static void print_link_flags(unsigned flags, bool mdown)
{
	open_json_array(PRINT_ANY, is_json_context() ? "flags" : "<");
	if ((flags & IFF_UP) && !(flags & IFF_RUNNING))
		print_string(PRINT_ANY, NULL, flags ? "%s," : "%s", "NO-CARRIER");
	flags &= ~IFF_RUNNING;
#define _PF(f)                                                                                     \
	if (flags & IFF_##f) {                                                                     \
		flags &= ~IFF_##f;                                                                 \
		print_string(PRINT_ANY, NULL, flags ? "%s," : "%s", #f);                          \
	}
	_PF(LOOPBACK) _PF(BROADCAST) _PF(POINTOPOINT) _PF(MULTICAST) _PF(NOARP) _PF(ALLMULTI)
	_PF(PROMISC) _PF(MASTER) _PF(SLAVE) _PF(DEBUG) _PF(DYNAMIC) _PF(AUTOMEDIA) _PF(PORTSEL)
	_PF(NOTRAILERS) _PF(UP) _PF(LOWER_UP) _PF(DORMANT) _PF(ECHO)
#undef _PF
	if (flags)
		print_uint(PRINT_ANY, NULL, "%x", flags);
	if (mdown)
		print_string(PRINT_ANY, NULL, ",%s", "M-DOWN");
	close_json_array(PRINT_ANY, "> ");
}

/* iproute2 size_columns(): widen a column to fit its largest value. */
static void size_col(unsigned *col, uint64_t v)
{
	unsigned n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	if (n > *col)
		*col = n;
}

static void print_num(FILE *f, unsigned w, uint64_t v)
{
	fprintf(f, "%*" PRIu64 " ", (int)w, v);
}

static void print_link_stats(struct cli_ctx *c, const struct rtnl_link_stats64 *s,
			     const struct nlattr *carrier_changes)
{
	uint32_t cc = carrier_changes ? nla_get_u32((struct nlattr *)carrier_changes) : 0;
	unsigned cols[] = { 10, 7, 6, 7, 7, 7, 10, 9 };
	FILE *f = print_fp();

	if (is_json_context()) {
		open_json_object("stats64");
		open_json_object("rx");
		print_u64(PRINT_JSON, "bytes", NULL, s->rx_bytes);
		print_u64(PRINT_JSON, "packets", NULL, s->rx_packets);
		print_u64(PRINT_JSON, "errors", NULL, s->rx_errors);
		print_u64(PRINT_JSON, "dropped", NULL, s->rx_dropped);
		print_u64(PRINT_JSON, "over_errors", NULL, s->rx_over_errors);
		print_u64(PRINT_JSON, "multicast", NULL, s->multicast);
		if (c->stats_level > 1) {
			print_u64(PRINT_JSON, "length_errors", NULL, s->rx_length_errors);
			print_u64(PRINT_JSON, "crc_errors", NULL, s->rx_crc_errors);
			print_u64(PRINT_JSON, "frame_errors", NULL, s->rx_frame_errors);
			print_u64(PRINT_JSON, "fifo_errors", NULL, s->rx_fifo_errors);
			print_u64(PRINT_JSON, "missed_errors", NULL, s->rx_missed_errors);
			if (s->rx_nohandler)
				print_u64(PRINT_JSON, "nohandler", NULL, s->rx_nohandler);
		}
		close_json_object();
		open_json_object("tx");
		print_u64(PRINT_JSON, "bytes", NULL, s->tx_bytes);
		print_u64(PRINT_JSON, "packets", NULL, s->tx_packets);
		print_u64(PRINT_JSON, "errors", NULL, s->tx_errors);
		print_u64(PRINT_JSON, "dropped", NULL, s->tx_dropped);
		print_u64(PRINT_JSON, "carrier_errors", NULL, s->tx_carrier_errors);
		print_u64(PRINT_JSON, "collisions", NULL, s->collisions);
		if (c->stats_level > 1) {
			print_u64(PRINT_JSON, "aborted_errors", NULL, s->tx_aborted_errors);
			print_u64(PRINT_JSON, "fifo_errors", NULL, s->tx_fifo_errors);
			print_u64(PRINT_JSON, "window_errors", NULL, s->tx_window_errors);
			print_u64(PRINT_JSON, "heartbeat_errors", NULL, s->tx_heartbeat_errors);
			if (carrier_changes)
				print_uint(PRINT_JSON, "carrier_changes", NULL, cc);
		}
		close_json_object();
		close_json_object();
		return;
	}
	size_col(&cols[0], s->rx_bytes), size_col(&cols[1], s->rx_packets);
	size_col(&cols[2], s->rx_errors), size_col(&cols[3], s->rx_dropped);
	size_col(&cols[4], s->rx_missed_errors), size_col(&cols[5], s->multicast);
	size_col(&cols[7], s->rx_nohandler);
	size_col(&cols[0], s->tx_bytes), size_col(&cols[1], s->tx_packets);
	size_col(&cols[2], s->tx_errors), size_col(&cols[3], s->tx_dropped);
	size_col(&cols[4], s->tx_carrier_errors), size_col(&cols[5], s->collisions);
	if (c->stats_level > 1) {
		size_col(&cols[1], s->rx_length_errors), size_col(&cols[2], s->rx_crc_errors);
		size_col(&cols[3], s->rx_frame_errors), size_col(&cols[4], s->rx_fifo_errors);
		size_col(&cols[5], s->rx_over_errors);
		size_col(&cols[1], s->tx_aborted_errors), size_col(&cols[2], s->tx_fifo_errors);
		size_col(&cols[3], s->tx_window_errors), size_col(&cols[4], s->tx_heartbeat_errors);
		size_col(&cols[5], cc);
	}
	/* lines inside the record end in print_sl() ("\\" under -o) */
	fprintf(f, "    RX: %*s %*s %*s %*s %*s %*s %*s%s%s", cols[0] - 4, "bytes", cols[1],
		"packets", cols[2], "errors", cols[3], "dropped", cols[4], "missed", cols[5],
		"mcast", cols[6], "", s->rx_nohandler ? " nohandler" : "", print_sl());
	fprintf(f, "    ");
	print_num(f, cols[0], s->rx_bytes), print_num(f, cols[1], s->rx_packets);
	print_num(f, cols[2], s->rx_errors), print_num(f, cols[3], s->rx_dropped);
	print_num(f, cols[4], s->rx_missed_errors), print_num(f, cols[5], s->multicast);
	if (s->rx_nohandler)
		print_num(f, cols[7], s->rx_nohandler);
	fputs(print_sl(), f);
	if (c->stats_level > 1) {
		fprintf(f, "    RX errors:%*s %*s %*s %*s %*s %*s%s", cols[0] - 10, "", cols[1],
			"length", cols[2], "crc", cols[3], "frame", cols[4], "fifo", cols[5], "overrun",
			print_sl());
		fprintf(f, "    %*s ", cols[0], "");
		print_num(f, cols[1], s->rx_length_errors), print_num(f, cols[2], s->rx_crc_errors);
		print_num(f, cols[3], s->rx_frame_errors), print_num(f, cols[4], s->rx_fifo_errors);
		print_num(f, cols[5], s->rx_over_errors);
		fputs(print_sl(), f);
	}
	fprintf(f, "    TX: %*s %*s %*s %*s %*s %*s %*s%s", cols[0] - 4, "bytes", cols[1],
		"packets", cols[2], "errors", cols[3], "dropped", cols[4], "carrier", cols[5],
		"collsns", cols[6], "", print_sl());
	fprintf(f, "    ");
	print_num(f, cols[0], s->tx_bytes), print_num(f, cols[1], s->tx_packets);
	print_num(f, cols[2], s->tx_errors), print_num(f, cols[3], s->tx_dropped);
	print_num(f, cols[4], s->tx_carrier_errors), print_num(f, cols[5], s->collisions);
	fputs(c->stats_level > 1 ? print_sl() : "\n", f);
	if (c->stats_level > 1) {
		fprintf(f, "    TX errors:%*s %*s %*s %*s %*s %*s%s", cols[0] - 10, "", cols[1],
			"aborted", cols[2], "fifo", cols[3], "window", cols[4], "heartbt", cols[5],
			"transns", print_sl());
		fprintf(f, "    %*s ", cols[0], "");
		print_num(f, cols[1], s->tx_aborted_errors), print_num(f, cols[2], s->tx_fifo_errors);
		print_num(f, cols[3], s->tx_window_errors);
		print_num(f, cols[4], s->tx_heartbeat_errors), print_num(f, cols[5], cc);
		fprintf(f, "\n");
	}
}

/*
 * print_name_and_link: "NAME", "NAME@PEER" or "NAME@ifN" (a peer in another
 * namespace) printed with @fmt in the interface colour; JSON has "link" (or
 * "link_index") before "ifname". Returns the M-DOWN flag: the peer is down.
 */
static bool print_name_and_link(const char *fmt, struct ifinfomsg *ifi, struct nlattr **tb)
{
	const char *name = nla_get_string(tb[IFLA_IFNAME]);
	char buf[IFNAMSIZ * 2 + 16];
	bool mdown = false;

	if (tb[IFLA_LINK]) {
		int iflink = (int)nla_get_u32(tb[IFLA_LINK]);

		if (tb[IFLA_LINK_NETNSID]) {
			print_int(PRINT_JSON, "link_index", NULL, iflink);
			snprintf(buf, sizeof(buf), "%s@if%d", name, iflink);
			name = is_json_context() ? name : buf;
		} else if (iflink && iflink != ifi->ifi_index) {
			print_string(PRINT_JSON, "link", NULL, ll_index_to_name(iflink));
			snprintf(buf, sizeof(buf), "%s@%s", name, ll_index_to_name(iflink));
			name = is_json_context() ? name : buf;
			mdown = !(ll_index_to_flags(iflink) & IFF_UP);
		}
	}
	print_color_string(PRINT_ANY, COLOR_IFNAME, "ifname", fmt, name);
	return mdown;
}

/* print_operstate: "state UP " (or, brief, a 14-wide column), UP green
 * and DOWN red under -c. */
static void print_operstate(uint8_t st)
{
	enum color_attr col = st == 6 ? COLOR_OPERSTATE_UP : st == 2 ? COLOR_OPERSTATE_DOWN
								    : COLOR_NONE;

	if (st >= ARRAY_SIZE(oper_states)) {
		print_uint(PRINT_ANY, "operstate", "state %#x ", st);
	} else if (ip_brief) {
		print_color_string(PRINT_ANY, col, "operstate", "%-14s ", oper_states[st]);
	} else {
		print_string(PRINT_FP, NULL, "state ", NULL);
		print_color_string(PRINT_ANY, col, "operstate", "%s ", oper_states[st]);
	}
}

/* `ip -br link` (and the start of an `ip -br addr` line): name, state,
 * and for links the MAC and flags. */
int print_linkinfo_brief(struct cli_ctx *c, struct nlmsghdr *nlh, bool addr_mode)
{
	struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg *ifi = nlmsg_data(nlh);
	char buf[64];
	bool mdown;

	if (nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0 || !tb[IFLA_IFNAME])
		return -1;
	mdown = print_name_and_link("%-16s ", ifi, tb);
	if (tb[IFLA_OPERSTATE])
		print_operstate(nla_get_u8(tb[IFLA_OPERSTATE]));
	if (addr_mode)
		return 0;
	if (tb[IFLA_ADDRESS])
		print_color_string(PRINT_ANY, COLOR_MAC, "address", "%s ",
				   fmt_mac(nla_data(tb[IFLA_ADDRESS]), nla_len(tb[IFLA_ADDRESS]), buf,
					   sizeof(buf)));
	print_link_flags(ifi->ifi_flags, mdown);
	print_string(PRINT_FP, NULL, "%s", "\n");
	return 0;
}

/* print_linktype: the kind and its data, then what the master's kind
 * says of this port ("vrf_slave table 10"). */
static void print_linktype(struct nlattr **li)
{
	const struct link_util *lu;

	open_json_object("linkinfo");
	if (li[IFLA_INFO_KIND]) {
		const char *kind = nla_get_string(li[IFLA_INFO_KIND]);

		print_nl();
		print_string(PRINT_ANY, "info_kind", "    %s ", kind);
		lu = link_util_get(kind);
		if (lu && lu->print_opt) {
			open_json_object("info_data");
			lu->print_opt(li[IFLA_INFO_DATA]);
			close_json_object();
		}
	}
	if (li[IFLA_INFO_SLAVE_KIND]) {
		const char *kind = nla_get_string(li[IFLA_INFO_SLAVE_KIND]);

		print_nl();
		print_string(PRINT_ANY, "info_slave_kind", "    %s_slave ", kind);
		lu = link_util_get(kind);
		if (lu && lu->slave_print_opt) {
			open_json_object("info_slave_data");
			lu->slave_print_opt(li[IFLA_INFO_SLAVE_DATA]);
			close_json_object();
		}
	}
	close_json_object();
}

int print_linkinfo(struct cli_ctx *c, struct nlmsghdr *nlh, enum linkinfo_mode mode)
{
	bool addr_mode = mode != LI_LINK;

	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	struct ifinfomsg *ifi = nlmsg_data(nlh);
	char buf[64], nsname[64];
	bool mdown;

	if (nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0 || !tb[IFLA_IFNAME])
		return 0;
	print_uint(PRINT_ANY, "ifindex", "%u: ", (unsigned)ifi->ifi_index);
	mdown = print_name_and_link("%s: ", ifi, tb);
	print_link_flags(ifi->ifi_flags, mdown);
	if (tb[IFLA_MTU])
		print_uint(PRINT_ANY, "mtu", "mtu %u ", nla_get_u32(tb[IFLA_MTU]));
	if (tb[IFLA_QDISC])
		print_string(PRINT_ANY, "qdisc", "qdisc %s ", nla_get_string(tb[IFLA_QDISC]));
	if (tb[IFLA_MASTER])
		print_string(PRINT_ANY, "master", "master %s ",
			     ll_index_to_name((int)nla_get_u32(tb[IFLA_MASTER])));
	if (tb[IFLA_OPERSTATE])
		print_operstate(nla_get_u8(tb[IFLA_OPERSTATE]));
	if (!addr_mode && tb[IFLA_LINKMODE])
		print_string(PRINT_ANY, "linkmode", "mode %s ",
			     nla_get_u8(tb[IFLA_LINKMODE]) ? "DORMANT" : "DEFAULT");
	if (tb[IFLA_GROUP]) {
		uint32_t g = nla_get_u32(tb[IFLA_GROUP]);

		if (g)
			print_uint(PRINT_ANY, "group", "group %u ", g);
		else
			print_string(PRINT_ANY, "group", "group %s ", "default");
	}
	if (tb[IFLA_TXQLEN] && mode != LI_MONITOR)
		print_uint(PRINT_ANY, "txqlen", "qlen %u", nla_get_u32(tb[IFLA_TXQLEN]));
	print_nl();
	print_string(PRINT_ANY, "link_type", "    link/%s ",
		     ifi->ifi_type == 772 ? "loopback" : ifi->ifi_type == 1 ? "ether" : "none");
	if (tb[IFLA_ADDRESS])
		print_color_string(PRINT_ANY, COLOR_MAC, "address", "%s",
				   fmt_mac(nla_data(tb[IFLA_ADDRESS]), nla_len(tb[IFLA_ADDRESS]),
					   buf, sizeof(buf)));
	if (tb[IFLA_BROADCAST]) {
		print_string(PRINT_FP, NULL, " brd ", NULL);
		print_color_string(PRINT_ANY, COLOR_MAC, "broadcast", "%s",
				   fmt_mac(nla_data(tb[IFLA_BROADCAST]),
					   nla_len(tb[IFLA_BROADCAST]), buf, sizeof(buf)));
	}
	if (tb[IFLA_LINK_NETNSID]) {
		uint32_t id = nla_get_u32(tb[IFLA_LINK_NETNSID]);

		if (is_json_context())
			print_int(PRINT_JSON, "link_netnsid", NULL, (int)id);
		else if (!cli_ns_name(c, id, nsname, sizeof(nsname)) && nsname[0])
			print_string(PRINT_FP, NULL, " link-netns %s", nsname);
		else
			print_int(PRINT_FP, NULL, " link-netnsid %d", (int)id);
	}
	if (c->details) {
		if (tb[IFLA_PROMISCUITY])
			print_uint(PRINT_ANY, "promiscuity", " promiscuity %u ",
				   nla_get_u32(tb[IFLA_PROMISCUITY]));
		if (tb[IFLA_ALLMULTI])
			print_uint(PRINT_ANY, "allmulti", " allmulti %u ",
				   nla_get_u32(tb[IFLA_ALLMULTI]));
		if (tb[IFLA_MIN_MTU])
			print_uint(PRINT_ANY, "min_mtu", "minmtu %u ", nla_get_u32(tb[IFLA_MIN_MTU]));
		if (tb[IFLA_MAX_MTU])
			print_uint(PRINT_ANY, "max_mtu", "maxmtu %u ", nla_get_u32(tb[IFLA_MAX_MTU]));
		if (tb[IFLA_LINKINFO] &&
		    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) >= 0)
			print_linktype(li);
		if (tb[IFLA_NUM_TX_QUEUES])
			print_uint(PRINT_ANY, "num_tx_queues", "numtxqueues %u ",
				   nla_get_u32(tb[IFLA_NUM_TX_QUEUES]));
		if (tb[IFLA_NUM_RX_QUEUES])
			print_uint(PRINT_ANY, "num_rx_queues", "numrxqueues %u ",
				   nla_get_u32(tb[IFLA_NUM_RX_QUEUES]));
	}
	/* iproute2 prints the alias for `ip link` (do_link) or with -d */
	if ((!addr_mode || c->details) && tb[IFLA_IFALIAS]) {
		print_string(PRINT_FP, NULL, "%s    ", print_sl());
		print_string(PRINT_ANY, "ifalias", "alias %s", nla_get_string(tb[IFLA_IFALIAS]));
	}
	if (!addr_mode && c->stats) {
		struct rtnl_link_stats64 s = { 0 };

		/* ip zero-fills a short payload (get_rtnl_link_stats_rta) */
		if (tb[IFLA_STATS64])
			memcpy(&s, nla_data(tb[IFLA_STATS64]),
			       MIN(sizeof(s), (size_t)nla_len(tb[IFLA_STATS64])));
		print_nl();
		print_link_stats(c, &s, tb[IFLA_CARRIER_CHANGES]);
		return 0;
	}
	print_string(PRINT_FP, NULL, "%s", "\n");
	return 0;
}

struct link_filter {
	int ifindex;
	bool up;
	const char *kind;
	int master; /* `master DEV` / `vrf NAME`: its ports only; 0 any */
};

/* Does the link pass `ip link show` filters (dev, up, type)? */
static bool link_match(struct nlmsghdr *nlh, const struct link_filter *f)
{
	struct ifinfomsg *ifi = nlmsg_data(nlh);
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];

	if (f->ifindex && ifi->ifi_index != f->ifindex)
		return false;
	if (f->up && !(ifi->ifi_flags & IFF_UP))
		return false;
	if (f->master) {
		if (nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0 || !tb[IFLA_MASTER] ||
		    (int)nla_get_u32(tb[IFLA_MASTER]) != f->master)
			return false;
	}
	if (f->kind) {
		if (nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0 || !tb[IFLA_LINKINFO] ||
		    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 ||
		    !li[IFLA_INFO_KIND] || strcmp(nla_get_string(li[IFLA_INFO_KIND]), f->kind))
			return false;
	}
	return true;
}

static int link_show_cb(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	if (nlh->nlmsg_type != RTM_NEWLINK || nlmsg_datalen(nlh) < (int)sizeof(struct ifinfomsg))
		return 0;
	if (!link_match(nlh, arg))
		return 0;
	open_json_object(NULL);
	if (ip_brief)
		print_linkinfo_brief(c, nlh, false);
	else
		print_linkinfo(c, nlh, LI_LINK);
	close_json_object();
	return 0;
}

static int iplink_show(struct cli_ctx *c, int argc, char **argv)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct link_filter f = { 0 };
	const char *dev = NULL;
	struct nl_msg *m;
	int err;

	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "up")) {
			f.up = true;
		} else if (!strcmp(argv[0], "type")) {
			NEXT_ARG();
			f.kind = argv[0];
		} else if (!strcmp(argv[0], "master") || !strcmp(argv[0], "vrf")) {
			bool vrf = argv[0][0] == 'v';

			NEXT_ARG();
			f.master = cli_ifindex(c, argv[0]);
			if (f.master <= 0)
				return invarg(c, "Device does not exist\n", argv[0]);
			if (vrf && !cli_name_is_vrf(c, argv[0]))
				return invarg(c, "Not a valid VRF name\n", argv[0]);
		} else {
			if (!strcmp(argv[0], "dev"))
				NEXT_ARG();
			if (dev)
				return duparg2(c, "dev", argv[0]);
			dev = argv[0];
		}
	}
	err = ll_init_map(c);
	if (err)
		return cli_request(c, nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP), NULL, NULL, false);
	if (dev) {
		f.ifindex = cli_ifindex(c, dev);
		if (f.ifindex < 0) {
			fprintf(c->err, "Device \"%s\" does not exist.\n", dev);
			return -ENODEV;
		}
	}
	m = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
	if (!m)
		return -ENOMEM;
	nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	new_json_obj(c->out, c->json, c->pretty);
	err = cli_request(c, m, link_show_cb, &f, false);
	delete_json_obj();
	return err;
}

static int iplink_help(struct cli_ctx *c, int argc, char **argv)
{
	const struct link_util *lu = argc > 1 ? link_util_get(argv[1]) : NULL;

	if (lu) {
		lu->print_help(c->out);
		return 0;
	}
	return iplink_usage(c, c->out);
}

static int do_add(struct cli_ctx *c, int argc, char **argv)
{
	return iplink_add(c, argc - 1, argv + 1);
}
static int do_set(struct cli_ctx *c, int argc, char **argv)
{
	return iplink_set(c, argc - 1, argv + 1);
}
static int do_del(struct cli_ctx *c, int argc, char **argv)
{
	return iplink_del(c, argc - 1, argv + 1);
}
static int do_show(struct cli_ctx *c, int argc, char **argv)
{
	return iplink_show(c, argc - 1, argv + 1);
}

static const struct cmd iplink_cmds[] = {
	{ "add", do_add, "" },	  { "set", do_set, "" },   { "change", do_set, "" },
	{ "delete", do_del, "" }, { "show", do_show, "" }, { "list", do_show, "" },
	{ "lst", do_show, "" },	  { "help", iplink_help, "" }, { NULL, NULL, NULL },
};

int cmd_ip_link(struct cli_ctx *c, int argc, char **argv)
{
	if (argc < 2)
		return iplink_show(c, 0, NULL);
	return cmd_dispatch(c, iplink_cmds, "ip link", argc - 1, argv + 1);
}
