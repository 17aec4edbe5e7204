// SPDX-License-Identifier: MIT
/*
 * A libnl-3 client of nsemu's control socket, without the preload shim
 * (docs/control-protocol.md, "libnl clients"). libnl's nl_socket_set_fd()
 * refuses a Unix socket, so the socket is never nl_connect()ed: its
 * transport is replaced with nl_cb_overwrite_send/recv, which move the same
 * nlmsgs over a SOCK_SEQPACKET connection bound to a namespace with
 * NSEMU_MSG_HELLO. Everything above the transport is stock libnl-route:
 * request builders, caches, and libnl's own reply parsers.
 *
 * It creates a veth pair, brings it up, adds an address and a route, then
 * dumps links and routes:
 *
 *     nl_client SOCKET NAMESPACE [PREFIX]
 *
 * PREFIX (default "nl") names the pair PREFIX0/PREFIX1. Build:
 *     cc nl_client.c $(pkg-config --cflags --libs libnl-3.0 libnl-route-3.0)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <net/if.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

/* nsemu's private messages (docs/control-protocol.md "Messages") */
#define NSEMU_MSG_HELLO 0x6e01
#define NSEMU_A_NS 1
#define NSEMU_A_PORTID 3

static int ctl_fd = -1;

/* The transport: one nlmsg per datagram, as netlink has. */
static int ctl_send(struct nl_sock *sk, struct nl_msg *msg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	(void)sk;
	return send(ctl_fd, h, h->nlmsg_len, MSG_NOSIGNAL) < 0 ? -nl_syserr2nlerr(errno)
							       : (int)h->nlmsg_len;
}

/* Size the datagram with MSG_PEEK|MSG_TRUNC, read it, and say it came from
 * the kernel (nl_pid 0), which libnl expects of a netlink peer. */
static int ctl_recv(struct nl_sock *sk, struct sockaddr_nl *nla, unsigned char **buf,
		    struct ucred **creds)
{
	(void)sk;
	ssize_t n = recv(ctl_fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
	if (n <= 0)
		return n == 0 ? 0 : -nl_syserr2nlerr(errno);
	*buf = malloc((size_t)n);
	if (!*buf)
		return -NLE_NOMEM;
	n = recv(ctl_fd, *buf, (size_t)n, 0);
	if (n <= 0) {
		free(*buf);
		*buf = NULL;
		return n == 0 ? 0 : -nl_syserr2nlerr(errno);
	}
	memset(nla, 0, sizeof(*nla));
	nla->nl_family = AF_NETLINK;
	if (creds)
		*creds = NULL;
	return (int)n;
}

/* Connect to @path and bind the connection to namespace @ns. */
static int ctl_open(struct nl_sock *sk, const char *path, const char *ns)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct nl_msg *msg;
	int err;

	if (strlen(path) >= sizeof(un.sun_path))
		return -NLE_RANGE;
	strcpy(un.sun_path, path);
	ctl_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (ctl_fd < 0 || connect(ctl_fd, (struct sockaddr *)&un, sizeof(un)) < 0)
		return -nl_syserr2nlerr(errno);

	struct nl_cb *cb = nl_socket_get_cb(sk);
	nl_cb_overwrite_send(cb, ctl_send);
	nl_cb_overwrite_recv(cb, ctl_recv);
	nl_cb_put(cb);

	/* HELLO{ns, portid}: answered with an ACK, or -ENOENT */
	msg = nlmsg_alloc_simple(NSEMU_MSG_HELLO, NLM_F_REQUEST | NLM_F_ACK);
	if (!msg)
		return -NLE_NOMEM;
	if (nla_put_string(msg, NSEMU_A_NS, ns) < 0 ||
	    nla_put_u32(msg, NSEMU_A_PORTID, nl_socket_get_local_port(sk)) < 0) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	err = nl_send_sync(sk, msg); /* frees msg, waits for the ACK */
	return err;
}

static void print_link(struct nl_object *obj, void *arg)
{
	struct rtnl_link *l = (struct rtnl_link *)obj;
	char kind[32] = "";
	(void)arg;
	if (rtnl_link_get_type(l))
		snprintf(kind, sizeof(kind), " type %s", rtnl_link_get_type(l));
	printf("link %d %s mtu %u %s%s\n", rtnl_link_get_ifindex(l), rtnl_link_get_name(l),
	       rtnl_link_get_mtu(l), (rtnl_link_get_flags(l) & IFF_UP) ? "up" : "down", kind);
}

static void print_route(struct nl_object *obj, void *arg)
{
	struct rtnl_route *r = (struct rtnl_route *)obj;
	struct nl_cache *links = arg;
	char dst[64], gw[64] = "", dev[IFNAMSIZ] = "";

	nl_addr2str(rtnl_route_get_dst(r), dst, sizeof(dst));
	if (rtnl_route_get_nnexthops(r) > 0) {
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, 0);
		if (rtnl_route_nh_get_gateway(nh))
			nl_addr2str(rtnl_route_nh_get_gateway(nh), gw, sizeof(gw));
		rtnl_link_i2name(links, rtnl_route_nh_get_ifindex(nh), dev, sizeof(dev));
	}
	printf("route table %u %s%s%s dev %s\n", rtnl_route_get_table(r), dst, gw[0] ? " via " : "",
	       gw, dev);
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "nl_client: %s: %s\n", what, nl_geterror(err));
	return 1;
}

