// SPDX-License-Identifier: MIT
/*
 * TCP's socket calls, as net/ipv4/tcp.c and the stream half of af_inet.c:
 * inet_stream_ops (bind, connect, listen, accept, send, recv, shutdown,
 * release) over tcp_prot; tcp_set_state with the counters it keeps
 * (CurrEstab, EstabResets, AttemptFails); tcp_close, which sends a FIN or,
 * with unread data, a RST (RFC 9293 3.10.4 and Linux's tcp_close); and
 * the end of a connection (tcp_done, tcp_reset). Owner thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rand.h"
#include "af_inet.h"
#include "tcp.h"
#include "tcp_diag.h"

static const char *const tcp_state_names[TCP_MAX_STATES] = {
	[0] = "UNKNOWN",
	[TCP_ESTABLISHED] = "ESTAB",
	[TCP_SYN_SENT] = "SYN-SENT",
	[TCP_SYN_RECV] = "SYN-RECV",
	[TCP_FIN_WAIT1] = "FIN-WAIT-1",
	[TCP_FIN_WAIT2] = "FIN-WAIT-2",
	[TCP_TIME_WAIT] = "TIME-WAIT",
	[TCP_CLOSE] = "UNCONN",
	[TCP_CLOSE_WAIT] = "CLOSE-WAIT",
	[TCP_LAST_ACK] = "LAST-ACK",
	[TCP_LISTEN] = "LISTEN",
	[TCP_CLOSING] = "CLOSING",
};

const char *tcp_state_name(int state)
{
	return state > 0 && state < TCP_MAX_STATES ? tcp_state_names[state] : "UNKNOWN";
}

/* tcp_set_state - as the kernel's: CurrEstab counts ESTABLISHED and
 * CLOSE_WAIT; leaving either for CLOSE is an EstabReset; SYN_SENT or
 * SYN_RECV to CLOSE is an AttemptFail. */
void tcp_set_state(struct tcp_sock *tp, int state)
{
	struct netns *ns = tp->sk.ns;
	int old = tp->state;
	bool was_estab = old == TCP_ESTABLISHED || old == TCP_CLOSE_WAIT;
	bool is_estab = state == TCP_ESTABLISHED || state == TCP_CLOSE_WAIT;

	if (state == TCP_CLOSE) {
		if (was_estab)
			mib_inc(ns, MIB_TcpEstabResets);
		if (old == TCP_SYN_SENT || old == TCP_SYN_RECV)
			mib_inc(ns, MIB_TcpAttemptFails);
	}
	if (is_estab && !was_estab)
		mib_inc(ns, MIB_TcpCurrEstab);
	else if (was_estab && !is_estab)
		ns->mib[MIB_TcpCurrEstab]--;
	tp->state = (uint8_t)state;
	if (state == TCP_ESTABLISHED && (old == TCP_SYN_SENT || old == TCP_SYN_RECV))
		tcp_init_transfer(tp);
	if (state == TCP_ESTABLISHED && !was_estab) {
		/* tcp_finish_connect / tcp_create_openreq_child: the peer was
		 * just heard; SO_KEEPALIVE counts its idle time from here */
		tcp_rcv_heard(tp);
		tcp_reset_keepalive_timer(tp);
	}
}

uint32_t tcp_rcv_queued(const struct tcp_sock *tp)
{
	return tp->rcvbuf ? tp->rcv_nxt - tp->copied_seq - (tp->fin_rcvd ? 1u : 0u) : 0;
}

/* Bytes in the send ring: from the first unacknowledged data byte (past
 * the SYN, before the FIN) to write_seq. */
uint32_t tcp_snd_queued(const struct tcp_sock *tp)
{
	uint32_t una = tp->snd_una;

	if (!tp->sndbuf)
		return 0;
	if (!tp->syn_acked)
		una = tp->iss + 1;
	if (after(una, tp->write_seq))
		una = tp->write_seq;
	return tp->write_seq - una;
}

