/* SPDX-License-Identifier: MIT */
/*
 * MIB counters with the kernel's names, as `nstat` and /proc/net/snmp show
 * them. One enum per family, count last. Only the namespace owner writes.
 */
#ifndef NSEMU_NETNS_SNMP_H
#define NSEMU_NETNS_SNMP_H

#include <stdint.h>

#define IP_MIB(X)                                                                                  \
	X(IpInReceives) X(IpInHdrErrors) X(IpInAddrErrors) X(IpForwDatagrams)                      \
	X(IpInUnknownProtos) X(IpInDiscards) X(IpInDelivers) X(IpOutRequests) X(IpOutDiscards)     \
	X(IpOutNoRoutes) X(IpReasmTimeout) X(IpReasmReqds) X(IpReasmOKs) X(IpReasmFails)           \
	X(IpFragOKs) X(IpFragFails) X(IpFragCreates) X(IpInTruncatedPkts) X(IpInCsumErrors)        \
	X(IpReasmOverlaps) X(IpOutTransmits) X(IpInNoRoutes)

#define ICMP_MIB(X)                                                                                \
	X(IcmpInMsgs) X(IcmpInErrors) X(IcmpInCsumErrors) X(IcmpInDestUnreachs)                    \
	X(IcmpInTimeExcds) X(IcmpInParmProbs) X(IcmpInRedirects) X(IcmpInEchos) X(IcmpInEchoReps)  \
	X(IcmpOutMsgs) X(IcmpOutErrors) X(IcmpOutRateLimitGlobal) X(IcmpOutRateLimitHost)          \
	X(IcmpOutDestUnreachs) X(IcmpOutTimeExcds) X(IcmpOutParmProbs) X(IcmpOutRedirects)         \
	X(IcmpOutEchos) X(IcmpOutEchoReps)

#define UDP_MIB(X)                                                                                 \
	X(UdpInDatagrams) X(UdpNoPorts) X(UdpInErrors) X(UdpOutDatagrams) X(UdpRcvbufErrors)       \
	X(UdpSndbufErrors) X(UdpInCsumErrors)

#define TCP_MIB(X)                                                                                 \
	X(TcpActiveOpens) X(TcpPassiveOpens) X(TcpAttemptFails) X(TcpEstabResets)                  \
	X(TcpCurrEstab) X(TcpInSegs) X(TcpOutSegs) X(TcpRetransSegs) X(TcpInErrs) X(TcpOutRsts)    \
	X(TcpInCsumErrors)

/* /proc/net/netstat's TcpExt line (nstat prints TcpExt + the name), in
 * the kernel's order (snmp4_net_list); only the ones nsemu counts. */
#define TCPEXT_MIB(X)                                                                              \
	X(TcpExtSyncookiesSent) X(TcpExtSyncookiesRecv) X(TcpExtSyncookiesFailed)                  \
	X(TcpExtEmbryonicRsts) X(TcpExtTW) X(TcpExtPAWSEstab) X(TcpExtBeyondWindow)                \
	X(TcpExtPAWSOldAck) X(TcpExtDelayedACKLost) X(TcpExtListenOverflows)                       \
	X(TcpExtListenDrops) X(TcpExtTCPRenoRecovery) X(TcpExtTCPSackRecovery)                     \
	X(TcpExtTCPSACKReneging) X(TcpExtTCPSACKReorder) X(TcpExtTCPRenoFailures)                  \
	X(TcpExtTCPSackFailures) X(TcpExtTCPLossFailures) X(TcpExtTCPFastRetrans)                  \
	X(TcpExtTCPSlowStartRetrans) X(TcpExtTCPRenoRecoveryFail) X(TcpExtTCPSackRecoveryFail)     \
	X(TcpExtTCPDSACKOldSent) X(TcpExtTCPDSACKOfoSent) X(TcpExtTCPDSACKRecv)                    \
	X(TcpExtTCPDSACKOfoRecv) X(TcpExtTCPAbortOnData) X(TcpExtTCPAbortOnClose)                  \
	X(TcpExtTCPAbortOnTimeout) X(TcpExtTCPSACKDiscard) X(TcpExtTCPDSACKIgnoredOld)             \
	X(TcpExtTCPDSACKIgnoredNoUndo) X(TcpExtTCPReqQFullDoCookies) X(TcpExtTCPReqQFullDrop)      \
	X(TcpExtTCPChallengeACK) X(TcpExtTCPSYNChallenge) X(TcpExtTCPACKSkippedSynRecv)            \
	X(TcpExtTCPACKSkippedSeq) X(TcpExtTCPACKSkippedTimeWait) X(TcpExtTCPACKSkippedChallenge)   \
	X(TcpExtTCPKeepAlive) X(TcpExtTCPDSACKRecvSegs) X(TcpExtTCPDSACKIgnoredDubious)

/* One flat enum so a drop reason can name any counter (drop_reason.h). */
enum mib_field {
#define MIB_ENUM(name) MIB_##name,
	IP_MIB(MIB_ENUM) ICMP_MIB(MIB_ENUM) UDP_MIB(MIB_ENUM) TCP_MIB(MIB_ENUM)
	TCPEXT_MIB(MIB_ENUM)
#undef MIB_ENUM
	MIB_MAX,
	MIB_NONE = MIB_MAX, /* "no counter" in the drop table */
};

extern const char *const mib_names[MIB_MAX];

#endif
