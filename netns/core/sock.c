// SPDX-License-Identifier: MIT
/*
 * The socket layer, as net/socket.c and net/core/sock.c: sock_create asks
 * the registered address family (sock_register; AF_INET is af_inet.c) for
 * a socket, and the application's calls go through the socket's proto_ops
 * to its protocol (struct proto). This file names no protocol. It also
 * keeps, per namespace and registered protocol, the port hash that ping
 * and UDP use (created with the namespace's first socket of that
 * protocol), and hands received data and errors to the application's
 * callbacks. Registration is start-up only; everything else runs on the
 * namespace's owner thread.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/compiler.h"

#include "dev.h"
#include "sock.h"

#define SOCK_HASHSZ 64
#define SOCK_PROTO_MAX 8

/* The port hash of one protocol in one namespace. */
struct sock_hash {
	struct sock *chain[SOCK_HASHSZ];
	uint16_t rover;		/* last ephemeral port given out */
};

struct sock_table {
	struct sock_hash *h[SOCK_PROTO_MAX]; /* by proto->slot */
};

/* Process-wide, filled at start-up before packets flow (read-only after). */
static const struct net_proto_family *net_families[AF_MAX];
static struct proto *protos[SOCK_PROTO_MAX];
static unsigned nprotos;

/*
 * sock_register - make @ops the creator of @ops->family's sockets.
 * -EINVAL for a family out of range, -EEXIST if another holds it.
 */
int sock_register(const struct net_proto_family *ops)
{
	if (ops->family < 0 || ops->family >= AF_MAX)
		return -EINVAL;
	if (net_families[ops->family] && net_families[ops->family] != ops)
		return -EEXIST;
	net_families[ops->family] = ops;
	return 0;
}

static bool proto_registered(const struct proto *prot)
{
	return prot->slot >= 0 && (unsigned)prot->slot < nprotos && protos[prot->slot] == prot;
}

/*
 * proto_register - give @prot its slot in every namespace's socket table
 * (its port hash). Sockets exit in registration order. -ENOBUFS when
 * SOCK_PROTO_MAX protocols are registered.
 */
int proto_register(struct proto *prot)
{
	if (proto_registered(prot))
		return 0;
	if (nprotos == SOCK_PROTO_MAX)
		return -ENOBUFS;
	prot->slot = (int)nprotos;
	protos[nprotos++] = prot;
	return 0;
}

/* The port hash of @prot in @ns, created if @create; NULL if absent, on
 * no memory, or for a protocol that did not register one. */
static struct sock_hash *sock_hash_get(struct netns *ns, const struct proto *prot, bool create)
{
	struct sock_table *t = ns->socks;

	if (!proto_registered(prot))
		return NULL;
	if (!t) {
		if (!create)
			return NULL;
		t = calloc(1, sizeof(*t));
		if (!t)
			return NULL;
		ns->socks = t;
	}
	if (!t->h[prot->slot] && create)
		t->h[prot->slot] = calloc(1, sizeof(*t->h[prot->slot]));
	return t->h[prot->slot];
}

/*
 * sk_alloc - a zeroed socket of @prot->obj_size bytes in @ns, with the
 * protocol's port hash ready if it registered one. NULL on no memory.
 */
struct sock *sk_alloc(struct netns *ns, struct proto *prot)
{
	size_t size = prot->obj_size > sizeof(struct sock) ? prot->obj_size : sizeof(struct sock);
	struct sock *sk;

	if (proto_registered(prot) && !sock_hash_get(ns, prot, true))
		return NULL;
	sk = calloc(1, size);
	if (!sk)
		return NULL;
	sk->ns = ns;
	sk->prot = prot;
	/* inet_create: path MTU discovery unless ip_no_pmtu_disc */
	sk->pmtudisc = ns->sysctl.ip_no_pmtu_disc ? IP_PMTUDISC_DONT : IP_PMTUDISC_WANT;
	/* sock_init_data: net.core.wmem_default / rmem_default (TCP's init
	 * takes tcp_wmem[1] / tcp_rmem[1] instead) */
	sk->sndbuf = SOCK_WMEM_DEFAULT;
	sk->rcvbuf = SOCK_RMEM_DEFAULT;
	return sk;
}

void sk_free(struct sock *sk)
{
	free(sk);
}

