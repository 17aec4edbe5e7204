/* SPDX-License-Identifier: MIT */
/*
 * Sockets inside a namespace, for built-in applications (ping, traceroute,
 * echo servers), shaped as Linux's net/sock.h:
 *
 *   struct net_proto_family  one per address family (AF_INET: af_inet.c),
 *                            registered with sock_register; its create
 *                            picks the protocol for (type, protocol).
 *   struct proto_ops         socket-level operations of a socket type
 *                            (inet_dgram_ops): bind, connect, sendmsg,
 *                            release. sock_bind, sock_sendto... call them.
 *   struct proto             the transport protocol (udp_prot, ping_prot):
 *                            object size, port allocation, hashing, send.
 *                            Registered with proto_register.
 *
 * Datagrams are pushed, not pulled: a protocol's receive handler finds
 * the socket and hands it the packet with sock_queue_rcv, which calls the
 * application's sock_ops.rcv; ICMP errors quoting what the socket sent
 * arrive through sock_queue_err (IP_RECVERR-style, always on).
 *
 * Stream sockets (SOCK_STREAM, inet_stream_ops) are pulled, as with
 * poll(2) on a non-blocking socket: sock_listen / sock_accept,
 * sock_connect (non-blocking: -EINPROGRESS, then sock_ops.connected with
 * 0 or the errno), sock_send / sock_recv (-EAGAIN when they would block),
 * sock_shutdown, sock_close; sock_ops.readable / writable say when to try
 * again, sock_ops.accept hands over each new connection. Owner thread
 * only; callbacks run there.
 */
#ifndef NSEMU_NETNS_SOCKET_H
#define NSEMU_NETNS_SOCKET_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "netns.h"

/* Socket types are 0..SOCK_PACKET, as the kernel's SOCK_MAX. */
#define SOCK_MAX (SOCK_PACKET + 1)

struct sock;

/* An error report (sock_extended_err + offender). */
struct sock_err {
	uint8_t type, code;	/* ICMP type and code */
	uint32_t info;		/* MTU for frag-needed */
	uint32_t offender;	/* source of the ICMP error, network order */
	uint32_t daddr;		/* destination of the original datagram */
	uint16_t dport;		/* original destination port / echo sequence */
	uint8_t ttl;		/* TTL of the error datagram as received */
	uint64_t tstamp;	/* loop time received */
};

/* The application's callbacks. */
struct sock_ops {
	/* A datagram arrived: payload at p->data (ICMP: from the ICMP header;
	 * UDP: the UDP payload), l3_off valid. Consumes pkt. */
	void (*rcv)(struct sock *sk, struct pkt *p, void *ctx);
	void (*err)(struct sock *sk, const struct sock_err *e, void *ctx);
	/* The namespace is being destroyed: the socket is closed and freed
	 * right after this returns (the app must not use sk again). */
	void (*gone)(struct sock *sk, void *ctx);
	/* Stream sockets. readable: sock_recv (or sock_accept on a
	 * listener) has something to return (data, EOF or an error);
	 * writable: sock_send has room again (or an error to return). */
	void (*readable)(struct sock *sk, void *ctx);
	void (*writable)(struct sock *sk, void *ctx);
	/* A non-blocking connect finished: 0, or -ECONNREFUSED,
	 * -ETIMEDOUT, -ENETUNREACH... (the socket's SO_ERROR). */
	void (*connected)(struct sock *sk, int err, void *ctx);
	/* A listener took a new connection @newsk, which now belongs to the
	 * application (sock_set_cb, sock_close). Without this callback new
	 * connections wait for sock_accept. */
	void (*accept)(struct sock *sk, struct sock *newsk, void *ctx);
};

/* ---- the application's API ---- */

/*
 * sock_create - a socket of @family/@type/@protocol in @ns, as
 * sock_create_kern: 0 and *res, or a negative errno: -EAFNOSUPPORT (no
 * such family), -EINVAL (type or protocol out of range),
 * -ESOCKTNOSUPPORT (no protocol of that type), -EPROTONOSUPPORT (the type
 * exists but not with that protocol), -ENOMEM, -EAGAIN (no free port).
 * @protocol 0 takes the type's first protocol (SOCK_DGRAM: UDP). The
 * socket is bound to an ephemeral port / echo id at once.
 */
int sock_create(struct netns *ns, int family, int type, int protocol, const struct sock_ops *ops,
		void *ctx, struct sock **res);