int tcp_alloc_buffers(struct tcp_sock *tp)
{
	if (!tp->sndbuf)
		tp->sndbuf = malloc(TCP_SNDBUF_SIZE);
	if (!tp->rcvbuf)
		tp->rcvbuf = malloc(TCP_RCVBUF_SIZE);
	return tp->sndbuf && tp->rcvbuf ? 0 : -ENOMEM;
}

/* The application's callbacks, skipped for orphans and children not yet
 * accepted (they have none). */
void tcp_sk_readable(struct tcp_sock *tp)
{
	struct sock *sk = &tp->sk;

	if (sk->cb && sk->cb->readable)
		sk->cb->readable(sk, sk->cb_ctx);
}

void tcp_sk_writable(struct tcp_sock *tp)
{
	struct sock *sk = &tp->sk;

	if (sk->cb && sk->cb->writable)
		sk->cb->writable(sk, sk->cb_ctx);
}

void tcp_sk_connected(struct tcp_sock *tp, int err)
{
	struct sock *sk = &tp->sk;

	if (!tp->connecting)
		return;
	tp->connecting = false;
	if (sk->cb && sk->cb->connected)
		sk->cb->connected(sk, err, sk->cb_ctx);
}

void tcp_init_sock(struct tcp_sock *tp)
{
	tp->state = TCP_CLOSE;
	tp->rto_us = TCP_TIMEOUT_INIT_US;
	tp->snd_cwnd = TCP_INIT_CWND;
	tp->snd_ssthresh = UINT32_MAX >> 1; /* TCP_INFINITE_SSTHRESH */
	tp->mss_cache = TCP_MSS_DEFAULT;
	tp->advmss = TCP_MSS_DEFAULT;
	tp->ca_ops = tcp_ca_default(tp->sk.ns); /* tcp_assign_congestion_control */
	tp->acq_tail = &tp->acq_head;
	/* tcp_init_sock: tcp_wmem[1] and tcp_rmem[1] */
	tp->sk.sndbuf = TCP_WMEM_DEFAULT;
	tp->sk.rcvbuf = TCP_RMEM_DEFAULT;
	tcp_init_xmit_timers(tp);
}

/* tcp_init_transfer: the times tcp_info counts from start now, the
 * receive MSS guess (tcp_initialize_rcv_mss: min(advmss, mss, 536),
 * at least 88) and the congestion control algorithm. */
void tcp_init_transfer(struct tcp_sock *tp)
{
	uint32_t now = tcp_jiffies32(), hint = MIN(tp->advmss, tp->mss_cache);

	tp->lsndtime = now;
	tp->lrcvtime = now;
	hint = MIN(hint, TCP_MSS_DEFAULT);
	tp->rcv_mss = (uint16_t)MAX(hint, 88u); /* TCP_MIN_MSS */
	tcp_init_congestion_control(tp);
}

/* A child starts with its listener's options, as sk_clone_lock copies
 * the whole socket. */
void tcp_inherit_sockopts(struct tcp_sock *child, const struct tcp_sock *lp)
{
	struct sock *sk = &child->sk;
	const struct sock *lsk = &lp->sk;

	sk->reuse = lsk->reuse;
	sk->broadcast = lsk->broadcast;
	sk->ttl = lsk->ttl;
	sk->tos = lsk->tos;
	sk->keepopen = lsk->keepopen;
	sk->userlocks = lsk->userlocks;
	sk->sndbuf = lsk->sndbuf;
	sk->rcvbuf = lsk->rcvbuf;
	sk->linger = lsk->linger;
	sk->lingertime = lsk->lingertime;
	child->nodelay = lp->nodelay;
	if (lp->ca_setsockopt) { /* tcp_ca_openreq_child */
		child->ca_ops = lp->ca_ops;
		child->ca_setsockopt = true;
	}
	child->keepalive_time = lp->keepalive_time;
	child->keepalive_intvl = lp->keepalive_intvl;
	child->keepalive_probes = lp->keepalive_probes;
	child->user_timeout = lp->user_timeout;
}

static int tcp_v4_init_sock(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (!inet_hashinfo_get(sk->ns, true))
		return -ENOBUFS;
	tcp_init_sock(tp);
	inet_sk_list_add(tp);
	return 0;
}

