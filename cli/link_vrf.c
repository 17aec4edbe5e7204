// SPDX-License-Identifier: MIT
/*
 * The vrf plug-in of `ip link` (iproute2 ip/iplink_vrf.c): `type vrf table
 * TABLE` becomes IFLA_INFO_DATA { IFLA_VRF_TABLE }; `ip -d link` prints
 * "vrf table N" for the VRF and "vrf_slave table N" for its ports.
 */
#include <errno.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "ip_common.h"
#include "print.h"

static void vrf_print_help(FILE *f)
{
	fprintf(f, "Usage: ... vrf table TABLEID\n");
}

static int vrf_parse_opt(struct cli_ctx *c, int argc, char **argv, struct nl_msg *m)
{
	struct nlattr *data = nla_nest_start(m, IFLA_INFO_DATA);
	uint32_t table;

	if (!data)
		return -ENOMEM;
	for (; argc > 0; argc--, argv++) {
		if (matches(argv[0], "table")) {
			NEXT_ARG();
			if (rt_table_a2n(&table, argv[0]))
				return invarg(c, "invalid table ID\n", argv[0]);
			nla_put_u32(m, IFLA_VRF_TABLE, table);
		} else if (matches(argv[0], "help")) {
			vrf_print_help(c->out);
			return -EINVAL;
		} else {
			fprintf(c->err, "vrf: unknown option \"%s\"?\n", argv[0]);
			vrf_print_help(c->err);
			return -EINVAL;
		}
	}
	nla_nest_end(m, data);
	return 0;
}

/* vrf_print_opt / vrf_slave_print_opt: the table, "table %u ". */
static void vrf_print_table(const struct nlattr *data, int type)
{
	struct nlattr *tb[IFLA_VRF_MAX + 1];

	if (!data || nla_parse_nested(tb, IFLA_VRF_MAX, (struct nlattr *)data, NULL) < 0 ||
	    !tb[type])
		return;
	print_uint(PRINT_ANY, "table", "table %u ", nla_get_u32(tb[type]));
}

static void vrf_print_opt(const struct nlattr *data)
{
	vrf_print_table(data, IFLA_VRF_TABLE);
}

static void vrf_slave_print_opt(const struct nlattr *data)
{
	vrf_print_table(data, IFLA_VRF_PORT_TABLE);
}

const struct link_util vrf_link_util = {
	.id = "vrf",
	.parse_opt = vrf_parse_opt,
	.print_help = vrf_print_help,
	.print_opt = vrf_print_opt,
	.slave_print_opt = vrf_slave_print_opt,
};

/* The table of a VRF's RTM_NEWLINK (0 if the link is no VRF). */
static int vrf_table_cb(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1], *data[IFLA_VRF_MAX + 1];
	uint32_t *table = arg;

	(void)c;
	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0 ||
	    !tb[IFLA_LINKINFO] || nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 ||
	    !li[IFLA_INFO_KIND] || strcmp(nla_get_string(li[IFLA_INFO_KIND]), "vrf") ||
	    !li[IFLA_INFO_DATA] ||
	    nla_parse_nested(data, IFLA_VRF_MAX, li[IFLA_INFO_DATA], NULL) < 0 ||
	    !data[IFLA_VRF_TABLE])
		return 0;
	*table = nla_get_u32(data[IFLA_VRF_TABLE]);
	return 0;
}

uint32_t cli_vrf_table(struct cli_ctx *c, const char *name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *m;
	uint32_t table = 0;

	if (!name || !*name || strlen(name) >= IFNAMSIZ)
		return 0;
	m = nlmsg_alloc_simple(RTM_GETLINK, 0);
	if (!m)
		return 0;
	nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	nla_put_string(m, IFLA_IFNAME, name);
	if (cli_request(c, m, vrf_table_cb, &table, true))
		return 0;
	return table;
}