/* sock_open - sock_create(AF_INET, SOCK_DGRAM, @proto) for @proto
 * IPPROTO_ICMP (ping socket) or IPPROTO_UDP; NULL on any failure. */
struct sock *sock_open(struct netns *ns, int proto, const struct sock_ops *ops, void *ctx);
void sock_close(struct sock *sk);
int sock_bind(struct sock *sk, uint32_t addr, uint16_t port); /* port host order */
/* Connect to @daddr/@dport (daddr 0: disconnect); -EOPNOTSUPP where the
 * protocol has no connect (ping and UDP sockets today). */
int sock_connect(struct sock *sk, uint32_t daddr, uint16_t dport);
uint16_t sock_port(const struct sock *sk);			 /* host order */
void sock_set_ttl(struct sock *sk, int ttl);			 /* 0 = default */
void sock_set_tos(struct sock *sk, uint8_t tos);
/* IP_MTU_DISCOVER: DO (true) or DONT (false). A new socket has WANT, or
 * DONT when net.ipv4.ip_no_pmtu_disc is set: DF while the datagram fits
 * the path MTU, fragmented locally when it does not. */
void sock_set_df(struct sock *sk, bool df);
void sock_set_broadcast(struct sock *sk, bool on);		 /* SO_BROADCAST, default off */
/* Send a datagram. ICMP: @data is an ICMP header + payload (the id is
 * overwritten with the socket's, checksum filled). UDP: the payload.
 * Returns bytes sent or a negative errno (-ENETUNREACH, -EHOSTUNREACH,
 * -EACCES, -EMSGSIZE...). */
int sock_sendto(struct sock *sk, uint32_t daddr, uint16_t dport, const void *data, unsigned len);
/*
 * Stream sockets (errnos as Linux's for a non-blocking socket):
 * sock_listen: 0, -EINVAL (connected, or not a stream socket: -EOPNOTSUPP),
 * -EADDRINUSE. sock_accept: 0 and *res, -EAGAIN, -EINVAL (not listening).
 * sock_connect on a stream socket: -EINPROGRESS (then cb->connected),
 * -EISCONN, -EALREADY, -EADDRNOTAVAIL (no ephemeral port), routing errnos.
 * sock_send: bytes taken into the send buffer (possibly fewer than @len),
 * -EAGAIN (buffer full), -EPIPE (shut down for writing or reset),
 * -ENOTCONN, or a pending error (-ECONNRESET...).
 * sock_recv: bytes, 0 at end of stream, -EAGAIN, -ENOTCONN, or a pending
 * error. sock_shutdown: SHUT_RD/WR/RDWR; 0 or -ENOTCONN / -EINVAL.
 * sock_error: SO_ERROR (a negative errno or 0), cleared on read.
 * sock_getname: the local (@peer false) or remote address, network order
 * address and host order port; -ENOTCONN for an unconnected peer.
 */
int sock_listen(struct sock *sk, int backlog);
int sock_accept(struct sock *sk, struct sock **res);
int sock_send(struct sock *sk, const void *data, unsigned len);
int sock_recv(struct sock *sk, void *buf, unsigned len);
int sock_shutdown(struct sock *sk, int how);
int sock_error(struct sock *sk);
int sock_getname(const struct sock *sk, bool peer, uint32_t *addr, uint16_t *port);
/* SO_REUSEADDR (before bind/listen). */
void sock_set_reuseaddr(struct sock *sk, bool on);
/* Replace the application's callbacks (an accepted socket starts without). */
void sock_set_cb(struct sock *sk, const struct sock_ops *ops, void *ctx);

/*
 * Socket options, as setsockopt(2) / getsockopt(2) with Linux's levels,
 * names and errnos: @level SOL_SOCKET is the socket layer's own
 * (SO_REUSEADDR, SO_BROADCAST, SO_KEEPALIVE, SO_SNDBUF, SO_RCVBUF,
 * SO_LINGER (a struct linger), SO_ERROR, SO_TYPE, SO_PROTOCOL, SO_DOMAIN); every other level goes to
 * the protocol (struct proto's setsockopt / getsockopt: IPPROTO_IP,
 * IPPROTO_TCP).
 * sock_setsockopt: 0, -EINVAL (@len too short for the option, or a value
 * out of its range), -ENOPROTOOPT (no such option at that level, or the
 * level unknown to the protocol).
 * sock_getsockopt: *@len holds the room at @val on entry and the bytes
 * written on return; a short room truncates the value as Linux does (no
 * error). 0, -ENOPROTOOPT (unknown option), -EOPNOTSUPP (a level the
 * protocol does not know, as ip_getsockopt). Values are ints unless the
 * option says otherwise. Owner thread.
 */