/* Unlink from every table and free (timers off first). */
void tcp_free_sock(struct tcp_sock *tp)
{
	tcp_clear_xmit_timers(tp);
	inet_ehash_remove(tp);
	inet_lhash_remove(tp);
	inet_put_port(tp);
	inet_sk_list_del(tp);
	free(tp->sndbuf);
	free(tp->rcvbuf);
	free(tp->sacked);
	tp->sacked = NULL;
	tp->sndbuf = tp->rcvbuf = NULL;
	sk_free(&tp->sk);
}

/* Remove a not-yet-accepted child from its listener's counts and queue. */
static void tcp_unlink_child(struct tcp_sock *child)
{
	struct tcp_sock *lp = child->parent;
	struct tcp_sock **pp;

	if (!lp)
		return;
	for (pp = &lp->acq_head; *pp; pp = &(*pp)->acq_next) {
		if (*pp == child) {
			*pp = child->acq_next;
			if (!*pp)
				lp->acq_tail = pp;
			lp->acq_len--;
			child->parent = NULL;
			return;
		}
	}
	lp->syn_len--;
	child->parent = NULL;
}

bool tcp_done(struct tcp_sock *tp)
{
	tcp_set_state(tp, TCP_CLOSE);
	tcp_clear_xmit_timers(tp);
	inet_ehash_remove(tp);
	tp->shutdown = RCV_SHUTDOWN | SEND_SHUTDOWN;
	if (tp->sk.orphan || tp->parent) {
		tcp_unlink_child(tp);
		tcp_free_sock(tp);
		return true;
	}
	/* Keep the port only while bound explicitly (Linux releases an
	 * autobound port in tcp_done's inet_put_port too). */
	inet_put_port(tp);
	tp->sk.num = 0;
	return false;
}

bool tcp_reset(struct tcp_sock *tp)
{
	int err;

	switch (tp->state) {
	case TCP_SYN_SENT:
		err = -ECONNREFUSED;
		break;
	case TCP_CLOSE_WAIT:
		err = -EPIPE;
		break;
	default:
		err = -ECONNRESET;
	}
	tp->sk.err = err;
	if (tp->state == TCP_SYN_SENT) {
		if (tcp_done(tp))
			return true;
		tcp_sk_connected(tp, err);
		return false;
	}
	if (tcp_done(tp))
		return true;
	tcp_sk_readable(tp);
	tcp_sk_writable(tp);
	return false;
}

/* A child reached ESTABLISHED: PassiveOpens, then the accept queue and
 * the listener's accept callback (tcp_child_process + inet_csk_complete). */
void tcp_child_established(struct tcp_sock *child)
{
	struct tcp_sock *lp = child->parent;
	struct sock *lsk;

	mib_inc(child->sk.ns, MIB_TcpPassiveOpens);
	if (!lp)
		return;
	lp->syn_len--;
	child->acq_next = NULL;
	*lp->acq_tail = child;
	lp->acq_tail = &child->acq_next;
	lp->acq_len++;
	lsk = &lp->sk;
	if (lsk->cb && lsk->cb->accept) {
		struct sock *nsk;

		while (lp->acq_head && lsk->cb && lsk->cb->accept &&
		       lsk->ops->accept(lsk, &nsk) == 0) {
			lp->in_accept = true;
			lsk->cb->accept(lsk, nsk, lsk->cb_ctx);
			lp->in_accept = false;
			if (lp->close_deferred) {
				/* the application closed the listener */
				tcp_free_sock(lp);
				return;
			}
		}
		return;
	}
	tcp_sk_readable(lp);
}

/* ---- inet_stream_ops ---- */

/* inet_bind for TCP (__inet_bind): a local or loopback address, a socket
 * not yet bound (-EINVAL), a port (0: ephemeral) free under the bind
 * rules. */
