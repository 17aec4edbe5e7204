/* SPDX-License-Identifier: MIT */
/*
 * The CLI's command layer: a line is split into words and dispatched
 * through tables with iproute2's prefix matching ("ip li sh" works).
 * Commands parse arguments, build rtnetlink requests with libnl, send them
 * through cli_request() (today: straight into rtnl_process; the control
 * socket will be another transport), and format the replies as text or
 * JSON. Commands never exit(): they return 0, or non-zero after printing an
 * iproute2-style error to c->err.
 */
#ifndef NSEMU_CLI_CMD_H
#define NSEMU_CLI_CMD_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include <netlink/msg.h>

#include "netns/rtnl/rtnl.h"

struct cli_ctx {
	FILE *out;			 /* command output */
	FILE *err;			 /* error messages */
	const char *ns;			 /* -n NS / ip netns exec NS; NULL = default */
	bool json, stats, details, pretty; /* -j -s -d -p */
	int stats_level;		 /* number of -s */
	volatile sig_atomic_t *interrupt; /* set by SIGINT while a command runs */
	struct rtnl_conn conn;
	struct rtnl_out replies;
	bool quit;			 /* set by `quit`/`exit` */
	const char *line;		 /* the line being run (cli_run_line), for `jobs` */
};

/* Set up a context writing to @out/@err, bound to the default namespace,
 * and release what it holds. */
void cli_ctx_init(struct cli_ctx *c, FILE *out, FILE *err);
void cli_ctx_free(struct cli_ctx *c);

typedef int (*cmd_fn)(struct cli_ctx *c, int argc, char **argv);

struct cmd {
	const char *name;
	cmd_fn fn;
	const char *help; /* one line for `help` */
};

/* iproute2's matches(): @prefix is a non-empty prefix of @word. */
bool matches(const char *prefix, const char *word);
/* Find argv[0] in the table of object or command @what ("ip", "ip link",
 * "show") (prefix match, first wins, as iproute2) and run it, or print
 * `Command "X" is unknown, try "ip link help".`-style errors. The top level
 * (cli_run_line) matches more strictly: see cli/cmd.c. */
int cmd_dispatch(struct cli_ctx *c, const struct cmd *table, const char *what, int argc,
		 char **argv);

/* Run one CLI line (comments and blank lines are fine). Returns the status. */
int cli_run_line(struct cli_ctx *c, const char *line);
/* Run every line of @path (`source`, nsemu -f/-b; "-" = stdin). Stops at the
 * first failing line and prints "Command failed PATH:LINE" to c->err, as
 * `ip -batch` does. Returns 0, or the failing line's status. */
int cli_run_file(struct cli_ctx *c, const char *path);
/* Top-level command table (cli/cmd.c) */
extern const struct cmd cli_cmds[];

/*
 * Send @msg (consumed) to the namespace c->ns, collect the replies, and call
 * @cb for each reply nlmsg that is not an ACK/DONE (dump parts and GET
 * replies). An NLMSG_ERROR is printed as iproute2 prints it
 * ("Error: <extack>." or "RTNETLINK answers: <strerror>") unless @quiet,
 * and returned as -errno. Returns 0 on success.
 */
typedef int (*cli_reply_fn)(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg);
int cli_request(struct cli_ctx *c, struct nl_msg *msg, cli_reply_fn cb, void *arg, bool quiet);

/* Commands implemented in their own files. */
int cmd_ip(struct cli_ctx *c, int argc, char **argv);	   /* ip.c: ip [-n NS] [-j] [-s] OBJ */
int cmd_ip_link(struct cli_ctx *c, int argc, char **argv);  /* ip_link.c */
int cmd_ip_addr(struct cli_ctx *c, int argc, char **argv);  /* ip_addr.c */
int cmd_ip_route(struct cli_ctx *c, int argc, char **argv); /* ip_route.c */
int cmd_ip_rule(struct cli_ctx *c, int argc, char **argv);  /* ip_rule.c */
int cmd_ip_vrf(struct cli_ctx *c, int argc, char **argv);   /* ip_vrf.c */
int cmd_ip_nexthop(struct cli_ctx *c, int argc, char **argv); /* ip_nexthop.c */
int cmd_ip_neigh(struct cli_ctx *c, int argc, char **argv); /* ip_neigh.c */
int cmd_ip_netns(struct cli_ctx *c, int argc, char **argv); /* ip_netns.c (incl. exec) */
int cmd_sysctl(struct cli_ctx *c, int argc, char **argv);   /* sysctl.c */
int cmd_show(struct cli_ctx *c, int argc, char **argv);	   /* show.c: drops, threads */
int cmd_nstat(struct cli_ctx *c, int argc, char **argv);    /* show.c */
int cmd_ping(struct cli_ctx *c, int argc, char **argv);	   /* app_ping.c, in c->ns */
int cmd_traceroute(struct cli_ctx *c, int argc, char **argv); /* app_traceroute.c */
int cmd_nc(struct cli_ctx *c, int argc, char **argv);	   /* app_nc.c, in c->ns */
int cmd_httpd(struct cli_ctx *c, int argc, char **argv);    /* app_httpd.c, in c->ns */
int cmd_wget(struct cli_ctx *c, int argc, char **argv);     /* app_wget.c, in c->ns */
int cmd_iperf3(struct cli_ctx *c, int argc, char **argv); /* app_iperf.c, in c->ns */
int cmd_ss(struct cli_ctx *c, int argc, char **argv);	   /* ss.c */
int cmd_tcpdump(struct cli_ctx *c, int argc, char **argv);    /* tcpdump.c, in c->ns */
int cmd_wait(struct cli_ctx *c, int argc, char **argv);       /* tcpdump.c: background jobs */
int cmd_jobs(struct cli_ctx *c, int argc, char **argv);       /* app.c: background apps */
int cmd_kill(struct cli_ctx *c, int argc, char **argv);       /* app.c: kill %N */
int cmd_bench(struct cli_ctx *c, int argc, char **argv);	   /* bench.c: bench fwd|netns|fib */

#endif