int sock_setsockopt(struct sock *sk, int level, int optname, const void *val, unsigned len);
int sock_getsockopt(struct sock *sk, int level, int optname, void *val, unsigned *len);
/* Helpers for protocols' hooks: an int option's value (-EINVAL when
 * @len < sizeof(int)), and an int result copied into at most *@len bytes. */
int sockopt_get_int(const void *val, unsigned len, int *v);
int sockopt_put_int(void *val, unsigned *len, int v);

/* The namespace is being destroyed: every socket's gone(), then freed. */
void sock_exit(struct netns *ns);
/* Start-up: register sock_exit per namespace (the table is made lazily). */
void sock_init(void);

/* ---- the protocol side ---- */

/* The socket. Fields from `type` on are the inet_sock part (one family). */
struct sock {
	struct sock *next;		/* chain in the protocol's port hash */
	struct netns *ns;
	struct proto *prot;
	const struct proto_ops *ops;
	const struct sock_ops *cb;	/* the application's callbacks */
	void *cb_ctx;
	int family, type, protocol;
	uint16_t num;			/* host order: local port or echo id (inet_num) */
	uint32_t rcv_saddr;		/* bound address, 0 = any (inet_rcv_saddr) */
	int ttl;			/* 0 = ip_default_ttl */
	uint8_t tos;
	uint8_t pmtudisc;		/* IP_PMTUDISC_DONT, WANT, DO */
	bool broadcast;			/* SO_BROADCAST: may send to broadcast addresses */
	bool closing;			/* inside cb->gone: sock_close must not free */
	bool reuse;			/* SO_REUSEADDR */
	uint32_t saddr;			/* source in use (inet_saddr), network order */
	uint32_t daddr;			/* peer address (inet_daddr) */
	uint16_t dport;			/* peer port, host order */
	int err;			/* SO_ERROR: pending negative errno */
	bool orphan;			/* closed by the application, kept by the protocol */
	bool keepopen;			/* SO_KEEPALIVE (SOCK_KEEPOPEN) */
	uint8_t userlocks;		/* SOCK_SNDBUF_LOCK | SOCK_RCVBUF_LOCK: set by the app */
	int sndbuf, rcvbuf;		/* SO_SNDBUF / SO_RCVBUF as getsockopt shows them */
	bool linger;			/* SO_LINGER l_onoff (SOCK_LINGER) */
	int64_t lingertime;		/* its l_linger, seconds; SOCK_LINGER_MAX for "forever" */
	int bound_dev_if;		/* SO_BINDTODEVICE: the device (or VRF) it is bound to, 0 none */
};

/*
 * inet_bound_dev_eq: may a socket bound to @bound_dev_if take a datagram
 * received on @dif, whose VRF is @sdif (0: none)? A bound socket: only
 * from that device or that VRF; an unbound one: only outside a VRF, unless
 * @l3mdev_accept (net.ipv4.udp_l3mdev_accept and the like).
 */
static inline bool inet_bound_dev_eq(bool l3mdev_accept, int bound_dev_if, int dif, int sdif)
{
	if (!bound_dev_if)
		return !sdif || l3mdev_accept;
	return bound_dev_if == dif || bound_dev_if == sdif;
}

/* sk->userlocks, as the kernel's. */
#define SOCK_SNDBUF_LOCK 1
#define SOCK_RCVBUF_LOCK 2
#define SOCK_BINDADDR_LOCK 4 /* bound to an address by the app (inet_bind) */
/* net.core.{w,r}mem_default and _max (the kernel's compiled values,
 * SK_WMEM_MAX / SK_RMEM_MAX), and the floors of SO_SNDBUF / SO_RCVBUF
 * on x86_64 (SOCK_MIN_SNDBUF = 2 * TCP_SKB_MIN_TRUESIZE). */
#define SOCK_WMEM_DEFAULT 212992
#define SOCK_RMEM_DEFAULT 212992
#define SOCK_WMEM_MAX 212992
#define SOCK_RMEM_MAX 212992
#define SOCK_MIN_SNDBUF 4608
#define SOCK_MIN_RCVBUF 2304
/* MAX_SCHEDULE_TIMEOUT / HZ (HZ 250): where a negative l_linger ends */
#define SOCK_LINGER_MAX (INT64_MAX / 250)

