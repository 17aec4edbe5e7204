// SPDX-License-Identifier: MIT
/*
 * Interface names and addresses answered from the emulated namespace.
 * glibc resolves if_nametoindex/if_indextoname with its own internal socket
 * and ioctl, and getifaddrs/if_nameindex with an internal netlink socket:
 * calls inside libc bypass the socket() hook, so without these
 * replacements `ip addr add … dev X` would resolve X on the host
 * (notes/rtnetlink.md §1.4). Each answer is one RTM_GETLINK (or a link and
 * an address dump) on a throw-away connection. Also the interface ioctls
 * iproute2 falls back to (SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFTXQLEN).
 */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>

#include "shim.h"

/* What one link answer tells. */
struct shim_link {
	int ifindex;
	unsigned flags;
	unsigned type;
	uint32_t txqlen;
	char name[IF_NAMESIZE];
	uint8_t addr[32];
	uint8_t brd[32];
	int addrlen;
	struct rtnl_link_stats stats;
	bool has_stats;
};

static void shim_parse_link(const struct nlmsghdr *h, struct shim_link *l)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	int rem = (int)IFLA_PAYLOAD(h);

	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	l->type = ifi->ifi_type;
	for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, rem); a = RTA_NEXT(a, rem)) {
		size_t len = RTA_PAYLOAD(a);
		switch (a->rta_type) {
		case IFLA_IFNAME:
			memcpy(l->name, RTA_DATA(a), len < IF_NAMESIZE ? len : IF_NAMESIZE - 1);
			break;
		case IFLA_TXQLEN:
			if (len >= 4)
				memcpy(&l->txqlen, RTA_DATA(a), 4);
			break;
		case IFLA_ADDRESS:
			l->addrlen = len <= sizeof(l->addr) ? (int)len : 0;
			memcpy(l->addr, RTA_DATA(a), (size_t)l->addrlen);
			break;
		case IFLA_BROADCAST:
			if (len <= sizeof(l->brd))
				memcpy(l->brd, RTA_DATA(a), len);
			break;
		case IFLA_STATS:
			if (len >= sizeof(l->stats)) {
				memcpy(&l->stats, RTA_DATA(a), sizeof(l->stats));
				l->has_stats = true;
			}
			break;
		}
	}
}

static int shim_link_one(const struct nlmsghdr *h, void *arg)
{
	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return 0;
	shim_parse_link(h, arg);
	return 1;
}

/* RTM_GETLINK by index or name. 0 or -errno (-ENODEV: no such link). */
static int shim_link_get(int ifindex, const char *name, struct shim_link *l)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
		uint8_t attrs[64];
	} req = { 0 };
	size_t off = NLMSG_LENGTH(sizeof(struct ifinfomsg));

	req.h.nlmsg_type = RTM_GETLINK;
	req.i.ifi_family = AF_UNSPEC;
	req.i.ifi_index = ifindex;
	if (name) {
		size_t n = strlen(name);
		if (n >= IF_NAMESIZE)
			return -ENODEV;
		shim_put_attr(&req, sizeof(req), &off, IFLA_IFNAME, name, n + 1);
	}
	uint32_t mask = RTEXT_FILTER_SKIP_STATS;
	shim_put_attr(&req, sizeof(req), &off, IFLA_EXT_MASK, &mask, 4);
	req.h.nlmsg_len = (uint32_t)off;
	l->ifindex = 0;
	int err = shim_request(&req.h, shim_link_one, l);
	if (!err && !l->ifindex)
		err = -ENODEV;
	return err;
}

unsigned int if_nametoindex(const char *name)
{
	SHIM_REAL(if_nametoindex);
	struct shim_link l;

	if (!shim_active())
		return real_if_nametoindex(name);
	int err = shim_link_get(0, name, &l);
	shim_log("if_nametoindex(%s) -> %d", name, err ? err : l.ifindex);
	if (err) {
		errno = ENODEV;
		return 0;
	}
	return (unsigned)l.ifindex;
}

char *if_indextoname(unsigned int ifindex, char buf[IF_NAMESIZE])
{
	SHIM_REAL(if_indextoname);
	struct shim_link l;

	if (!shim_active())
		return real_if_indextoname(ifindex, buf);
	if (!ifindex || ifindex > 0x7fffffff || shim_link_get((int)ifindex, NULL, &l)) {
		errno = ENXIO; /* glibc's answer for an unknown index */
		return NULL;
	}
	memcpy(buf, l.name, IF_NAMESIZE);
	return buf;
}

/* ------------------------------------------------------------- dumps */

