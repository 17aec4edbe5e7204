/* SPDX-License-Identifier: MIT */
/*
 * The control socket server (DESIGN §7, docs/control-protocol.md
 * "Transport"): a Unix SOCK_SEQPACKET socket, mode 0600, whose connections
 * speak rtnetlink as a netlink socket does. The server runs on its own
 * thread with its own libev loop — never on a worker — and hands requests to
 * rtnl_process() like the in-process CLI does (the control lock inside
 * serialises them). Per connection it keeps an rtnl_conn (namespace, portid,
 * ext-ack), the multicast groups joined, and a queue of outgoing datagrams
 * capped at CTL_MAX_QUEUED bytes; a client that never reads is dropped.
 * Private messages run whole CLI lines (NSEMU_MSG_CLI) on a per-connection
 * thread and stream their output back, which is what nsemuctl uses.
 */
#ifndef NSEMU_CLI_CTL_SERVER_H
#define NSEMU_CLI_CTL_SERVER_H

#include <stddef.h>

#define CTL_MAX_DGRAM (1u << 20)	/* largest request datagram read */
#define CTL_DGRAM_FILL (32u << 10)	/* dump replies are packed up to this */
#define CTL_MAX_QUEUED (64ul << 20)	/* unread output before a client is dropped */
#define CTL_CLI_JSON 1u			/* NSEMU_MSG_CLI's NSEMU_A_FLAGS: JSON output (-j) */

struct ctl_server;

/* The default socket path: $XDG_RUNTIME_DIR/nsemu.sock, or
 * /tmp/nsemu-$UID.sock when XDG_RUNTIME_DIR is unset or empty. Any thread.
 * Returns 0, or -ENAMETOOLONG if it does not fit in @len (or a sun_path). */
int ctl_default_path(char *buf, size_t len);

/*
 * Create the socket at @path (mode 0600) and listen: clients can connect
 * from now on, and are served once ctl_server_start() runs (so a topology
 * script can run in between, and clients see all of it). A stale socket
 * file (connect() is refused) is replaced; a live one is not: returns NULL
 * with *err = -EADDRINUSE. Other failures: NULL with *err = -errno. Call
 * after rtnl_init(), from the main thread.
 */
struct ctl_server *ctl_server_open(const char *path, int *err);

/* Start serving on the server's own thread. 0 or -errno (then still call
 * ctl_server_stop). Main thread. */
int ctl_server_start(struct ctl_server *s);

/* Stop the server thread, close every connection (interrupting and waiting
 * for running CLI lines), remove the socket file and free @s. NULL is
 * fine. Call from the thread that started it, before rtnl_exit(). */
void ctl_server_stop(struct ctl_server *s);

#endif
