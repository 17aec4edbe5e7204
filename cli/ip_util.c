// SPDX-License-Identifier: MIT
/*
 * Argument parsing and name tables for the `ip` commands, after iproute2's
 * lib/utils.c and lib/rt_names.c. The error helpers keep iproute2's text
 * but return -EINVAL to the caller instead of exit()ing (STYLE §10.15).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/rtnetlink.h>

#include "ip_common.h"

int incomplete_command(struct cli_ctx *c)
{
	fprintf(c->err, "Command line is not complete. Try option \"help\"\n");
	return -EINVAL;
}

int invarg(struct cli_ctx *c, const char *msg, const char *arg)
{
	fprintf(c->err, "Error: argument \"%s\" is wrong: %s\n", arg, msg);
	return -EINVAL;
}

int duparg(struct cli_ctx *c, const char *key, const char *arg)
{
	fprintf(c->err, "Error: duplicate \"%s\": \"%s\" is the second value.\n", key, arg);
	return -EINVAL;
}

int duparg2(struct cli_ctx *c, const char *key, const char *arg)
{
	fprintf(c->err, "Error: either \"%s\" is duplicate, or \"%s\" is a garbage.\n", key, arg);
	return -EINVAL;
}

int get_addr4(uint32_t *addr, const char *s)
{
	uint8_t b[4] = { 0 };
	int i;

	/* iproute2 get_addr_ipv4(): "10", "10.1", "10.1.2" are 10.0.0.0 & co */
	for (i = 0; i < 4; i++) {
		char *end;
		unsigned long v;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = strtoul(s, &end, 0);
		if (v > 255 || end == s)
			return -EINVAL;
		b[i] = (uint8_t)v;
		if (*end == '\0')
			break;
		if (*end != '.' || i == 3)
			return -EINVAL;
		s = end + 1;
	}
	memcpy(addr, b, 4);
	return 0;
}

int get_prefix4(uint32_t *addr, int *len, const char *s, bool allow_default)
{
	char buf[64];
	char *slash;

	if (allow_default && (!strcmp(s, "default") || !strcmp(s, "any") || !strcmp(s, "all"))) {
		*addr = 0;
		*len = 0;
		return 0;
	}
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (get_addr4(addr, buf))
		return -EINVAL;
	*len = 32;
	if (slash) {
		uint32_t l;

		if (get_u32(&l, slash + 1, 0) || l > 32)
			return -EINVAL;
		*len = (int)l;
	}
	return 0;
}

int get_u32(uint32_t *v, const char *s, int base)
{
	char *end;
	unsigned long long x;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, base);
	if (*end || errno || x > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

int get_mac(uint8_t *mac, const char *s)
{
	unsigned v[6];
	char tail;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 255)
			return -EINVAL;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

const char *fmt_mac(const uint8_t *mac, int len, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < len && off + 3 < size; i++)
		off += (size_t)snprintf(buf + off, size - off, i ? ":%02x" : "%02x", mac[i]);
	return buf;
}

const char *fmt_ip4(uint32_t addr, char *buf)
{
	return inet_ntop(AF_INET, &addr, buf, INET_ADDRSTRLEN);
}

/* ---- rt_names.c ---- */

struct name_id {
	unsigned id;
	const char *name;
};

static const struct name_id tables[] = {
	{ RT_TABLE_UNSPEC, "unspec" }, { RT_TABLE_DEFAULT, "default" },
	{ RT_TABLE_MAIN, "main" },     { RT_TABLE_LOCAL, "local" },
};

