// SPDX-License-Identifier: MIT
/*
 * `ip vrf show [NAME]` (iproute2 ip/ipvrf.c: ipvrf_show, ipvrf_print): the
 * VRF devices of the namespace and their tables, from a link dump, with the
 * same header, columns, JSON keys and "No VRF has been configured". `ip vrf
 * exec`, `identify` and `pids` need cgroups and a BPF program in iproute2;
 * nsemu has no processes to move, so they are refused with a message.
 */
#include <errno.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "ip_common.h"
#include "print.h"

static int ipvrf_usage(struct cli_ctx *c)
{
	fprintf(c->err, "Usage:\tip vrf show [NAME] ...\n"
			"\tip vrf exec [NAME] cmd ...\n"
			"\tip vrf identify [PID]\n"
			"\tip vrf pids [NAME]\n");
	return -EINVAL;
}

/* ipvrf_print: one row per VRF; others are skipped. */
static int ipvrf_print(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1], *data[IFLA_VRF_MAX + 1];
	unsigned *nvrf = arg;

	(void)c;
	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0 ||
	    !tb[IFLA_IFNAME] || !tb[IFLA_LINKINFO] ||
	    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 ||
	    !li[IFLA_INFO_KIND] || strcmp(nla_get_string(li[IFLA_INFO_KIND]), "vrf"))
		return 0;
	if (!li[IFLA_INFO_DATA] ||
	    nla_parse_nested(data, IFLA_VRF_MAX, li[IFLA_INFO_DATA], NULL) < 0 ||
	    !data[IFLA_VRF_TABLE] || !nla_get_u32(data[IFLA_VRF_TABLE])) {
		fprintf(c->err, "BUG: VRF %s is missing table id\n", nla_get_string(tb[IFLA_IFNAME]));
		return 0;
	}
	open_json_object(NULL);
	print_string(PRINT_ANY, "name", "%-16s", nla_get_string(tb[IFLA_IFNAME]));
	print_uint(PRINT_ANY, "table", " %5u", nla_get_u32(data[IFLA_VRF_TABLE]));
	print_string(PRINT_FP, NULL, "%s", "\n");
	close_json_object();
	(*nvrf)++;
	return 0;
}

static int ipvrf_show(struct cli_ctx *c, int argc, char **argv)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	unsigned nvrf = 0;
	struct nl_msg *m;
	int err;

	if (argc > 1)
		return ipvrf_usage(c);
	if (argc == 1) {
		uint32_t tb_id = cli_vrf_table(c, argv[0]);

		if (!tb_id) {
			fprintf(c->err, "Invalid VRF\n");
			return -EINVAL;
		}
		fprintf(c->out, "%s %u\n", argv[0], tb_id);
		return 0;
	}
	m = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
	if (!m)
		return -ENOMEM;
	nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	new_json_obj(c->out, c->json, c->pretty);
	print_string(PRINT_FP, NULL, "%-16s", "Name");
	print_string(PRINT_FP, NULL, "  %5s\n", "Table");
	print_string(PRINT_FP, NULL, "%s\n", "-----------------------");
	err = cli_request(c, m, ipvrf_print, &nvrf, false);
	if (!err && !nvrf)
		print_string(PRINT_FP, NULL, "%s\n", "No VRF has been configured");
	delete_json_obj();
	return err;
}

int cmd_ip_vrf(struct cli_ctx *c, int argc, char **argv)
{
	argc--, argv++;
	if (argc == 0)
		return ipvrf_show(c, 0, NULL);
	if (matches(argv[0], "show") || matches(argv[0], "lst") || matches(argv[0], "list"))
		return ipvrf_show(c, argc - 1, argv + 1);
	if (matches(argv[0], "help"))
		return ipvrf_usage(c);
	if (matches(argv[0], "exec") || matches(argv[0], "identify") || matches(argv[0], "pids")) {
		fprintf(c->err, "ip vrf %s: not supported by nsemu (no processes to place in a "
				"VRF); bind to the VRF instead, e.g. ping -I VRF\n",
			argv[0]);
		return -EOPNOTSUPP;
	}
	fprintf(c->err, "Command \"%s\" is unknown, try \"ip vrf help\".\n", argv[0]);
	return -EINVAL;
}