static int tcp_v4_bind(struct sock *sk, uint32_t addr, uint16_t port)
{
	struct tcp_sock *tp = tcp_sk(sk);
	uint32_t old = sk->rcv_saddr;
	int err;

	if (addr && !ipv4_is_loopback(addr) && !inet_addr_local_dev(sk->ns, addr))
		return -EADDRNOTAVAIL;
	if (tp->state != TCP_CLOSE || tp->tb)
		return -EINVAL;
	sk->rcv_saddr = addr;
	err = inet_csk_get_port(tp, port, false);
	if (err) {
		sk->rcv_saddr = old;
		return err;
	}
	sk->saddr = addr;
	return 0;
}

static int inet_stream_connect(struct sock *sk, uint32_t daddr, uint16_t dport)
{
	struct tcp_sock *tp = tcp_sk(sk);

	switch (tp->state) {
	case TCP_CLOSE:
		break;
	case TCP_SYN_SENT:
		return -EALREADY;
	default:
		return -EISCONN;
	}
	return tcp_v4_connect(sk, daddr, dport);
}

/* inet_listen: a bound or unbound socket in CLOSE (-EINVAL otherwise; a
 * listener just takes the new backlog), the port re-checked for listening. */
static int inet_listen(struct sock *sk, int backlog)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int err;

	if (tp->state == TCP_LISTEN) {
		tp->backlog = inet_csk_listen_backlog(sk->ns, backlog);
		return 0;
	}
	if (tp->state != TCP_CLOSE)
		return -EINVAL;
	if (!tp->tb) {
		err = inet_csk_get_port(tp, 0, false);
		if (err)
			return err;
	} else {
		err = inet_csk_get_port(tp, sk->num, true);
		if (err)
			return err;
	}
	tp->backlog = inet_csk_listen_backlog(sk->ns, backlog);
	tp->state = TCP_LISTEN;
	inet_lhash_insert(tp);
	return 0;
}

/* inet_accept / inet_csk_accept, non-blocking: the oldest established
 * child, which now belongs to the caller. */
static int inet_accept(struct sock *sk, struct sock **res)
{
	struct tcp_sock *lp = tcp_sk(sk), *child;

	if (lp->state != TCP_LISTEN)
		return -EINVAL;
	child = lp->acq_head;
	if (!child)
		return -EAGAIN;
	lp->acq_head = child->acq_next;
	if (!lp->acq_head)
		lp->acq_tail = &lp->acq_head;
	lp->acq_len--;
	child->acq_next = NULL;
	child->parent = NULL;
	*res = &child->sk;
	return 0;
}

/* A pending error, returned once (sock_error). */
static int tcp_take_error(struct sock *sk)
{
	int err = sk->err;

	sk->err = 0;
	return err;
}

/* tcp_sendmsg, non-blocking: copy what fits into the send ring and push. */
static int tcp_send(struct sock *sk, const void *data, unsigned len)
{
	struct tcp_sock *tp = tcp_sk(sk);
	uint32_t room, off, n, first;

	if (sk->err)
		return tcp_take_error(sk);
	if (tp->shutdown & SEND_SHUTDOWN)
		return -EPIPE;
	switch (tp->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
		break;
	case TCP_SYN_SENT:
	case TCP_SYN_RECV:
		return -EAGAIN; /* sk_stream_wait_connect, non-blocking */
	default:
		/* sk_stream_wait_connect: EPIPE in every other state, even
		 * never connected (Linux's answer, not ENOTCONN). */
		return -EPIPE;
	}
	room = TCP_SNDBUF_SIZE - tcp_snd_queued(tp);
	if (!room)
		return -EAGAIN;
	n = len < room ? len : room;
	off = tp->write_seq & (TCP_SNDBUF_SIZE - 1);
	first = MIN(n, TCP_SNDBUF_SIZE - off);
	memcpy(tp->sndbuf + off, data, first);
	memcpy(tp->sndbuf, (const uint8_t *)data + first, n - first);
	tp->write_seq += n;
	tcp_write_xmit(tp);
	return (int)n;
}

/* The window grew enough since it was announced (__tcp_cleanup_rbuf):
 * at least doubled, or by a full segment from below one. */