static const struct name_id protos[] = {
	{ RTPROT_UNSPEC, "unspec" }, { RTPROT_REDIRECT, "redirect" }, { RTPROT_KERNEL, "kernel" },
	{ RTPROT_BOOT, "boot" },     { RTPROT_STATIC, "static" },     { RTPROT_GATED, "gated" },
	{ RTPROT_RA, "ra" },	     { RTPROT_MRT, "mrt" },	      { RTPROT_ZEBRA, "zebra" },
	{ RTPROT_BIRD, "bird" },     { RTPROT_DNROUTED, "dnrouted" }, { RTPROT_XORP, "xorp" },
	{ RTPROT_NTK, "ntk" },	     { RTPROT_DHCP, "dhcp" },	      { RTPROT_KEEPALIVED, "keepalived" },
	{ RTPROT_BABEL, "babel" },   { RTPROT_BGP, "bgp" },	      { RTPROT_ISIS, "isis" },
	{ RTPROT_OSPF, "ospf" },     { RTPROT_RIP, "rip" },	      { RTPROT_EIGRP, "eigrp" },
};

static const struct name_id scopes[] = {
	{ RT_SCOPE_UNIVERSE, "global" }, { RT_SCOPE_SITE, "site" }, { RT_SCOPE_LINK, "link" },
	{ RT_SCOPE_HOST, "host" },	 { RT_SCOPE_NOWHERE, "nowhere" },
};

static const struct name_id types[] = {
	{ RTN_UNSPEC, "none" },		  { RTN_UNICAST, "unicast" },	  { RTN_LOCAL, "local" },
	{ RTN_BROADCAST, "broadcast" },	  { RTN_ANYCAST, "anycast" },	  { RTN_MULTICAST, "multicast" },
	{ RTN_BLACKHOLE, "blackhole" },	  { RTN_UNREACHABLE, "unreachable" },
	{ RTN_PROHIBIT, "prohibit" },	  { RTN_THROW, "throw" },	  { RTN_NAT, "nat" },
	{ RTN_XRESOLVE, "xresolve" },
};

static const char *n2a(const struct name_id *t, size_t n, unsigned id, char *buf, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].id == id)
			return t[i].name;
	snprintf(buf, len, "%u", id);
	return buf;
}

static int a2n(const struct name_id *t, size_t n, uint32_t *id, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, s)) {
			*id = t[i].id;
			return 0;
		}
	return get_u32(id, s, 0);
}

const char *rt_table_n2a(uint32_t id, char *buf, size_t len)
{
	return n2a(tables, ARRAY_SIZE(tables), id, buf, len);
}

int rt_table_a2n(uint32_t *id, const char *s)
{
	return a2n(tables, ARRAY_SIZE(tables), id, s);
}

const char *rt_proto_n2a(int id, char *buf, size_t len)
{
	return n2a(protos, ARRAY_SIZE(protos), (unsigned)id, buf, len);
}

int rt_proto_a2n(uint32_t *id, const char *s)
{
	int err = a2n(protos, ARRAY_SIZE(protos), id, s);

	return err || *id > 255 ? -EINVAL : 0;
}

const char *rt_scope_n2a(int id, char *buf, size_t len)
{
	return n2a(scopes, ARRAY_SIZE(scopes), (unsigned)id, buf, len);
}

int rt_scope_a2n(uint32_t *id, const char *s)
{
	int err = a2n(scopes, ARRAY_SIZE(scopes), id, s);

	return err || *id > 255 ? -EINVAL : 0;
}

const char *rt_type_n2a(int id, char *buf, size_t len)
{
	return n2a(types, ARRAY_SIZE(types), (unsigned)id, buf, len);
}

int rt_type_a2n(int *id, const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (!strcmp(types[i].name, s)) {
			*id = (int)types[i].id;
			return 0;
		}
	return -EINVAL;
}

int nlmsg_list_add(struct nlmsg_list *l, const struct nlmsghdr *nlh)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct nlmsghdr **p = realloc(l->msg, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->msg = p;
		l->cap = cap;
	}
	l->msg[l->n] = malloc(nlh->nlmsg_len);
	if (!l->msg[l->n])
		return -ENOMEM;
	memcpy(l->msg[l->n++], nlh, nlh->nlmsg_len);
	return 0;
}

void nlmsg_list_free(struct nlmsg_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->msg[i]);
	free(l->msg);
	*l = (struct nlmsg_list){ 0 };
}
