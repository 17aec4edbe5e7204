// SPDX-License-Identifier: MIT
/*
 * IP-level socket options (level IPPROTO_IP), as net/ipv4/ip_sockglue.c:
 * the setsockopt / getsockopt hooks of every inet protocol end here for
 * the levels they do not handle themselves. IP_TTL and IP_TOS, with the
 * kernel's length rules: an int, or a single byte (do_ip_setsockopt reads
 * one unsigned char when optlen is below sizeof(int)); a get into a
 * one-byte room returns one byte. Owner thread.
 */
#include <errno.h>
#include <string.h>

#include "af_inet.h"

#define INET_ECN_MASK 3

/* do_ip_setsockopt's value: an int, one byte, or 0 for an empty option. */
static int ip_sockopt_val(const void *val, unsigned len)
{
	int v = 0;

	if (len >= sizeof(int))
		memcpy(&v, val, sizeof(int));
	else if (len >= 1)
		v = *(const unsigned char *)val;
	return v;
}

int ip_setsockopt(struct sock *sk, int level, int optname, const void *val, unsigned len)
{
	int v;

	if (level != IPPROTO_IP)
		return -ENOPROTOOPT;
	v = ip_sockopt_val(val, len);
	switch (optname) {
	case IP_TTL:
		/* -1 restores ip_default_ttl */
		if (len < 1)
			return -EINVAL;
		if (v != -1 && (v < 1 || v > 255))
			return -EINVAL;
		sk->ttl = v == -1 ? 0 : v;
		return 0;
	case IP_TOS:
		/* __ip_sock_set_tos: a stream socket's ECN bits are TCP's */
		if (sk->type == SOCK_STREAM) {
			v &= ~INET_ECN_MASK;
			v |= sk->tos & INET_ECN_MASK;
		}
		sk->tos = (uint8_t)v;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

int ip_getsockopt(struct sock *sk, int level, int optname, void *val, unsigned *len)
{
	int v;

	if (level != IPPROTO_IP)
		return -EOPNOTSUPP;
	switch (optname) {
	case IP_TTL:
		v = sk->ttl ? sk->ttl : sk->ns->sysctl.ip_default_ttl;
		break;
	case IP_TOS:
		v = sk->tos;
		break;
	default:
		return -ENOPROTOOPT;
	}
	/* a byte-sized value fits a room of one byte */
	if (*len > 0 && *len < sizeof(int) && v >= 0 && v <= 255) {
		*(unsigned char *)val = (unsigned char)v;
		*len = 1;
		return 0;
	}
	return sockopt_put_int(val, len, v);
}