/* Set IFF_UP on link @name through rtnl_link_change. */
static int link_up(struct nl_sock *sk, struct nl_cache *links, const char *name)
{
	struct rtnl_link *old = rtnl_link_get_by_name(links, name);
	struct rtnl_link *chg = rtnl_link_alloc();
	int err = -NLE_OBJ_NOTFOUND;

	if (old && chg) {
		rtnl_link_set_flags(chg, IFF_UP);
		err = rtnl_link_change(sk, old, chg, 0);
	}
	rtnl_link_put(chg);
	rtnl_link_put(old);
	return err;
}

int main(int argc, char **argv)
{
	struct nl_cache *links = NULL, *routes = NULL;
	struct nl_addr *local = NULL, *dst = NULL, *gw = NULL;
	char n0[IFNAMSIZ], n1[IFNAMSIZ];
	int err, ret = 1;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: nl_client SOCKET NAMESPACE [PREFIX]\n");
		return 2;
	}
	const char *prefix = argc == 4 ? argv[3] : "nl";
	snprintf(n0, sizeof(n0), "%s0", prefix);
	snprintf(n1, sizeof(n1), "%s1", prefix);

	struct nl_sock *sk = nl_socket_alloc();
	if (!sk)
		return fail("nl_socket_alloc", -NLE_NOMEM);
	if ((err = ctl_open(sk, argv[1], argv[2])) < 0) {
		fail(argv[1], err);
		goto out;
	}

	/* a veth pair: RTM_NEWLINK with IFLA_LINKINFO{veth, VETH_INFO_PEER} */
	struct rtnl_link *veth = rtnl_link_veth_alloc();
	if (!veth) {
		fail("rtnl_link_veth_alloc", -NLE_NOMEM);
		goto out;
	}
	rtnl_link_set_name(veth, n0);
	struct rtnl_link *peer = rtnl_link_veth_get_peer(veth); /* a reference */
	rtnl_link_set_name(peer, n1);
	rtnl_link_put(peer);
	err = rtnl_link_add(sk, veth, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_veth_release(veth);
	if (err < 0) {
		fail("add veth", err);
		goto out;
	}
	if ((err = rtnl_link_alloc_cache(sk, AF_UNSPEC, &links)) < 0) {
		fail("link dump", err);
		goto out;
	}
	if ((err = link_up(sk, links, n0)) < 0 || (err = link_up(sk, links, n1)) < 0) {
		fail("link up", err);
		goto out;
	}

	/* 10.9.0.1/24 on PREFIX0, then 10.10.0.0/16 via 10.9.0.254 */
	struct rtnl_addr *addr = rtnl_addr_alloc();
	if (!addr || nl_addr_parse("10.9.0.1/24", AF_INET, &local) < 0) {
		rtnl_addr_put(addr);
		fail("address", -NLE_NOMEM);
		goto out;
	}
	rtnl_addr_set_ifindex(addr, rtnl_link_name2i(links, n0));
	rtnl_addr_set_local(addr, local);
	err = rtnl_addr_add(sk, addr, 0);
	rtnl_addr_put(addr);
	if (err < 0) {
		fail("add address", err);
		goto out;
	}
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	if (!route || !nh || nl_addr_parse("10.10.0.0/16", AF_INET, &dst) < 0 ||
	    nl_addr_parse("10.9.0.254", AF_INET, &gw) < 0) {
		rtnl_route_put(route);
		rtnl_route_nh_free(nh);
		fail("route", -NLE_NOMEM);
		goto out;
	}
	rtnl_route_set_dst(route, dst);
	rtnl_route_nh_set_gateway(nh, gw);
	rtnl_route_add_nexthop(route, nh);
	err = rtnl_route_add(sk, route, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_route_put(route);
	if (err < 0) {
		fail("add route", err);
		goto out;
	}

	/* dumps, parsed into objects by libnl-route */
	nl_cache_free(links);
	links = NULL;
	if ((err = rtnl_link_alloc_cache(sk, AF_UNSPEC, &links)) < 0 ||
	    (err = rtnl_route_alloc_cache(sk, AF_INET, 0, &routes)) < 0) {
		fail("dump", err);
		goto out;
	}
	nl_cache_foreach(links, print_link, NULL);
	nl_cache_foreach(routes, print_route, links);
	ret = 0;
out:
	nl_addr_put(local);
	nl_addr_put(dst);
	nl_addr_put(gw);
	nl_cache_free(routes);
	nl_cache_free(links);
	nl_socket_free(sk);
	if (ctl_fd >= 0)
		close(ctl_fd);
	return ret;
}