struct proto_ops {
	int family;
	int (*bind)(struct sock *sk, uint32_t addr, uint16_t port);
	int (*connect)(struct sock *sk, uint32_t daddr, uint16_t dport);
	int (*sendmsg)(struct sock *sk, uint32_t daddr, uint16_t dport, const void *data,
		       unsigned len);
	/* Undo everything but the memory (sock_close frees), unless
	 * release_frees: then release frees the socket itself, at once or,
	 * for an orphan it keeps (TCP's FIN_WAIT, TIME_WAIT), later. */
	void (*release)(struct sock *sk);
	bool release_frees;
	/* Stream sockets; NULL elsewhere (the callers' -EOPNOTSUPP). */
	int (*listen)(struct sock *sk, int backlog);
	int (*accept)(struct sock *sk, struct sock **res);
	int (*send)(struct sock *sk, const void *data, unsigned len);
	int (*recv)(struct sock *sk, void *buf, unsigned len);
	int (*shutdown)(struct sock *sk, int how);
};

/*
 * A transport protocol. Every op but close and get_port may be NULL.
 * get_port(sk, port): move @sk to @port (0: a free ephemeral one) in the
 * protocol's hash; 0, or -EADDRINUSE / -EAGAIN.
 */
struct proto {
	const char *name;
	unsigned obj_size;		/* bytes of the protocol's sock (>= struct sock) */
	int (*init)(struct sock *sk);
	void (*close)(struct sock *sk);
	int (*bind)(struct sock *sk, uint32_t addr, uint16_t port); /* NULL: inet_bind's */
	int (*connect)(struct sock *sk, uint32_t daddr, uint16_t dport);
	int (*disconnect)(struct sock *sk); /* connect to daddr 0 */
	int (*sendmsg)(struct sock *sk, uint32_t daddr, uint16_t dport, const void *data,
		       unsigned len);
	int (*get_port)(struct sock *sk, uint16_t port);
	void (*hash)(struct sock *sk);
	void (*unhash)(struct sock *sk);
	/* Options of every level but SOL_SOCKET (sock_setsockopt's
	 * contract); NULL: -ENOPROTOOPT / -EOPNOTSUPP. keepalive: SO_KEEPALIVE
	 * changed to @on (tcp_set_keepalive); may be NULL. */
	int (*setsockopt)(struct sock *sk, int level, int optname, const void *val, unsigned len);
	int (*getsockopt)(struct sock *sk, int level, int optname, void *val, unsigned *len);
	void (*keepalive)(struct sock *sk, bool on);
	int slot;			/* proto_register's: index of its per-netns hash */
};

/* An address family (net_proto_family): create allocates *res for
 * (type, protocol) or returns a negative errno (sock_create's list). */
struct net_proto_family {
	int family;
	int (*create)(struct netns *ns, int type, int protocol, struct sock **res);
};

/* Start-up only, before packets flow; idempotent. -ENOBUFS if full. */
int sock_register(const struct net_proto_family *ops);
int proto_register(struct proto *prot);

/* sk_alloc - a zeroed prot->obj_size socket in @ns (not hashed); NULL on
 * no memory. sk_free releases it. */
struct sock *sk_alloc(struct netns *ns, struct proto *prot);
void sk_free(struct sock *sk);

/*
 * Per-namespace port hash of each registered protocol (the kernel's
 * udp_table / ping_table), keyed by sk->num; only a protocol that
 * proto_register'ed may use it. sock_hash / sock_unhash are
 * the hash / unhash ops of a protocol that uses it; sock_lookup finds the
 * socket of @prot holding @num (NULL if none); sock_get_port is a get_port
 * whose ephemeral ports come from a rover over [@lo, @hi].
 */
void sock_hash(struct sock *sk);
void sock_unhash(struct sock *sk);
struct sock *sock_lookup(struct netns *ns, const struct proto *prot, uint16_t num);
int sock_get_port(struct sock *sk, uint16_t port, uint16_t lo, uint16_t hi);

/* Hand @p to the application (Linux's sock_queue_rcv_skb). Consumes pkt
 * and returns true, or false (pkt untouched) when the socket takes none.
 * Inline: UDP's receive path. */
static inline bool sock_queue_rcv(struct sock *sk, struct pkt *p)
{
	if (!sk->cb || !sk->cb->rcv)
		return false;
	sk->cb->rcv(sk, p, sk->cb_ctx);
	return true;
}
/* Report an error to the application (sock_queue_err_skb). */
void sock_queue_err(struct sock *sk, const struct sock_err *e);

#endif