static void tcp_cleanup_rbuf(struct tcp_sock *tp, uint32_t old_free)
{
	uint32_t now_free = TCP_RCVBUF_SIZE - (tp->rcv_nxt - tp->copied_seq);

	if (tp->state != TCP_ESTABLISHED && tp->state != TCP_FIN_WAIT1 &&
	    tp->state != TCP_FIN_WAIT2)
		return;
	if (now_free >= 2 * old_free || (old_free < tp->mss_cache && now_free >= tp->mss_cache) ||
	    tp->rcv_wnd < tp->mss_cache)
		if (now_free > tp->rcv_wnd + tp->mss_cache || tp->rcv_wnd < tp->mss_cache)
			tcp_send_ack(tp);
}

/* tcp_recvmsg, non-blocking. */
static int tcp_recv(struct sock *sk, void *buf, unsigned len)
{
	struct tcp_sock *tp = tcp_sk(sk);
	uint32_t avail, n, off, first, old_free;

	if (tp->state == TCP_LISTEN)
		return -ENOTCONN;
	avail = tcp_rcv_queued(tp);
	if (!avail) {
		if (sk->err)
			return tcp_take_error(sk);
		if (tp->fin_rcvd || (tp->shutdown & RCV_SHUTDOWN))
			return 0;
		if (tp->state == TCP_CLOSE)
			return -ENOTCONN;
		return -EAGAIN;
	}
	if (!len)
		return 0;
	old_free = TCP_RCVBUF_SIZE - (tp->rcv_nxt - tp->copied_seq);
	n = len < avail ? len : avail;
	off = tp->copied_seq & (TCP_RCVBUF_SIZE - 1);
	first = MIN(n, TCP_RCVBUF_SIZE - off);
	memcpy(buf, tp->rcvbuf + off, first);
	memcpy((uint8_t *)buf + first, tp->rcvbuf, n - first);
	tp->copied_seq += n;
	tcp_cleanup_rbuf(tp, old_free);
	return (int)n;
}

/* Queue our FIN after the data (tcp_send_fin) and move on (tcp_close_state). */
static void tcp_send_fin(struct tcp_sock *tp)
{
	if (tp->fin_sent)
		return;
	tp->fin_sent = true;
	tcp_write_xmit(tp);
}

/* tcp_close_state: the state after our FIN (RFC 9293 3.10.4). */
static bool tcp_close_state(struct tcp_sock *tp)
{
	switch (tp->state) {
	case TCP_ESTABLISHED:
	case TCP_SYN_RECV:
		tcp_set_state(tp, TCP_FIN_WAIT1);
		return true;
	case TCP_CLOSE_WAIT:
		tcp_set_state(tp, TCP_LAST_ACK);
		return true;
	default:
		return false;
	}
}

static int inet_shutdown(struct sock *sk, int how)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int mask = how + 1; /* SHUT_RD 0 -> RCV_SHUTDOWN 1 ... */

	switch (tp->state) {
	case TCP_CLOSE:
	case TCP_SYN_SENT:
		return -ENOTCONN;
	case TCP_LISTEN:
		if (!(mask & RCV_SHUTDOWN))
			return -ENOTCONN;
		/* shutdown(SHUT_RD) of a listener stops it, as Linux. */
		inet_lhash_remove(tp);
		tcp_set_state(tp, TCP_CLOSE);
		tp->shutdown |= (uint8_t)mask;
		return 0;
	default:
		break;
	}
	tp->shutdown |= (uint8_t)mask;
	if ((mask & SEND_SHUTDOWN) && tcp_close_state(tp))
		tcp_send_fin(tp);
	if (mask & RCV_SHUTDOWN)
		tcp_sk_readable(tp);
	return 0;
}

/* Close every child of a closing listener: RST to the established ones
 * not accepted (inet_csk_listen_stop), silent end of SYN_RECV ones. */
static void tcp_listen_stop_child(struct tcp_sock *tp, void *arg)
{
	if (tp->parent != arg)
		return;
	if (tp->state != TCP_SYN_RECV)
		tcp_send_active_reset(tp);
	tcp_done(tp);
}

static void tcp_listen_stop(struct tcp_sock *lp)
{
	inet_lhash_remove(lp);
	if (lp->acq_len || lp->syn_len)
		inet_sk_for_each(lp->sk.ns, tcp_listen_stop_child, lp);
}

