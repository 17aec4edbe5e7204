// SPDX-License-Identifier: MIT
/*
 * The tap and tun plug-ins of `ip link add` (after iproute2's per-kind
 * struct link_util): `type tap [host-name HOSTIF]` and `type tun
 * [host-name HOSTIF]` create an nsemu device wired to a host TAP/TUN
 * device (devices/tap.c). host-name names the host device to attach to,
 * typically a persistent one made by an administrator with `ip tuntap add
 * dev HOSTIF mode tap user USER`; without it the host device takes the
 * nsemu device's name. The option travels as IFLA_INFO_DATA
 * { TAP_INFO_HOST_NAME }.
 */
#include <errno.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "devices/tap.h"
#include "ip_common.h"

static void tap_print_help(FILE *f)
{
	fprintf(f, "Usage: ip link add NAME type { tap | tun } [ host-name HOSTIF ]\n"
		   "\n"
		   "Attaches NAME to the host device HOSTIF (default: NAME) through\n"
		   "/dev/net/tun. Without CAP_NET_ADMIN, HOSTIF must be a persistent\n"
		   "device you own: ip tuntap add dev HOSTIF mode tap user $USER\n");
}

static int tap_parse_opt(struct cli_ctx *c, int argc, char **argv, struct nl_msg *m)
{
	const char *host = NULL;
	struct nlattr *data;

	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "host-name") || !strcmp(argv[0], "hostname")) {
			if (argc < 2) {
				fprintf(c->err, "Command line is not complete. Try option \"help\"\n");
				return -EINVAL;
			}
			argc--, argv++;
			if (host)
				return duparg2(c, "host-name", argv[0]);
			if (!*argv[0] || strlen(argv[0]) >= IFNAMSIZ)
				return invarg(c, "\"host-name\" not a valid ifname", argv[0]);
			host = argv[0];
		} else if (!strcmp(argv[0], "help")) {
			tap_print_help(c->out);
			return -EINVAL;
		} else {
			fprintf(c->err, "Garbage instead of arguments \"%s ...\". Try \"ip link help\".\n",
				argv[0]);
			return -EINVAL;
		}
	}
	if (!host)
		return 0;
	data = nla_nest_start(m, IFLA_INFO_DATA);
	if (!data || nla_put_string(m, TAP_INFO_HOST_NAME, host) < 0)
		return -ENOMEM;
	nla_nest_end(m, data);
	return 0;
}

const struct link_util tap_link_util = {
	.id = "tap",
	.parse_opt = tap_parse_opt,
	.print_help = tap_print_help,
};

const struct link_util tun_link_util = {
	.id = "tun",
	.parse_opt = tap_parse_opt,
	.print_help = tap_print_help,
};
