// SPDX-License-Identifier: MIT
/*
 * `ip address`: add, replace, del, show, flush for IPv4, after iproute2 6.1
 * ip/ipaddress.c. `show` prints each link header (print_linkinfo) followed
 * by its addresses; with -j each link object carries an "addr_info" array,
 * exactly as `ip -j addr` does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "ip_common.h"
#include "print.h"

static int ipaddr_usage(struct cli_ctx *c, FILE *f)
{
	fprintf(f, "Usage: ip address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]\n"
		   "                                                      [ CONFFLAG-LIST ]\n"
		   "       ip address del IFADDR dev IFNAME\n"
		   "       ip address flush dev IFNAME\n"
		   "       ip address [ show [ dev IFNAME ] [ up ] ]\n"
		   "IFADDR := PREFIX [ broadcast ADDR ] [ label IFNAME ] [ scope SCOPE-ID ]\n"
		   "SCOPE-ID := [ host | link | global | NUMBER ]\n");
	return f == c->out ? 0 : -EINVAL;
}

/* A copy of every IPv4 address message of one dump, in order. */
static int addr_collect(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct ifaddrmsg *ifa = nlmsg_data(nlh);

	if (nlh->nlmsg_type != RTM_NEWADDR || nlmsg_datalen(nlh) < (int)sizeof(*ifa) ||
	    ifa->ifa_family != AF_INET)
		return 0;
	return nlmsg_list_add(arg, nlh);
}

static int addr_dump(struct cli_ctx *c, struct nlmsg_list *l)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET };
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP);

	if (!m)
		return -ENOMEM;
	nlmsg_append(m, &ifa, sizeof(ifa), NLMSG_ALIGNTO);
	return cli_request(c, m, addr_collect, l, false);
}

static const char *const ifa_flag_names[] = {
	"secondary", "nodad",	   "optimistic",    "dadfailed", "home",      "deprecated",
	"tentative", "permanent", "mngtmpaddr",    "noprefixroute", "autojoin", "stable-privacy",
};

static void print_lft(const char *text, const char *key, uint32_t v)
{
	print_string(PRINT_FP, NULL, text, NULL);
	if (v == 0xFFFFFFFFu) {
		print_uint(PRINT_JSON, key, NULL, v);
		print_string(PRINT_FP, NULL, "%s", "forever");
	} else {
		print_uint(PRINT_ANY, key, "%usec", v);
	}
}

/* `ip -br addr`: "ADDR/LEN " per address; JSON {"local", "prefixlen"}. */
static void print_addrinfo_brief(struct nlmsghdr *nlh)
{
	struct ifaddrmsg *ifa = nlmsg_data(nlh);
	struct nlattr *tb[IFA_MAX + 1];
	char buf[INET_ADDRSTRLEN];

	if (nlmsg_parse(nlh, sizeof(*ifa), tb, IFA_MAX, NULL) < 0 ||
	    !(tb[IFA_LOCAL] || tb[IFA_ADDRESS]))
		return;
	open_json_object(NULL);
	print_color_string(PRINT_ANY, COLOR_INET, "local", "%s",
			   fmt_ip4(nla_get_u32(tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS]), buf));
	print_uint(PRINT_ANY, "prefixlen", "/%u ", ifa->ifa_prefixlen);
	close_json_object();
}