/* tcp_need_reset: the states whose abort the peer must hear of. */
static bool tcp_need_reset(int state)
{
	return state == TCP_ESTABLISHED || state == TCP_CLOSE_WAIT || state == TCP_FIN_WAIT1 ||
	       state == TCP_FIN_WAIT2 || state == TCP_SYN_RECV;
}

/* inet_release -> tcp_close (see the file comment). */
static void tcp_close(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	bool unread = tcp_rcv_queued(tp) > 0;

	sk->orphan = true;
	tp->shutdown = RCV_SHUTDOWN | SEND_SHUTDOWN;
	switch (tp->state) {
	case TCP_LISTEN:
		tcp_listen_stop(tp);
		tcp_set_state(tp, TCP_CLOSE);
		if (tp->in_accept)
			tp->close_deferred = true; /* freed on the way out */
		else
			tcp_free_sock(tp);
		return;
	case TCP_CLOSE:
		tcp_free_sock(tp);
		return;
	case TCP_SYN_SENT:
		tcp_done(tp);
		return;
	default:
		break;
	}
	if (unread) {
		/* RFC 2525 2.17, Linux: unread data is lost, tell the peer. */
		mib_inc(sk->ns, MIB_TcpExtTCPAbortOnClose);
		tcp_send_active_reset(tp);
		tcp_done(tp);
		return;
	}
	if (sk->linger && !sk->lingertime) {
		/* SO_LINGER 0, checked after unread data: abort as
		 * tcp_disconnect does, a RST and no TIME_WAIT */
		mib_inc(sk->ns, MIB_TcpExtTCPAbortOnData);
		if (tcp_need_reset(tp->state))
			tcp_send_active_reset(tp);
		tcp_done(tp);
		return;
	}
	if (tcp_close_state(tp)) {
		tcp_send_fin(tp);
		return;
	}
	/* FIN_WAIT, CLOSING, LAST_ACK, TIME_WAIT: already on the way out.
	 * FIN_WAIT2 without a FIN: tcp_fin_timeout from now. */
	if (tp->state == TCP_FIN_WAIT2)
		tcp_time_wait(tp, TCP_FIN_WAIT2);
}

static void inet_release(struct sock *sk)
{
	sk->prot->close(sk);
}

static int tcp_sendmsg(struct sock *sk, uint32_t daddr, uint16_t dport, const void *data,
		       unsigned len)
{
	(void)daddr;
	(void)dport;
	return tcp_send(sk, data, len);
}

const struct proto_ops inet_stream_ops = {
	.family = AF_INET,
	.bind = tcp_v4_bind,
	.connect = inet_stream_connect,
	.sendmsg = tcp_sendmsg,
	.release = inet_release,
	.release_frees = true,
	.listen = inet_listen,
	.accept = inet_accept,
	.send = tcp_send,
	.recv = tcp_recv,
	.shutdown = inet_shutdown,
};

/* ---- socket options (do_tcp_setsockopt / do_tcp_getsockopt) ---- */

/* TCP_NODELAY on pushes what Nagle held back (__tcp_sock_set_nodelay). */
static void tcp_sock_set_nodelay(struct tcp_sock *tp, bool on)
{
	tp->nodelay = on;
	if (on)
		tcp_write_xmit(tp);
}

/* TCP_CONGESTION: a name of up to TCP_CA_NAME_MAX - 1 bytes, ended by
 * @len or a NUL (strncpy_from_sockptr). */
static int tcp_setsockopt_congestion(struct tcp_sock *tp, const void *val, unsigned len)
{
	char name[TCP_CA_NAME_MAX];
	size_t n = MIN(len, TCP_CA_NAME_MAX - 1u);

	if (len < 1)
		return -EINVAL;
	n = strnlen(val, n);
	memcpy(name, val, n);
	name[n] = '\0';
	return tcp_set_congestion_control(tp, name);
}

/*
 * tcp_setsockopt - level IPPROTO_TCP; other levels are IP's. Options
 * whose value is not an int (TCP_CONGESTION's name) belong before the
 * length check, as in the kernel; an int option is one case below.
 */
