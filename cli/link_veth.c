// SPDX-License-Identifier: MIT
/*
 * The veth plug-in of `ip link add` (iproute2 ip/link_veth.c): `type veth
 * [peer [name] NAME [netns NS] [mtu N] [address MAC]]` becomes
 * IFLA_INFO_DATA { VETH_INFO_PEER: struct ifinfomsg + the peer's IFLA_* }.
 */
#include <errno.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "ip_common.h"

static void veth_print_help(FILE *f)
{
	fprintf(f, "Usage: ip link <options> type veth [peer <options>]\n"
		   "To get <options> type 'ip link add help'\n");
}

static int veth_parse_opt(struct cli_ctx *c, int argc, char **argv, struct nl_msg *m)
{
	struct nlattr *data, *peer;
	const char *name = NULL, *kind = NULL;
	struct ifinfomsg *ifi;
	int n;

	if (argc == 0)
		return 0; /* the kernel names the peer vethN */
	if (strcmp(argv[0], "peer")) {
		fprintf(c->err, "Garbage instead of arguments \"%s ...\". Try \"ip link help\".\n",
			argv[0]);
		return -EINVAL;
	}
	argc--, argv++;
	data = nla_nest_start(m, IFLA_INFO_DATA);
	peer = nla_nest_start(m, VETH_INFO_PEER);
	ifi = nlmsg_reserve(m, sizeof(*ifi), NLMSG_ALIGNTO);
	if (!data || !peer || !ifi)
		return -ENOMEM;
	memset(ifi, 0, sizeof(*ifi));
	n = iplink_parse(c, argc, argv, m, ifi, &name, &kind);
	if (n < 0)
		return n;
	if (kind) {
		fprintf(c->err, "Error: argument \"type\" is not allowed for the veth peer.\n");
		return -EINVAL;
	}
	if (name)
		nla_put_string(m, IFLA_IFNAME, name);
	nla_nest_end(m, peer);
	nla_nest_end(m, data);
	return 0;
}

const struct link_util veth_link_util = {
	.id = "veth",
	.parse_opt = veth_parse_opt,
	.print_help = veth_print_help,
};
