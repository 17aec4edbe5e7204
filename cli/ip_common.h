/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the `ip` object commands (like iproute2's
 * ip/ip_common.h and lib/utils.c): argument parsing that prints iproute2's
 * error text and returns -EINVAL instead of exit()ing, the interface-name
 * map for one command (ll_map), namespace name/id lookups, and the names of
 * route tables, protocols, scopes and types. Control thread only.
 */
#ifndef NSEMU_CLI_IP_COMMON_H
#define NSEMU_CLI_IP_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd.h"

/* Move to the next argument, or print "Command line is not complete. Try
 * option "help"" and return from the caller with -EINVAL. */
#define NEXT_ARG()                                                                                 \
	do {                                                                                       \
		argv++;                                                                            \
		if (--argc <= 0)                                                                   \
			return incomplete_command(c);                                              \
	} while (0)
#define PREV_ARG()                                                                                 \
	do {                                                                                       \
		argv--;                                                                            \
		argc++;                                                                            \
	} while (0)

int incomplete_command(struct cli_ctx *c);
int invarg(struct cli_ctx *c, const char *msg, const char *arg);	/* Error: argument "X" is wrong: MSG */
int duparg(struct cli_ctx *c, const char *key, const char *arg);	/* duplicate "K": "X" is the second value. */
int duparg2(struct cli_ctx *c, const char *key, const char *arg); /* either "K" is duplicate, or "X" is a garbage. */

/* iproute2's get_addr_ipv4: 1 to 4 dotted decimal parts (missing = 0).
 * *addr in network order. 0 or -EINVAL. */
int get_addr4(uint32_t *addr, const char *s);
/* "A[/LEN]"; "default"/"any"/"all" when @allow_default. *len = 32 without
 * LEN (or 0 for default). 0 or -EINVAL. */
int get_prefix4(uint32_t *addr, int *len, const char *s, bool allow_default);
int get_u32(uint32_t *v, const char *s, int base);
/* "aa:bb:cc:dd:ee:ff" -> 6 bytes. 0 or -EINVAL. */
int get_mac(uint8_t *mac, const char *s);
const char *fmt_mac(const uint8_t *mac, int len, char *buf, size_t size);
const char *fmt_ip4(uint32_t addr, char *buf); /* buf >= 16 */

/* The interface map of the bound namespace: ll_init_map() dumps the links
 * once per command; ll_index_to_name() gives "ifN" for unknown indexes. */
int ll_init_map(struct cli_ctx *c);
const char *ll_index_to_name(int ifindex);
unsigned ll_index_to_flags(int ifindex); /* ~0u for an unknown index, as iproute2's -1 */
bool ll_index_known(int ifindex);
/* iproute2's ll_remember_index: a RTM_NEWLINK updates the map, a
 * RTM_DELLINK removes the device (ip monitor keeps the map current). */
void ll_remember_index(struct nlmsghdr *nlh);
/* Resolve a device name with a GETLINK request: ifindex > 0 or -ENODEV
 * (quiet: the caller prints its own "Cannot find device" text). */
int cli_ifindex(struct cli_ctx *c, const char *name);

/* Check that c->ns exists, printing iproute2's netns_switch() error
 * ("Cannot open network namespace ...") if not: `ip -n NS` does it
 * before anything else. 0 or -ENOENT. */
int cli_check_ns(struct cli_ctx *c);

/* Namespace lookups (GETNS doit): name -> id, id -> name. */
int cli_ns_id(struct cli_ctx *c, const char *name, uint32_t *id);
int cli_ns_name(struct cli_ctx *c, uint32_t id, char *buf, size_t len);

/* Names as iproute2's rt_names.c prints them; numbers for unknown values. */
const char *rt_table_n2a(uint32_t id, char *buf, size_t len);
int rt_table_a2n(uint32_t *id, const char *s);
const char *rt_proto_n2a(int id, char *buf, size_t len);
int rt_proto_a2n(uint32_t *id, const char *s);
const char *rt_scope_n2a(int id, char *buf, size_t len);
int rt_scope_a2n(uint32_t *id, const char *s);
const char *rt_type_n2a(int id, char *buf, size_t len);
int rt_type_a2n(int *id, const char *s);

/* Link-kind plug-ins (iproute2 struct link_util): link_veth.c. parse_opt
 * adds IFLA_INFO_DATA to @m (inside IFLA_LINKINFO). */