static struct sock *sock_hash_find(const struct sock_hash *h, uint16_t num)
{
	struct sock *sk;

	for (sk = h->chain[num % SOCK_HASHSZ]; sk; sk = sk->next)
		if (sk->num == num)
			return sk;
	return NULL;
}

/* sock_lookup - the socket of @prot in @ns bound to @num, or NULL. */
struct sock *sock_lookup(struct netns *ns, const struct proto *prot, uint16_t num)
{
	struct sock_table *t = ns->socks;

	if (!t || !t->h[prot->slot])
		return NULL;
	return sock_hash_find(t->h[prot->slot], num);
}

/* sock_hash - add @sk to its protocol's hash under sk->num. */
void sock_hash(struct sock *sk)
{
	struct sock **pp = &sk->ns->socks->h[sk->prot->slot]->chain[sk->num % SOCK_HASHSZ];

	sk->next = *pp;
	*pp = sk;
}

/* sock_unhash - remove @sk from its protocol's hash; harmless if absent. */
void sock_unhash(struct sock *sk)
{
	struct sock_hash *h = sock_hash_get(sk->ns, sk->prot, false);
	struct sock **pp;

	if (!h)
		return;
	pp = &h->chain[sk->num % SOCK_HASHSZ];
	while (*pp && *pp != sk)
		pp = &(*pp)->next;
	if (*pp)
		*pp = sk->next;
	sk->next = NULL;
}

/*
 * sock_get_port - move @sk to @port in its protocol's hash, or with @port
 * 0 to the next free one of [@lo, @hi] after the namespace's rover
 * (wrapping to @lo). -EADDRINUSE if @port is held, -EAGAIN if every
 * ephemeral port is, -EINVAL for a protocol that did not proto_register.
 */
int sock_get_port(struct sock *sk, uint16_t port, uint16_t lo, uint16_t hi)
{
	struct sock_hash *h = sock_hash_get(sk->ns, sk->prot, false);
	unsigned i;

	if (!h)
		return -EINVAL;
	if (port) {
		if (sock_hash_find(h, port))
			return -EADDRINUSE;
	} else {
		for (i = 0; i <= (unsigned)(hi - lo); i++) {
			uint16_t next = (uint16_t)(h->rover + 1);

			if (next < lo || next > hi)
				next = lo;
			h->rover = next;
			if (!sock_hash_find(h, next)) {
				port = next;
				break;
			}
		}
		if (!port)
			return -EAGAIN;
	}
	if (sk->num)
		sk->prot->unhash(sk);
	sk->num = port;
	sk->prot->hash(sk);
	return 0;
}

void sock_queue_err(struct sock *sk, const struct sock_err *e)
{
	if (sk->cb && sk->cb->err)
		sk->cb->err(sk, e, sk->cb_ctx);
}

/*
 * sock_create - see sock.h; the checks are __sock_create's, in its order.
 * Owner thread.
 */
int sock_create(struct netns *ns, int family, int type, int protocol, const struct sock_ops *ops,
		void *ctx, struct sock **res)
{
	const struct net_proto_family *pf;
	struct sock *sk;
	int err;

	NS_ASSERT_OWNER(ns);
	*res = NULL;
	if (family < 0 || family >= AF_MAX)
		return -EAFNOSUPPORT;
	if (type < 0 || type >= SOCK_MAX)
		return -EINVAL;
	pf = net_families[family];
	if (!pf)
		return -EAFNOSUPPORT;
	err = pf->create(ns, type, protocol, &sk);
	if (err)
		return err;
	sk->cb = ops;
	sk->cb_ctx = ctx;
	*res = sk;
	return 0;
}

/*
 * sock_open - a ping or UDP socket (see sock.h). @proto must name the
 * protocol: 0, which sock_create reads as "the type's default", is
 * refused. Owner thread.
 */
struct sock *sock_open(struct netns *ns, int proto, const struct sock_ops *ops, void *ctx)
{
	struct sock *sk;

	NS_ASSERT_OWNER(ns);
	if (proto == 0)
		return NULL;
	if (sock_create(ns, AF_INET, SOCK_DGRAM, proto, ops, ctx, &sk) < 0)
		return NULL;
	return sk;
}