int print_addrinfo(struct cli_ctx *c, struct nlmsghdr *nlh, bool with_dev)
{
	struct ifaddrmsg *ifa = nlmsg_data(nlh);
	struct nlattr *tb[IFA_MAX + 1];
	char buf[INET_ADDRSTRLEN], sbuf[16];
	uint32_t local = 0, address = 0, flags;

	if (nlmsg_parse(nlh, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return 0;
	if (tb[IFA_LOCAL])
		local = nla_get_u32(tb[IFA_LOCAL]);
	if (tb[IFA_ADDRESS])
		address = nla_get_u32(tb[IFA_ADDRESS]);
	if (!tb[IFA_LOCAL])
		local = address;
	flags = tb[IFA_FLAGS] ? nla_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;

	open_json_object(NULL);
	/* -o and `ip monitor`: each address line says whose it is */
	if (with_dev) {
		print_uint(PRINT_FP, NULL, "%u: ", ifa->ifa_index);
		print_string(PRINT_FP, NULL, "%s", ll_index_to_name((int)ifa->ifa_index));
	}
	print_string(PRINT_ANY, "family", "    %s ", "inet");
	print_color_string(PRINT_ANY, COLOR_INET, "local", "%s", fmt_ip4(local, buf));
	if (tb[IFA_ADDRESS] && tb[IFA_LOCAL] && address != local) {
		print_string(PRINT_FP, NULL, " %s ", "peer");
		print_color_string(PRINT_ANY, COLOR_INET, "address", "%s", fmt_ip4(address, buf));
	}
	print_uint(PRINT_ANY, "prefixlen", "/%u ", ifa->ifa_prefixlen);
	if (tb[IFA_BROADCAST]) {
		print_string(PRINT_FP, NULL, "%s ", "brd");
		print_color_string(PRINT_ANY, COLOR_INET, "broadcast", "%s ",
				   fmt_ip4(nla_get_u32(tb[IFA_BROADCAST]), buf));
	}
	print_string(PRINT_ANY, "scope", "scope %s ", rt_scope_n2a(ifa->ifa_scope, sbuf, sizeof(sbuf)));
	/* iproute2 print_ifa_flags(): "dynamic" means not permanent */
	for (unsigned i = 0; i < ARRAY_SIZE(ifa_flag_names); i++) {
		uint32_t mask = 1u << i;

		if (mask == IFA_F_PERMANENT) {
			if (!(flags & mask))
				print_bool(PRINT_ANY, "dynamic", "dynamic ", true);
		} else if (flags & mask) {
			print_bool(PRINT_JSON, ifa_flag_names[i], NULL, true);
			print_string(PRINT_FP, NULL, "%s ", ifa_flag_names[i]);
		}
	}
	if (tb[IFA_LABEL])
		print_string(PRINT_ANY, "label", "%s", nla_get_string(tb[IFA_LABEL]));
	if (tb[IFA_CACHEINFO] && nla_len(tb[IFA_CACHEINFO]) >= (int)sizeof(struct ifa_cacheinfo)) {
		struct ifa_cacheinfo *ci = nla_data(tb[IFA_CACHEINFO]);

		print_nl();
		print_lft("       valid_lft ", "valid_life_time", ci->ifa_valid);
		print_lft(" preferred_lft ", "preferred_life_time", ci->ifa_prefered);
	}
	print_string(PRINT_FP, NULL, "%s", "\n");
	close_json_object();
	return 0;
}

struct addr_show {
	struct nlmsg_list addrs;
	int ifindex;
	bool up;
};

static int addr_link_cb(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct addr_show *s = arg;
	struct ifinfomsg *ifi = nlmsg_data(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK || nlmsg_datalen(nlh) < (int)sizeof(*ifi))
		return 0;
	if ((s->ifindex && ifi->ifi_index != s->ifindex) || (s->up && !(ifi->ifi_flags & IFF_UP)))
		return 0;
	if (ip_oneline && !ip_brief && !is_json_context()) {
		/* ip -o addr: the address lines alone, each naming its device */
		for (size_t i = 0; i < s->addrs.n; i++)
			if ((int)((struct ifaddrmsg *)nlmsg_data(s->addrs.msg[i]))->ifa_index ==
			    ifi->ifi_index)
				print_addrinfo(c, s->addrs.msg[i], true);
		return 0;
	}
	open_json_object(NULL);
	if (ip_brief) {
		if (print_linkinfo_brief(c, nlh, true) == 0) {
			open_json_array(PRINT_JSON, "addr_info");
			for (size_t i = 0; i < s->addrs.n; i++)
				if ((int)((struct ifaddrmsg *)nlmsg_data(s->addrs.msg[i]))
					    ->ifa_index == ifi->ifi_index)
					print_addrinfo_brief(s->addrs.msg[i]);
			close_json_array(PRINT_JSON, NULL);
			print_string(PRINT_FP, NULL, "%s", "\n");
		}
		close_json_object();
		return 0;
	}
	print_linkinfo(c, nlh, LI_ADDR);
	open_json_array(PRINT_JSON, "addr_info");
	for (size_t i = 0; i < s->addrs.n; i++) {
		struct ifaddrmsg *ifa = nlmsg_data(s->addrs.msg[i]);

		if ((int)ifa->ifa_index == ifi->ifi_index)
			print_addrinfo(c, s->addrs.msg[i], false);
	}
	close_json_array(PRINT_JSON, NULL);
	close_json_object();
	return 0;
}

static int ipaddr_show(struct cli_ctx *c, int argc, char **argv)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct addr_show s = { .ifindex = 0 };
	const char *dev = NULL;
	struct nl_msg *m;
	int err;

	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "up")) {
			s.up = true;
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
		return err;
	if (dev) {
		s.ifindex = cli_ifindex(c, dev);
		if (s.ifindex < 0) {
			fprintf(c->err, "Device \"%s\" does not exist.\n", dev);
			return -ENODEV;
		}
	}
	err = addr_dump(c, &s.addrs);
	if (err)
		goto out;
	m = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
	if (!m) {
		err = -ENOMEM;
		goto out;
	}
	nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	new_json_obj(c->out, c->json, c->pretty);
	err = cli_request(c, m, addr_link_cb, &s, false);
	delete_json_obj();
out:
	nlmsg_list_free(&s.addrs);
	return err;
}