struct link_util {
	const char *id;
	int (*parse_opt)(struct cli_ctx *c, int argc, char **argv, struct nl_msg *m);
	void (*print_help)(FILE *f);
	/* `ip -d link`: the kind's IFLA_INFO_DATA (NULL if none), and as a
	 * master the IFLA_INFO_SLAVE_DATA of a port; NULL: nothing to print */
	void (*print_opt)(const struct nlattr *data);
	void (*slave_print_opt)(const struct nlattr *data);
};
extern const struct link_util veth_link_util;
extern const struct link_util vrf_link_util; /* link_vrf.c */
/* ipvrf_get_table: the table of VRF @name, 0 if no such device or it is
 * no VRF (quiet). name_is_vrf is a non-zero answer. */
uint32_t cli_vrf_table(struct cli_ctx *c, const char *name);
static inline bool cli_name_is_vrf(struct cli_ctx *c, const char *name)
{
	return cli_vrf_table(c, name) != 0;
}
extern const struct link_util tap_link_util, tun_link_util; /* link_tap.c */
/* Fill @ifi (up, down) and the attributes (name, mtu, address, netns) of a
 * link being created from `ip link add` words; shared with the veth peer,
 * whose @ifi is inside VETH_INFO_PEER. Returns the number of words used,
 * or -EINVAL after printing an error. */
int iplink_parse(struct cli_ctx *c, int argc, char **argv, struct nl_msg *m,
		 struct ifinfomsg *ifi, const char **name, const char **kind);

/* `ip -br` and `ip -o` of the running command (iproute2's brief and
 * oneline globals), set by cmd_ip; per thread. */
extern _Thread_local bool ip_brief, ip_oneline;

int cmd_ip_monitor(struct cli_ctx *c, int argc, char **argv); /* ip_monitor.c */

/* Print a link header as `ip link`/`ip addr`/`ip monitor` do (ip_link.c):
 * `ip addr` omits "mode ..." and the alias (unless -d), `ip monitor` also
 * the queue length (iproute2's do_link and showqueue). Returns 0. */
enum linkinfo_mode { LI_LINK, LI_ADDR, LI_MONITOR };
int print_linkinfo(struct cli_ctx *c, struct nlmsghdr *nlh, enum linkinfo_mode mode);
/* `ip -br`: "NAME  STATE  " and, unless @addr_mode, "MAC <FLAGS>\n".
 * 0, or -1 for a message without a name (nothing printed). */
int print_linkinfo_brief(struct cli_ctx *c, struct nlmsghdr *nlh, bool addr_mode);
/* One RTM_NEWADDR as `ip addr` prints it under its link; @with_dev: led by
 * "IFINDEX: NAME" as `ip -o addr` and `ip monitor` print it (ip_addr.c). */
int print_addrinfo(struct cli_ctx *c, struct nlmsghdr *nlh, bool with_dev);
/* One RTM_NEWROUTE as `ip route` prints it; @arg: its show filter or NULL
 * (ip_route.c). One RTM_NEWNEIGH as `ip neigh` prints it (ip_neigh.c). */
int print_route(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg);
int print_neigh_msg(struct cli_ctx *c, struct nlmsghdr *nlh);
/* One RTM_NEWRULE/DELRULE as `ip rule` prints it ("Deleted " included);
 * @arg: its show filter or NULL (ip_rule.c). */
int print_rule(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg);
/* One RTM_NEWNEXTHOP/DELNEXTHOP as `ip nexthop` prints it; @arg: its show
 * filter or NULL (ip_nexthop.c). */
/* print_rt_flags (iproute2's): a route's or a nexthop's RTNH_F_* flags,
 * each followed by a space; "flags" in JSON (ip_route.c). */
void print_rt_flags(unsigned flags);
int print_nexthop(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg);

/* Copies of messages of a dump, in order: what a flush collects before it
 * deletes (a dump cannot be changed while it runs). */
struct nlmsghdr;
struct nlmsg_list {
	struct nlmsghdr **msg;
	size_t n, cap;
};
int nlmsg_list_add(struct nlmsg_list *l, const struct nlmsghdr *nlh); /* 0 or -ENOMEM */
void nlmsg_list_free(struct nlmsg_list *l);				 /* and empty again */

#endif
