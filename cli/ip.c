// SPDX-License-Identifier: MIT
/*
 * `ip [OPTIONS] OBJECT { COMMAND | help }`, after iproute2's ip/ip.c: the
 * global options (-n NS, -j, -p, -s, -d, -4) come before the object and
 * may be combined in any order; the object is found by prefix in the same
 * order iproute2 uses, so `ip a`, `ip r`, `ip n`, `ip l` mean what they
 * mean there.
 */
#include <errno.h>
#include <string.h>

#include "ip_common.h"
#include "print.h"

static void ip_usage(struct cli_ctx *c, FILE *f)
{
	fprintf(f, "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n"
		   "where  OBJECT := { address | link | monitor | neighbour | netns | nexthop | route |\n"
		   "                   rule | vrf }\n"
		   "       OPTIONS := { -s[tatistics] | -d[etails] | -j[son] | -p[retty] |\n"
		   "                    -o[neline] | -br[ief] | -c[olor] | -n[etns] name | -4 }\n");
}

static int ip_help(struct cli_ctx *c, int argc, char **argv)
{
	ip_usage(c, c->out);
	return 0;
}

static const struct cmd ip_objects[] = {
	{ "address", cmd_ip_addr, "protocol (IPv4) addresses on devices" },
	{ "route", cmd_ip_route, "routing table entries" },
	{ "rule", cmd_ip_rule, "routing policy rules" },
	{ "neighbor", cmd_ip_neigh, "ARP entries" },
	{ "neighbour", cmd_ip_neigh, "ARP entries" },
	{ "link", cmd_ip_link, "network devices" },
	{ "netns", cmd_ip_netns, "namespaces" },
	{ "nexthop", cmd_ip_nexthop, "nexthop objects" },
	{ "vrf", cmd_ip_vrf, "VRF devices" },
	{ "monitor", cmd_ip_monitor, "watch for netlink messages" },
	{ "help", ip_help, "usage" },
	{ NULL, NULL, NULL },
};

_Thread_local bool ip_brief, ip_oneline;

int cmd_ip(struct cli_ctx *c, int argc, char **argv)
{
	int color = COLOR_OPT_NEVER;

	/* -br, -o and -c belong to this command only */
	ip_brief = ip_oneline = false;
	argc--;
	argv++;
	while (argc > 0 && argv[0][0] == '-') {
		const char *opt = argv[0] + 1;

		if (opt[0] == '-' && opt[1])
			opt++; /* --json works as -json, as in iproute2 */
		if (matches(opt, "netns") || !strcmp(opt, "n")) {
			if (argc < 2) {
				fprintf(c->err, "Option \"%s\" requires an argument\n", argv[0]);
				return -EINVAL;
			}
			c->ns = argv[1];
			argc--;
			argv++;
		} else if (matches(opt, "json")) {
			c->json = true;
		} else if (matches(opt, "pretty")) {
			c->pretty = true;
		} else if (matches(opt, "statistics") || matches(opt, "stats")) {
			c->stats = true;
			c->stats_level++;
		} else if (matches(opt, "details")) {
			c->details = true;
		} else if (matches(opt, "oneline")) {
			ip_oneline = true;
		} else if (opt[0] == 'b' && opt[1] == 'r' && matches(opt, "brief")) {
			ip_brief = true; /* "-b" alone is iproute2's -batch */
		} else if (matches_color(opt - 1, &color)) {
			/* -c, -color[=always|auto|never] */
		} else if (!strcmp(opt, "4") || !strcmp(opt, "family=inet")) {
			/* IPv4 is the only family: accepted for scripts */
		} else if (matches(opt, "help")) {
			ip_usage(c, c->out);
			return 0;
		} else {
			fprintf(c->err, "Option \"%s\" is unknown, try \"ip -help\".\n", argv[0]);
			return -EINVAL;
		}
		argc--;
		argv++;
	}
	print_set_oneline(ip_oneline);
	check_enable_color(color, c->json, c->out);
	if (argc < 1) {
		ip_usage(c, c->err);
		return -EINVAL;
	}
	if (c->ns && cli_check_ns(c))
		return -ENOENT;
	return cmd_dispatch(c, ip_objects, "ip", argc, argv);
}
