// SPDX-License-Identifier: MIT
/*
 * CUBIC (RFC 9438), the default congestion control, computed as Linux's
 * net/ipv4/tcp_cubic.c computes it, in the same fixed point:
 *
 *   W_cubic(t) = C * (t - K)^3 + W_max,   K = cbrt(W_max * (1 - beta) / C)
 *
 * with C = 0.4 (bic_scale 41 / 1024 * 10, the 100 ms reference RTT folded
 * into cube_rtt_scale and cube_factor), beta = 717 / 1024 (~0.7) for the
 * window after a loss, time counted in 1/1024 s from the start of the
 * epoch (the first ACK after a reduction) plus the minimum RTT seen.
 *
 * - Fast convergence (RFC 9438 4.7): a loss below the last W_max lowers
 *   W_max to cwnd * (1 + beta) / 2, leaving room to newer flows.
 * - The TCP-friendly region (RFC 9438 4.3): tcp_cwnd tracks what Reno
 *   would have, growing by one per cwnd * 8 / beta_scale segments ACKed
 *   (3 * (1 - beta) / (1 + beta) per RTT); when it is ahead, CUBIC grows
 *   at least as fast.
 * - Growth is at most one segment per two ACKed (cnt >= 2), and at 5% per
 *   RTT before the first loss (no W_max yet).
 * - An RTO (TCP_CA_Loss) forgets everything, W_max included.
 * - After an idle period (CA_EVENT_TX_START) the epoch moves forward, so
 *   the curve resumes where it was rather than jumping.
 *
 * HyStart (hybrid slow start) is not implemented (Linux's hystart=0):
 * its delay detection needs an RTT sample per ACK, and nsemu's RTT
 * estimator times one segment per window (Karn). Slow start runs to
 * ssthresh or the first loss, as Reno's.
 *
 * The clock is tcp_jiffies32 at HZ 1000 (milliseconds of loop_now()).
 */
#include <string.h>

#include "tcp.h"

#define BICTCP_BETA_SCALE 1024	/* beta is in 1/1024 */
#define BICTCP_HZ 10		/* time in 1/2^10 s */
#define CUBIC_HZ 1000		/* tcp_jiffies32 ticks per second */

/* The module parameters, at their defaults. */
static const int fast_convergence = 1;
static const uint32_t beta = 717;		/* 717 / 1024 ~ 0.7 */
static const uint32_t bic_scale = 41;		/* C = 41 * 10 / 1024 ~ 0.4 */
static const int tcp_friendliness = 1;

/* Computed once by cubictcp_register in Linux; constants here. */
#define CUBE_RTT_SCALE (bic_scale * 10)		/* 1024 * C / rtt */
#define BETA_SCALE (8 * (BICTCP_BETA_SCALE + beta) / 3 / (BICTCP_BETA_SCALE - beta))
/* 2^(10 + 3 * BICTCP_HZ) / (bic_scale * 10): K = cbrt(cube_factor * (Wmax - cwnd)) */
#define CUBE_FACTOR ((1ull << (10 + 3 * BICTCP_HZ)) / (bic_scale * 10))

struct bictcp {
	uint32_t cnt;			/* increase cwnd by 1 after cnt ACKed segments */
	uint32_t last_max_cwnd;		/* W_max: cwnd before the last reduction */
	uint32_t last_cwnd;		/* cwnd at the last update */
	uint32_t last_time;		/* when last_cwnd was updated */
	uint32_t bic_origin_point;	/* the curve's plateau (W_max or cwnd) */
	uint32_t bic_K;			/* time from epoch start to the plateau, 1/1024 s */
	uint32_t delay_min;		/* minimum RTT, us */
	uint32_t epoch_start;		/* start of the current epoch (0: none) */
	uint32_t ack_cnt;		/* segments ACKed in this epoch (TCP-friendly) */
	uint32_t tcp_cwnd;		/* the window Reno would have */
};
static_assert(sizeof(struct bictcp) <= TCP_CA_PRIV_SIZE, "bictcp fits ca_priv");

static struct bictcp *cubic_ca(struct tcp_sock *tp)
{
	return inet_csk_ca(tp);
}