static int ipaddr_modify(struct cli_ctx *c, int cmd, int flags, int argc, char **argv)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET };
	const char *dev = NULL, *label = NULL, *brd = NULL, *local_arg = NULL;
	uint32_t local = 0, v;
	bool scoped = false;
	struct nl_msg *m;
	int len = 0;

	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "dev")) {
			NEXT_ARG();
			if (dev)
				return duparg(c, "dev", argv[0]);
			dev = argv[0];
		} else if (matches(argv[0], "broadcast") || !strcmp(argv[0], "brd")) {
			NEXT_ARG();
			if (brd)
				return duparg(c, "broadcast", argv[0]);
			brd = argv[0];
		} else if (!strcmp(argv[0], "label")) {
			NEXT_ARG();
			label = argv[0];
		} else if (!strcmp(argv[0], "scope")) {
			NEXT_ARG();
			if (rt_scope_a2n(&v, argv[0]))
				return invarg(c, "invalid scope value.", argv[0]);
			ifa.ifa_scope = (uint8_t)v;
			scoped = true;
		} else if (!strcmp(argv[0], "valid_lft") || !strcmp(argv[0], "preferred_lft")) {
			NEXT_ARG(); /* only "forever" exists here; accepted for scripts */
			if (strcmp(argv[0], "forever"))
				return invarg(c, "only \"forever\" is supported", argv[0]);
		} else {
			if (!strcmp(argv[0], "local"))
				NEXT_ARG();
			if (local_arg)
				return duparg2(c, "local", argv[0]);
			local_arg = argv[0];
			if (get_prefix4(&local, &len, argv[0], false)) {
				fprintf(c->err, "Error: any valid prefix is expected rather than \"%s\".\n",
					argv[0]);
				return -EINVAL;
			}
		}
	}
	if (!dev) {
		fprintf(c->err, "Not enough information: \"dev\" argument is required.\n");
		return -EINVAL;
	}
	if (!local_arg) {
		fprintf(c->err, "Not enough information: \"local\" argument is required.\n");
		return -EINVAL;
	}
	if (label && strncmp(label, dev, strlen(dev))) {
		fprintf(c->err, "\"label\" (%s) must match \"dev\" (%s) or be prefixed by \"dev\" with a colon.\n",
			label, dev);
		return -EINVAL;
	}
	ifa.ifa_prefixlen = (uint8_t)len;
	/* iproute2 default_scope(): 127/8 addresses are host scope */
	if (!scoped && cmd != RTM_DELADDR && (ntohl(local) >> 24) == 127)
		ifa.ifa_scope = RT_SCOPE_HOST;
	v = (uint32_t)cli_ifindex(c, dev);
	if ((int)v < 0) {
		fprintf(c->err, "Cannot find device \"%s\"\n", dev);
		return -ENODEV;
	}
	ifa.ifa_index = v;
	m = nlmsg_alloc_simple(cmd, flags);
	if (!m)
		return -ENOMEM;
	nlmsg_append(m, &ifa, sizeof(ifa), NLMSG_ALIGNTO);
	nla_put_u32(m, IFA_LOCAL, local);
	nla_put_u32(m, IFA_ADDRESS, local);
	if (brd) {
		uint32_t b, mask = len ? htonl(~0u << (32 - len)) : 0;

		/* "+" and "-": the all-ones / all-zeros host part (ip-address(8)) */
		if (!strcmp(brd, "+"))
			b = len < 31 ? local | ~mask : 0;
		else if (!strcmp(brd, "-"))
			b = local & mask;
		else if (get_addr4(&b, brd)) {
			nlmsg_free(m);
			return invarg(c, "invalid broadcast address", brd);
		}
		if (strcmp(brd, "+") || len < 31)
			nla_put_u32(m, IFA_BROADCAST, b);
	}
	if (label)
		nla_put_string(m, IFA_LABEL, label);
	return cli_request(c, m, NULL, NULL, false);
}