/* sock_close - release and free. NULL is ok. Owner thread. */
void sock_close(struct sock *sk)
{
	if (!sk || sk->closing)
		return;
	NS_ASSERT_OWNER(sk->ns);
	bool frees = sk->ops->release_frees;

	sk->cb = NULL;
	sk->cb_ctx = NULL;
	sk->ops->release(sk);
	if (!frees)
		sk_free(sk);
}

/*
 * sock_bind - bind to @addr (0 = any) and @port (host order; 0 keeps the
 * current one): the family's bind (inet_bind: -EADDRNOTAVAIL,
 * -EADDRINUSE). Owner thread.
 */
int sock_bind(struct sock *sk, uint32_t addr, uint16_t port)
{
	NS_ASSERT_OWNER(sk->ns);
	return sk->ops->bind(sk, addr, port);
}

/* sock_connect - see sock.h: datagram sockets set their peer, stream
 * sockets start the handshake (-EINPROGRESS). Owner thread. */
int sock_connect(struct sock *sk, uint32_t daddr, uint16_t dport)
{
	NS_ASSERT_OWNER(sk->ns);
	if (!sk->ops->connect)
		return -EOPNOTSUPP;
	return sk->ops->connect(sk, daddr, dport);
}

uint16_t sock_port(const struct sock *sk)
{
	return sk->num;
}

void sock_set_ttl(struct sock *sk, int ttl)
{
	sk->ttl = ttl < 0 || ttl > 255 ? 0 : ttl;
}

void sock_set_tos(struct sock *sk, uint8_t tos)
{
	sk->tos = tos;
}

void sock_set_df(struct sock *sk, bool df)
{
	sk->pmtudisc = df ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT;
}

void sock_set_broadcast(struct sock *sk, bool on)
{
	int v = on;

	sock_setsockopt(sk, SOL_SOCKET, SO_BROADCAST, &v, sizeof(v));
}

/* The stream calls: the socket type's op, -EOPNOTSUPP without one (as
 * listen(2)/accept(2) on a datagram socket). Owner thread. */
int sock_listen(struct sock *sk, int backlog)
{
	NS_ASSERT_OWNER(sk->ns);
	return sk->ops->listen ? sk->ops->listen(sk, backlog) : -EOPNOTSUPP;
}

int sock_accept(struct sock *sk, struct sock **res)
{
	NS_ASSERT_OWNER(sk->ns);
	*res = NULL;
	return sk->ops->accept ? sk->ops->accept(sk, res) : -EOPNOTSUPP;
}

int sock_send(struct sock *sk, const void *data, unsigned len)
{
	NS_ASSERT_OWNER(sk->ns);
	return sk->ops->send ? sk->ops->send(sk, data, len) : -EOPNOTSUPP;
}

int sock_recv(struct sock *sk, void *buf, unsigned len)
{
	NS_ASSERT_OWNER(sk->ns);
	return sk->ops->recv ? sk->ops->recv(sk, buf, len) : -EOPNOTSUPP;
}

/* sock_shutdown - @how SHUT_RD, SHUT_WR or SHUT_RDWR (else -EINVAL, as
 * inet_shutdown). */
int sock_shutdown(struct sock *sk, int how)
{
	NS_ASSERT_OWNER(sk->ns);
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	return sk->ops->shutdown ? sk->ops->shutdown(sk, how) : -EOPNOTSUPP;
}

/* sock_error - SO_ERROR: the pending error, cleared (sock_error()). */
int sock_error(struct sock *sk)
{
	int err = sk->err;

	sk->err = 0;
	return err;
}

/* sock_getname - inet_getname: the bound address (or the source in use)
 * and port, or the peer's (-ENOTCONN without one). */
int sock_getname(const struct sock *sk, bool peer, uint32_t *addr, uint16_t *port)
{
	if (peer) {
		if (!sk->dport)
			return -ENOTCONN;
		*addr = sk->daddr;
		*port = sk->dport;
		return 0;
	}
	*addr = sk->saddr ? sk->saddr : sk->rcv_saddr;
	*port = sk->num;
	return 0;
}

void sock_set_reuseaddr(struct sock *sk, bool on)
{
	int v = on;

	sock_setsockopt(sk, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v));
}

/* ---- socket options ---- */

int sockopt_get_int(const void *val, unsigned len, int *v)
{
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(v, val, sizeof(int));
	return 0;
}