static int tcp_setsockopt(struct sock *sk, int level, int optname, const void *val, unsigned len)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int v, err;

	if (level != IPPROTO_TCP)
		return ip_setsockopt(sk, level, optname, val, len);
	if (optname == TCP_CONGESTION)
		return tcp_setsockopt_congestion(tp, val, len);
	err = sockopt_get_int(val, len, &v);
	if (err)
		return err;
	switch (optname) {
	case TCP_NODELAY:
		tcp_sock_set_nodelay(tp, v != 0);
		return 0;
	case TCP_KEEPIDLE:
		if (v < 1 || v > MAX_TCP_KEEPIDLE)
			return -EINVAL;
		tp->keepalive_time = (uint32_t)v;
		/* tcp_sock_set_keepidle_locked: the new idle time counts
		 * from when the peer was last heard */
		tcp_reset_keepalive_timer(tp);
		return 0;
	case TCP_KEEPINTVL:
		if (v < 1 || v > MAX_TCP_KEEPINTVL)
			return -EINVAL;
		tp->keepalive_intvl = (uint32_t)v;
		return 0;
	case TCP_KEEPCNT:
		if (v < 1 || v > MAX_TCP_KEEPCNT)
			return -EINVAL;
		tp->keepalive_probes = (uint8_t)v;
		return 0;
	case TCP_USER_TIMEOUT:
		if (v < 0)
			return -EINVAL;
		tp->user_timeout = (uint32_t)v;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

/* tcp_getsockopt - an int option sets v and breaks; one with a struct
 * value (TCP_INFO) copies min(*len, its size) and returns. */
static int tcp_getsockopt(struct sock *sk, int level, int optname, void *val, unsigned *len)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int v;

	if (level != IPPROTO_TCP)
		return ip_getsockopt(sk, level, optname, val, len);
	switch (optname) {
	case TCP_INFO: {
		struct tcp_diag_info info;

		tcp_get_info(tp, &info);
		*len = MIN(*len, (unsigned)sizeof(info));
		memcpy(val, &info, *len);
		return 0;
	}
	case TCP_CONGESTION: {
		char name[TCP_CA_NAME_MAX] = { 0 };

		snprintf(name, sizeof(name), "%s", tp->ca_ops->name);
		*len = MIN(*len, (unsigned)sizeof(name));
		memcpy(val, name, *len);
		return 0;
	}
	case TCP_NODELAY:
		v = tp->nodelay;
		break;
	case TCP_KEEPIDLE:
		v = tp->keepalive_time ? (int)tp->keepalive_time : sk->ns->sysctl.tcp_keepalive_time;
		break;
	case TCP_KEEPINTVL:
		v = tp->keepalive_intvl ? (int)tp->keepalive_intvl
					: sk->ns->sysctl.tcp_keepalive_intvl;
		break;
	case TCP_KEEPCNT:
		v = tp->keepalive_probes ? tp->keepalive_probes : sk->ns->sysctl.tcp_keepalive_probes;
		break;
	case TCP_USER_TIMEOUT:
		v = (int)tp->user_timeout;
		break;
	default:
		return -ENOPROTOOPT;
	}
	return sockopt_put_int(val, len, v);
}

static int tcp_get_port(struct sock *sk, uint16_t port)
{
	return inet_csk_get_port(tcp_sk(sk), port, false);
}

static void tcp_unhash(struct sock *sk)
{
	inet_ehash_remove(tcp_sk(sk));
	inet_lhash_remove(tcp_sk(sk));
}

struct proto tcp_prot = {
	.name = "TCP",
	.obj_size = sizeof(struct tcp_sock),
	.init = tcp_v4_init_sock,
	.close = tcp_close,
	.bind = tcp_v4_bind,
	.connect = tcp_v4_connect,
	.sendmsg = tcp_sendmsg,
	.get_port = tcp_get_port,
	.unhash = tcp_unhash,
	.setsockopt = tcp_setsockopt,
	.getsockopt = tcp_getsockopt,
	.keepalive = tcp_set_keepalive,
	.slot = -1,
};