static void bictcp_reset(struct bictcp *ca)
{
	memset(ca, 0, sizeof(*ca));
}

static void cubictcp_init(struct tcp_sock *tp)
{
	bictcp_reset(cubic_ca(tp));
}

/* Idle (application limited) for a while: shift the epoch so that cwnd
 * keeps to the curve instead of leaping along it. */
static void cubictcp_cwnd_event(struct tcp_sock *tp, enum tcp_ca_event ev)
{
	struct bictcp *ca = cubic_ca(tp);
	uint32_t now = tcp_jiffies32();
	int32_t delta;

	if (ev != CA_EVENT_TX_START)
		return;
	delta = (int32_t)(now - tp->lsndtime);
	if (ca->epoch_start && delta > 0) {
		ca->epoch_start += (uint32_t)delta;
		if (after(ca->epoch_start, now))
			ca->epoch_start = now;
	}
}

static unsigned fls64(uint64_t x)
{
	return x ? 64u - (unsigned)__builtin_clzll(x) : 0;
}

/*
 * cubic_root: cbrt(a) by a table lookup on the top bits and one
 * Newton-Raphson step (Linux's, average error ~0.2%). The table is
 * v[x] = cbrt(x << 18) - 1 for x in 0..63.
 */
static uint32_t cubic_root(uint64_t a)
{
	static const uint8_t v[] = {
		0,   54,  54,  54,  118, 118, 118, 118, 123, 129, 134, 138, 143, 147, 151, 156,
		157, 161, 164, 168, 170, 173, 176, 179, 181, 185, 187, 190, 192, 194, 197, 199,
		200, 202, 204, 206, 209, 211, 213, 215, 217, 219, 221, 222, 224, 225, 227, 229,
		231, 232, 234, 236, 237, 239, 240, 242, 244, 245, 246, 248, 250, 251, 252, 254,
	};
	uint32_t x, b, shift;

	b = fls64(a);
	if (b < 7) /* a in [0..63] */
		return ((uint32_t)v[(uint32_t)a] + 35) >> 6;
	b = ((b * 84) >> 8) - 1;
	shift = (uint32_t)(a >> (b * 3));
	x = ((uint32_t)(((uint32_t)v[shift] + 10) << b)) >> 6;
	/* x' = (2x + a / x^2) / 3 */
	x = 2 * x + (uint32_t)(a / ((uint64_t)x * (uint64_t)(x - 1)));
	x = (x * 341) >> 10;
	return x;
}

/* bictcp_update: the target on the curve one RTT ahead and the ACK
 * count (ca->cnt) that reaches it; then the TCP-friendly bound. */