/* A growing list of links or addresses from a dump. */
struct shim_list {
	struct shim_link *links;
	size_t n, cap;
	struct ifaddrs **tail; /* getifaddrs: where the next address goes */
	const struct shim_list *linklist;
	int err;
};

static int shim_links_one(const struct nlmsghdr *h, void *arg)
{
	struct shim_list *L = arg;

	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return 0;
	if (L->n == L->cap) {
		size_t cap = L->cap ? L->cap * 2 : 16;
		struct shim_link *v = realloc(L->links, cap * sizeof(*v));
		if (!v) {
			L->err = -ENOMEM;
			return 1;
		}
		L->links = v;
		L->cap = cap;
	}
	shim_parse_link(h, &L->links[L->n++]);
	return 0;
}

static int shim_dump(uint16_t type, shim_msg_fn fn, void *arg)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i; /* large enough for an ifaddrmsg too */
	} req = { 0 };

	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = NLM_F_DUMP;
	return shim_request(&req.h, fn, arg);
}

static int shim_links(struct shim_list *L)
{
	memset(L, 0, sizeof(*L));
	int err = shim_dump(RTM_GETLINK, shim_links_one, L);
	if (!err)
		err = L->err;
	if (err) {
		free(L->links);
		L->links = NULL;
	}
	return err;
}

struct if_nameindex *if_nameindex(void)
{
	SHIM_REAL(if_nameindex);
	struct shim_list L;

	if (!shim_active())
		return real_if_nameindex();
	int err = shim_links(&L);
	if (err) {
		errno = -err;
		return NULL;
	}
	struct if_nameindex *v = calloc(L.n + 1, sizeof(*v));
	for (size_t i = 0; v && i < L.n; i++) {
		v[i].if_index = (unsigned)L.links[i].ifindex;
		v[i].if_name = strdup(L.links[i].name);
		if (!v[i].if_name) {
			if_freenameindex(v);
			v = NULL;
		}
	}
	free(L.links);
	if (!v)
		errno = ENOBUFS;
	return v;
}

void if_freenameindex(struct if_nameindex *v)
{
	SHIM_REAL(if_freenameindex);
	if (!shim_active()) {
		real_if_freenameindex(v);
		return;
	}
	for (struct if_nameindex *p = v; p && p->if_name; p++)
		free(p->if_name);
	free(v);
}

/* One getifaddrs entry with room for what it points to; freed as one. */
struct shim_ifa {
	struct ifaddrs ifa;
	struct sockaddr_storage addr, mask, brd;
	char name[IF_NAMESIZE];
	struct rtnl_link_stats stats;
};

static struct shim_ifa *shim_ifa_new(struct shim_list *L, const struct shim_link *l)
{
	struct shim_ifa *e = calloc(1, sizeof(*e));
	if (!e) {
		L->err = -ENOMEM;
		return NULL;
	}
	memcpy(e->name, l->name, IF_NAMESIZE);
	e->ifa.ifa_name = e->name;
	e->ifa.ifa_flags = l->flags;
	*L->tail = &e->ifa;
	L->tail = &e->ifa.ifa_next;
	return e;
}

static const struct shim_link *shim_find_link(const struct shim_list *L, int ifindex)
{
	for (size_t i = 0; i < L->n; i++)
		if (L->links[i].ifindex == ifindex)
			return &L->links[i];
	return NULL;
}

static void shim_sin(struct sockaddr_storage *ss, uint32_t a)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = a;
}

static int shim_addrs_one(const struct nlmsghdr *h, void *arg)
{
	struct shim_list *L = arg;
	const struct ifaddrmsg *ifm = NLMSG_DATA(h);
	uint32_t local = 0, address = 0, brd = 0;
	bool has_local = false, has_brd = false;

	if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifm)) ||
	    ifm->ifa_family != AF_INET)
		return 0;
	int rem = (int)IFA_PAYLOAD(h);
	for (const struct rtattr *a = IFA_RTA(ifm); RTA_OK(a, rem); a = RTA_NEXT(a, rem)) {
		if (RTA_PAYLOAD(a) < 4)
			continue;
		if (a->rta_type == IFA_LOCAL) {
			memcpy(&local, RTA_DATA(a), 4);
			has_local = true;
		} else if (a->rta_type == IFA_ADDRESS) {
			memcpy(&address, RTA_DATA(a), 4);
		} else if (a->rta_type == IFA_BROADCAST) {
			memcpy(&brd, RTA_DATA(a), 4);
			has_brd = true;
		}
	}
	const struct shim_link *l = shim_find_link(L->linklist, (int)ifm->ifa_index);
	if (!l)
		return 0;
	struct shim_ifa *e = shim_ifa_new(L, l);
	if (!e)
		return 1;
	shim_sin(&e->addr, has_local ? local : address);
	uint32_t mask = ifm->ifa_prefixlen ? htonl(~0u << (32 - ifm->ifa_prefixlen)) : 0;
	shim_sin(&e->mask, mask);
	e->ifa.ifa_addr = (struct sockaddr *)&e->addr;
	e->ifa.ifa_netmask = (struct sockaddr *)&e->mask;
	/* glibc: the broadcast address with IFF_BROADCAST, else the peer */
	if (has_brd && (l->flags & IFF_BROADCAST)) {
		shim_sin(&e->brd, brd);
		e->ifa.ifa_broadaddr = (struct sockaddr *)&e->brd;
	} else if (has_local && address != local) {
		shim_sin(&e->brd, address);
		e->ifa.ifa_dstaddr = (struct sockaddr *)&e->brd;
	}
	return 0;
}