/* Linux's getsockopt copies min(room, sizeof(int)) bytes of the value. */
int sockopt_put_int(void *val, unsigned *len, int v)
{
	unsigned n = MIN(*len, (unsigned)sizeof(int));

	memcpy(val, &v, n);
	*len = n;
	return 0;
}

/* __sock_set_sndbuf / __sock_set_rcvbuf: the value (taken unsigned, so a
 * negative one is huge) capped at wmem_max / rmem_max and at INT_MAX / 2,
 * doubled for the kernel's bookkeeping overhead, with a floor; locked so
 * that autotuning leaves it alone. */
static int sock_bufsize(int v, unsigned max, int floor)
{
	unsigned u = MIN((unsigned)v, max);

	u = MIN(u, (unsigned)INT_MAX / 2);
	return MAX((int)(u * 2), floor);
}

/*
 * sock_setbindtodevice: SO_BINDTODEVICE takes a device name (at most
 * IFNAMSIZ - 1 bytes of it are read); "" or a zero length unbinds. A name
 * of no device: -ENODEV. Datagrams then route through the device (a VRF:
 * in its table) and are taken only from it (or from its VRF's ports).
 */
static int sock_setbindtodevice(struct sock *sk, const void *val, unsigned len)
{
	char name[IFNAMSIZ] = "";
	int ifindex = 0;

	memcpy(name, val, MIN(len, (unsigned)IFNAMSIZ - 1));
	if (name[0]) {
		struct netdev *dev = dev_get_by_name(sk->ns, name);

		if (!dev)
			return -ENODEV;
		ifindex = dev->ifindex;
	}
	sk->bound_dev_if = ifindex;
	return 0;
}

/* sock_getbindtodevice: the name, NUL included (-EINVAL if it does not
 * fit); nothing (length 0) for an unbound socket. */
static int sock_getbindtodevice(struct sock *sk, void *val, unsigned *len)
{
	struct netdev *dev = sk->bound_dev_if ? dev_get_by_index(sk->ns, sk->bound_dev_if) : NULL;
	unsigned n;

	if (!sk->bound_dev_if) {
		*len = 0;
		return 0;
	}
	if (!dev)
		return -ENODEV;
	n = (unsigned)strlen(dev->name) + 1;
	if (*len < n)
		return -EINVAL;
	memcpy(val, dev->name, n);
	*len = n;
	return 0;
}

/* sk_setsockopt: level SOL_SOCKET. The length check comes first, for
 * every option (even an unknown one), as the kernel's; SO_BINDTODEVICE,
 * whose value is a name, before it. */
/* SO_LINGER: l_onoff 0 keeps the old time; a negative l_linger (huge
 * as the kernel's unsigned long) lingers "forever". */
static int sock_set_linger(struct sock *sk, const void *val, unsigned len)
{
	struct linger l;

	if (len < sizeof(l))
		return -EINVAL;
	memcpy(&l, val, sizeof(l));
	if (!l.l_onoff) {
		sk->linger = false;
		return 0;
	}
	sk->lingertime = l.l_linger < 0 ? SOCK_LINGER_MAX : l.l_linger;
	sk->linger = true;
	return 0;
}

static int sock_get_linger(const struct sock *sk, void *val, unsigned *len)
{
	/* the kernel's int l_linger holds the low bits of lingertime / HZ */
	struct linger l = { .l_onoff = sk->linger, .l_linger = (int)(uint32_t)sk->lingertime };
	unsigned n = MIN(*len, (unsigned)sizeof(l));

	memcpy(val, &l, n);
	*len = n;
	return 0;
}

static int sk_setsockopt(struct sock *sk, int optname, const void *val, unsigned len)
{
	int v, err;

	if (optname == SO_BINDTODEVICE)
		return sock_setbindtodevice(sk, val, len);
	err = sockopt_get_int(val, len, &v);
	if (err)
		return err;
	switch (optname) {
	case SO_LINGER:
		return sock_set_linger(sk, val, len);
	case SO_REUSEADDR:
		sk->reuse = v != 0;
		return 0;
	case SO_BROADCAST:
		sk->broadcast = v != 0;
		return 0;
	case SO_KEEPALIVE:
		if (sk->prot->keepalive)
			sk->prot->keepalive(sk, v != 0);
		sk->keepopen = v != 0;
		return 0;
	case SO_SNDBUF:
		sk->userlocks |= SOCK_SNDBUF_LOCK;
		sk->sndbuf = sock_bufsize(v, SOCK_WMEM_MAX, SOCK_MIN_SNDBUF);
		return 0;
	case SO_RCVBUF:
		sk->userlocks |= SOCK_RCVBUF_LOCK;
		sk->rcvbuf = sock_bufsize(v, SOCK_RMEM_MAX, SOCK_MIN_RCVBUF);
		return 0;
	default:
		/* SO_ERROR, SO_TYPE... are read-only: ENOPROTOOPT as well */
		return -ENOPROTOOPT;
	}
}