static void bictcp_update(struct bictcp *ca, uint32_t cwnd, uint32_t acked)
{
	uint32_t now = tcp_jiffies32(), delta, bic_target, max_cnt;
	uint64_t offs, t;

	ca->ack_cnt += acked;
	if (ca->last_cwnd == cwnd && (int32_t)(now - ca->last_time) <= CUBIC_HZ / 32)
		return;
	/* The curve moves at most once per tick; a reduction clears
	 * epoch_start, which forces a new computation. */
	if (ca->epoch_start && now == ca->last_time)
		goto tcp_friendliness;
	ca->last_cwnd = cwnd;
	ca->last_time = now;

	if (!ca->epoch_start) {
		ca->epoch_start = now;
		ca->ack_cnt = acked;
		ca->tcp_cwnd = cwnd;
		if (ca->last_max_cwnd <= cwnd) {
			ca->bic_K = 0;
			ca->bic_origin_point = cwnd;
		} else {
			/* K = cbrt((Wmax - cwnd) * rtt / C), in 1/1024 s */
			ca->bic_K = cubic_root(CUBE_FACTOR * (ca->last_max_cwnd - cwnd));
			ca->bic_origin_point = ca->last_max_cwnd;
		}
	}

	/* t: time since the epoch began, plus the minimum RTT (the target
	 * is where the curve will be one RTT from now), in 1/1024 s */
	t = (uint64_t)(int32_t)(now - ca->epoch_start);
	t += (ca->delay_min + 1000000 / CUBIC_HZ - 1) / (1000000 / CUBIC_HZ); /* usecs_to_jiffies */
	t = (t << BICTCP_HZ) / CUBIC_HZ;
	offs = t < ca->bic_K ? ca->bic_K - t : t - ca->bic_K;
	/* C / rtt * (t - K)^3; no overflow below a million segments */
	delta = (uint32_t)((CUBE_RTT_SCALE * offs * offs * offs) >> (10 + 3 * BICTCP_HZ));
	if (t < ca->bic_K)
		bic_target = ca->bic_origin_point - delta;
	else
		bic_target = ca->bic_origin_point + delta;

	if (bic_target > cwnd)
		ca->cnt = cwnd / (bic_target - cwnd);
	else
		ca->cnt = 100 * cwnd; /* at the plateau: a very small increase */
	/* The bandwidth is unknown before the first loss: 5% per RTT at
	 * least, not the curve's slow start. */
	if (ca->last_max_cwnd == 0 && ca->cnt > 20)
		ca->cnt = 20;

tcp_friendliness:
	if (tcp_friendliness) {
		delta = (cwnd * BETA_SCALE) >> 3;
		while (ca->ack_cnt > delta) {
			ca->ack_cnt -= delta;
			ca->tcp_cwnd++;
		}
		if (ca->tcp_cwnd > cwnd) { /* Reno would be ahead */
			delta = ca->tcp_cwnd - cwnd;
			max_cnt = cwnd / delta;
			if (ca->cnt > max_cnt)
				ca->cnt = max_cnt;
		}
	}
	/* at most 1.5x per RTT */
	if (ca->cnt < 2)
		ca->cnt = 2;
}

static void cubictcp_cong_avoid(struct tcp_sock *tp, uint32_t ack, uint32_t acked)
{
	struct bictcp *ca = cubic_ca(tp);

	(void)ack;
	if (!tcp_is_cwnd_limited(tp))
		return;
	if (tcp_in_slow_start(tp)) {
		acked = tcp_slow_start(tp, acked);
		if (!acked)
			return;
	}
	bictcp_update(ca, tp->snd_cwnd, acked);
	tcp_cong_avoid_ai(tp, ca->cnt, acked);
}

/* A loss: the epoch ends, W_max is remembered (lowered further by fast
 * convergence), and the window shrinks to beta * cwnd. */
static uint32_t cubictcp_recalc_ssthresh(struct tcp_sock *tp)
{
	struct bictcp *ca = cubic_ca(tp);
	uint32_t cwnd = tp->snd_cwnd, ss;

	ca->epoch_start = 0;
	if (cwnd < ca->last_max_cwnd && fast_convergence)
		ca->last_max_cwnd = (cwnd * (BICTCP_BETA_SCALE + beta)) / (2 * BICTCP_BETA_SCALE);
	else
		ca->last_max_cwnd = cwnd;
	ss = (cwnd * beta) / BICTCP_BETA_SCALE;
	return ss > 2 ? ss : 2;
}

static void cubictcp_state(struct tcp_sock *tp, uint8_t new_state)
{
	if (new_state == TCP_CA_Loss)
		bictcp_reset(cubic_ca(tp));
}

/* An RTT sample: the minimum is the curve's one-RTT look-ahead. */
static void cubictcp_acked(struct tcp_sock *tp, uint32_t rtt_us)
{
	struct bictcp *ca = cubic_ca(tp);

	/* samples right after a reduction carry its queueing: skipped
	 * for a second */
	if (ca->epoch_start && (int32_t)(tcp_jiffies32() - ca->epoch_start) < CUBIC_HZ)
		return;
	if (!rtt_us)
		rtt_us = 1;
	if (!ca->delay_min || ca->delay_min > rtt_us)
		ca->delay_min = rtt_us;
}

const struct tcp_congestion_ops cubictcp = {
	.name = "cubic",
	.init = cubictcp_init,
	.ssthresh = cubictcp_recalc_ssthresh,
	.cong_avoid = cubictcp_cong_avoid,
	.set_state = cubictcp_state,
	.cwnd_event = cubictcp_cwnd_event,
	.pkts_acked = cubictcp_acked,
};