int getifaddrs(struct ifaddrs **ifap)
{
	SHIM_REAL(getifaddrs);
	struct shim_list links, addrs;
	struct ifaddrs *head = NULL;

	if (!shim_active())
		return real_getifaddrs(ifap);
	int err = shim_links(&links);
	if (err) {
		errno = -err;
		return -1;
	}
	memset(&addrs, 0, sizeof(addrs));
	addrs.tail = &head;
	addrs.linklist = &links;
	/* glibc order: the AF_PACKET entry of every link, then addresses */
	for (size_t i = 0; i < links.n && !addrs.err; i++) {
		const struct shim_link *l = &links.links[i];
		struct shim_ifa *e = shim_ifa_new(&addrs, l);
		if (!e)
			break;
		struct sockaddr_ll *ll = (struct sockaddr_ll *)&e->addr;
		ll->sll_family = AF_PACKET;
		ll->sll_ifindex = l->ifindex;
		ll->sll_hatype = (unsigned short)l->type;
		ll->sll_halen = (unsigned char)(l->addrlen <= 8 ? l->addrlen : 8);
		memcpy(ll->sll_addr, l->addr, ll->sll_halen);
		e->ifa.ifa_addr = (struct sockaddr *)&e->addr;
		if (l->flags & IFF_BROADCAST) {
			struct sockaddr_ll *bl = (struct sockaddr_ll *)&e->brd;
			*bl = *ll;
			memcpy(bl->sll_addr, l->brd, bl->sll_halen);
			e->ifa.ifa_broadaddr = (struct sockaddr *)&e->brd;
		}
		e->stats = l->stats;
		e->ifa.ifa_data = &e->stats;
	}
	if (!addrs.err)
		err = shim_dump(RTM_GETADDR, shim_addrs_one, &addrs);
	if (!err)
		err = addrs.err;
	free(links.links);
	if (err) {
		freeifaddrs(head);
		errno = -err;
		return -1;
	}
	*ifap = head;
	return 0;
}

void freeifaddrs(struct ifaddrs *ifa)
{
	SHIM_REAL(freeifaddrs);
	if (!shim_active()) {
		real_freeifaddrs(ifa);
		return;
	}
	while (ifa) {
		struct ifaddrs *next = ifa->ifa_next;
		free(ifa); /* the first member of its struct shim_ifa */
		ifa = next;
	}
}

/* ------------------------------------------------------------- ioctls */

int shim_ifreq_ioctl(int fd, unsigned long req, void *arg, int *ret)
{
	struct ifreq *ifr = arg;
	struct shim_link l;
	int err;

	(void)fd;
	if (req != SIOCGIFINDEX && req != SIOCGIFNAME && req != SIOCGIFTXQLEN)
		return 0;
	if (!ifr) {
		errno = EFAULT;
		*ret = -1;
		return 1;
	}
	if (req == SIOCGIFNAME) {
		err = shim_link_get(ifr->ifr_ifindex, NULL, &l);
	} else {
		char name[IF_NAMESIZE];
		memcpy(name, ifr->ifr_name, IF_NAMESIZE);
		name[IF_NAMESIZE - 1] = '\0';
		err = shim_link_get(0, name, &l);
	}
	if (err) {
		errno = ENODEV;
		*ret = -1;
		return 1;
	}
	if (req == SIOCGIFINDEX)
		ifr->ifr_ifindex = l.ifindex;
	else if (req == SIOCGIFNAME)
		memcpy(ifr->ifr_name, l.name, IF_NAMESIZE);
	else
		ifr->ifr_qlen = (int)l.txqlen;
	*ret = 0;
	return 1;
}