static int sk_getsockopt(struct sock *sk, int optname, void *val, unsigned *len)
{
	int v;

	switch (optname) {
	case SO_BINDTODEVICE:
		return sock_getbindtodevice(sk, val, len);
	case SO_LINGER:
		return sock_get_linger(sk, val, len);
	case SO_REUSEADDR:
		v = sk->reuse;
		break;
	case SO_BROADCAST:
		v = sk->broadcast;
		break;
	case SO_KEEPALIVE:
		v = sk->keepopen;
		break;
	case SO_SNDBUF:
		v = sk->sndbuf;
		break;
	case SO_RCVBUF:
		v = sk->rcvbuf;
		break;
	case SO_ERROR:
		/* the pending error as a positive errno, cleared */
		v = -sock_error(sk);
		break;
	case SO_TYPE:
		v = sk->type;
		break;
	case SO_PROTOCOL:
		v = sk->protocol;
		break;
	case SO_DOMAIN:
		v = sk->family;
		break;
	default:
		return -ENOPROTOOPT;
	}
	return sockopt_put_int(val, len, v);
}

/* sock_setsockopt - see sock.h: SOL_SOCKET here (__sys_setsockopt's
 * sock_setsockopt), any other level to the protocol. Owner thread. */
int sock_setsockopt(struct sock *sk, int level, int optname, const void *val, unsigned len)
{
	NS_ASSERT_OWNER(sk->ns);
	if (level == SOL_SOCKET)
		return sk_setsockopt(sk, optname, val, len);
	if (!sk->prot->setsockopt)
		return -ENOPROTOOPT;
	return sk->prot->setsockopt(sk, level, optname, val, len);
}

int sock_getsockopt(struct sock *sk, int level, int optname, void *val, unsigned *len)
{
	NS_ASSERT_OWNER(sk->ns);
	if (level == SOL_SOCKET)
		return sk_getsockopt(sk, optname, val, len);
	if (!sk->prot->getsockopt)
		return -EOPNOTSUPP;
	return sk->prot->getsockopt(sk, level, optname, val, len);
}

void sock_set_cb(struct sock *sk, const struct sock_ops *ops, void *ctx)
{
	sk->cb = ops;
	sk->cb_ctx = ctx;
}

/* sock_sendto - the socket type's sendmsg (see sock.h). Owner thread. */
int sock_sendto(struct sock *sk, uint32_t daddr, uint16_t dport, const void *data, unsigned len)
{
	NS_ASSERT_OWNER(sk->ns);
	return sk->ops->sendmsg(sk, daddr, dport, data, len);
}

/*
 * sock_exit - the namespace is being destroyed: for each protocol in
 * registration order, tell every socket's owner (cb->gone), release the
 * socket and free it. Owner thread.
 */
void sock_exit(struct netns *ns)
{
	struct sock_table *t = ns->socks;
	unsigned slot, i;

	if (!t)
		return;
	for (slot = 0; slot < SOCK_PROTO_MAX; slot++) {
		struct sock_hash *h = t->h[slot];

		if (!h)
			continue;
		for (i = 0; i < SOCK_HASHSZ; i++) {
			while (h->chain[i]) {
				struct sock *sk = h->chain[i];

				sk->closing = true;
				if (sk->cb && sk->cb->gone)
					sk->cb->gone(sk, sk->cb_ctx);
				sk->ops->release(sk);
				if (h->chain[i] == sk) /* a release that left it hashed */
					h->chain[i] = sk->next;
				sk_free(sk);
			}
		}
		free(h);
	}
	free(t);
	ns->socks = NULL;
}

static const struct pernet_operations sock_net_ops = {
	.name = "sock",
	.exit = sock_exit,
};

void sock_init(void)
{
	register_pernet_subsys(&sock_net_ops);
}
