// SPDX-License-Identifier: MIT
/*
 * Names of the MIB counters, generated from the X-macros in snmp.h so the
 * printed names (IpInReceives, IcmpOutTimeExcds, ...) can never drift from
 * the enum. `nstat` and /proc/net/snmp print these.
 */
#include "core/compiler.h"
#include "snmp.h"

const char *const mib_names[MIB_MAX] = {
#define MIB_NAME(name) [MIB_##name] = #name,
	IP_MIB(MIB_NAME) ICMP_MIB(MIB_NAME) UDP_MIB(MIB_NAME) TCP_MIB(MIB_NAME)
	TCPEXT_MIB(MIB_NAME)
#undef MIB_NAME
};

static_assert(ARRAY_SIZE(mib_names) == MIB_MAX, "one name per MIB counter");
