// SPDX-License-Identifier: MIT
/*
 * A listener's two queues, as Linux's tcp_conn_request and
 * inet_connection_sock.c keep them: the SYN queue (children in SYN_RECV,
 * bounded by the listen backlog, which net.core.somaxconn caps) and the
 * accept queue (established children not yet accepted, bounded by the
 * same backlog). Both hold one more than the backlog, as the kernel's
 * "len > max" tests do. A SYN that finds the accept queue full is
 * dropped (ListenOverflows, ListenDrops); one that finds the SYN queue
 * full is dropped (TCPReqQFullDrop) unless tcp_syncookies allows a
 * cookie; without cookies the last quarter of tcp_max_syn_backlog is
 * refused too. A handshake's last ACK that finds the accept queue full
 * is dropped, or with tcp_abort_on_overflow answered with a RST. Owner
 * thread.
 */
#include "tcp.h"

/* inet_csk_reqsk_queue_is_full / sk_acceptq_is_full */
static bool inet_csk_reqsk_queue_is_full(const struct tcp_sock *lp)
{
	return lp->syn_len > lp->backlog;
}

static bool sk_acceptq_is_full(const struct tcp_sock *lp)
{
	return lp->acq_len > lp->backlog;
}

/* tcp_listendrop */
static void tcp_listendrop(struct tcp_sock *lp, struct pkt *p)
{
	mib_inc(lp->sk.ns, MIB_TcpExtListenDrops);
	pkt_drop(p, DROP_TCP_LISTEN_OVERFLOW);
}

unsigned inet_csk_listen_backlog(const struct netns *ns, int backlog)
{
	/* __sys_listen compares unsigned: a negative backlog is somaxconn */
	if ((unsigned)backlog > (unsigned)ns->sysctl.somaxconn)
		return (unsigned)ns->sysctl.somaxconn;
	return (unsigned)backlog;
}

bool tcp_conn_request_admit(struct tcp_sock *lp, struct pkt *p, bool *want_cookie)
{
	struct netns *ns = lp->sk.ns;
	int syncookies = ns->sysctl.tcp_syncookies;
	int max_syn_backlog = ns->sysctl.tcp_max_syn_backlog;

	*want_cookie = false;
	if (syncookies == 2 || inet_csk_reqsk_queue_is_full(lp)) {
		/* tcp_syn_flood_action */
		if (!syncookies) {
			mib_inc(ns, MIB_TcpExtTCPReqQFullDrop);
			tcp_listendrop(lp, p);
			return false;
		}
		mib_inc(ns, MIB_TcpExtTCPReqQFullDoCookies);
		*want_cookie = true;
	}
	if (sk_acceptq_is_full(lp)) {
		mib_inc(ns, MIB_TcpExtListenOverflows);
		tcp_listendrop(lp, p);
		return false;
	}
	/* Without cookies the last quarter of the backlog is kept for
	 * peers proven alive (nsemu keeps no tcp_metrics: none is). */
	if (!*want_cookie && !syncookies &&
	    (int64_t)max_syn_backlog - lp->syn_len < max_syn_backlog >> 2) {
		tcp_listendrop(lp, p);
		return false;
	}
	return true;
}

bool tcp_acceptq_overflow(struct tcp_sock *lp, struct pkt *p)
{
	if (!sk_acceptq_is_full(lp))
		return false;
	mib_inc(lp->sk.ns, MIB_TcpExtListenOverflows);
	tcp_listendrop(lp, p);
	return true;
}

bool tcp_child_overflow(struct tcp_sock *child, struct pkt *p)
{
	struct tcp_sock *lp = child->parent;
	struct netns *ns = child->sk.ns;

	if (!lp || !sk_acceptq_is_full(lp))
		return false;
	/* tcp_v4_syn_recv_sock's exit_overflow */
	mib_inc(ns, MIB_TcpExtListenOverflows);
	if (!ns->sysctl.tcp_abort_on_overflow) {
		/* the request stays (req->acked); the peer's next ACK, after
		 * a retransmitted SYN-ACK, may find room */
		tcp_listendrop(lp, p);
		return true;
	}
	/* tcp_check_req's embryonic_reset: RST, the request dropped without
	 * an AttemptFail (a request sock never had a state to leave) */
	tcp_v4_send_reset(ns, p);
	mib_inc(ns, MIB_TcpExtEmbryonicRsts);
	tcp_listendrop(lp, p);
	child->state = TCP_CLOSE;
	tcp_done(child);
	return true;
}