static int ipaddr_flush(struct cli_ctx *c, int argc, char **argv)
{
	struct nlmsg_list l = { 0 };
	const char *dev = NULL;
	int ifindex = 0, err;

	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "dev"))
			NEXT_ARG();
		dev = argv[0];
	}
	if (!dev) {
		fprintf(c->err, "Flush requires arguments.\n");
		return -EINVAL;
	}
	ifindex = cli_ifindex(c, dev);
	if (ifindex < 0) {
		fprintf(c->err, "Device \"%s\" does not exist.\n", dev);
		return -ENODEV;
	}
	err = addr_dump(c, &l);
	for (size_t i = 0; !err && i < l.n; i++) {
		struct ifaddrmsg *ifa = nlmsg_data(l.msg[i]);
		struct nlattr *tb[IFA_MAX + 1];
		struct nl_msg *m;

		if ((int)ifa->ifa_index != ifindex ||
		    nlmsg_parse(l.msg[i], sizeof(*ifa), tb, IFA_MAX, NULL) < 0 || !tb[IFA_LOCAL])
			continue;
		m = nlmsg_alloc_simple(RTM_DELADDR, 0);
		if (!m) {
			err = -ENOMEM;
			break;
		}
		nlmsg_append(m, ifa, sizeof(*ifa), NLMSG_ALIGNTO);
		nla_put_u32(m, IFA_LOCAL, nla_get_u32(tb[IFA_LOCAL]));
		/* deleting a primary takes its secondaries with it (kernel
		 * promote_secondaries=0), so a later miss is not an error */
		err = cli_request(c, m, NULL, NULL, true);
		if (err == -EADDRNOTAVAIL)
			err = 0;
		else if (err)
			fprintf(c->err, "RTNETLINK answers: %s\n", strerror(-err));
	}
	nlmsg_list_free(&l);
	return err;
}

static int do_add(struct cli_ctx *c, int argc, char **argv)
{
	return ipaddr_modify(c, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, argc - 1, argv + 1);
}
static int do_replace(struct cli_ctx *c, int argc, char **argv)
{
	return ipaddr_modify(c, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, argc - 1, argv + 1);
}
static int do_change(struct cli_ctx *c, int argc, char **argv)
{
	return ipaddr_modify(c, RTM_NEWADDR, NLM_F_REPLACE, argc - 1, argv + 1);
}
static int do_del(struct cli_ctx *c, int argc, char **argv)
{
	return ipaddr_modify(c, RTM_DELADDR, 0, argc - 1, argv + 1);
}
static int do_show(struct cli_ctx *c, int argc, char **argv)
{
	return ipaddr_show(c, argc - 1, argv + 1);
}
static int do_flush(struct cli_ctx *c, int argc, char **argv)
{
	return ipaddr_flush(c, argc - 1, argv + 1);
}
static int do_help(struct cli_ctx *c, int argc, char **argv)
{
	return ipaddr_usage(c, c->out);
}

static const struct cmd ipaddr_cmds[] = {
	{ "add", do_add, "" },	 { "change", do_change, "" }, { "replace", do_replace, "" },
	{ "delete", do_del, "" }, { "show", do_show, "" },    { "list", do_show, "" },
	{ "lst", do_show, "" },	 { "flush", do_flush, "" },   { "help", do_help, "" },
	{ NULL, NULL, NULL },
};

int cmd_ip_addr(struct cli_ctx *c, int argc, char **argv)
{
	if (argc < 2)
		return ipaddr_show(c, 0, NULL);
	return cmd_dispatch(c, ipaddr_cmds, "ip address", argc - 1, argv + 1);
}
