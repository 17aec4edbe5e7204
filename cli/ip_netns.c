// SPDX-License-Identifier: MIT
/*
 * `ip netns add|del|list|exec`. Namespaces live in the emulator, not in
 * /run/netns, so add/del/list are the private NSEMU_MSG_NEWNS/DELNS/GETNS
 * requests; the error texts are still those of iproute2's ip/ipnetns.c
 * (which talks about the /run/netns files). `exec NS CMD` runs one of
 * nsemu's own commands (ip, sysctl, ping, traceroute, nstat) with the
 * connection bound to NS, the in-process equivalent of setns() + execvp().
 */
#include <errno.h>
#include <string.h>

#include "ip_common.h"
#include "print.h"

static int ipnetns_usage(struct cli_ctx *c, FILE *f)
{
	fprintf(f, "Usage: ip netns list\n"
		   "       ip netns add NAME [ thread K ]\n"
		   "       ip netns { delete | del } NAME\n"
		   "       ip netns exec NAME cmd ...\n"
		   "where cmd := { ip | sysctl | ping | traceroute | nstat | nc | httpd | wget | ss }\n");
	return f == c->out ? 0 : -EINVAL;
}

/* iproute2 ipnetns.c is_valid_netns_name(): no '/', not "." or "..". */
static bool valid_name(const char *name)
{
	return *name && strlen(name) < NETNS_NAMSIZ && !strchr(name, '/') && strcmp(name, ".") &&
	       strcmp(name, "..");
}

static int netns_add(struct cli_ctx *c, int argc, char **argv)
{
	const char *name;
	struct nl_msg *m;
	uint32_t thread = 0;
	bool have_thread = false;
	int err;

	if (argc < 2) {
		fprintf(c->err, "No netns name specified\n");
		return -EINVAL;
	}
	name = argv[1];
	if (!valid_name(name)) {
		fprintf(c->err, "Invalid netns name \"%s\"\n", name);
		return -EINVAL;
	}
	if (argc > 2) {
		if (strcmp(argv[2], "thread") || argc != 4 || get_u32(&thread, argv[3], 0)) {
			fprintf(c->err, "Usage: ip netns add NAME [ thread K ]\n");
			return -EINVAL;
		}
		have_thread = true;
	}
	m = nlmsg_alloc_simple(NSEMU_MSG_NEWNS, NLM_F_CREATE | NLM_F_EXCL);
	if (!m)
		return -ENOMEM;
	nla_put_string(m, NSEMU_A_NS, name);
	if (have_thread)
		nla_put_u32(m, NSEMU_A_THREAD, thread);
	err = cli_request(c, m, NULL, NULL, true);
	if (err == -EEXIST)
		fprintf(c->err, "Cannot create namespace file \"/run/netns/%s\": File exists\n", name);
	else if (err == -EINVAL && have_thread)
		fprintf(c->err, "Error: thread %u does not exist (nsemu runs %u worker threads).\n",
			thread, loop_nworkers());
	else if (err)
		fprintf(c->err, "Cannot create namespace \"%s\": %s\n", name, strerror(-err));
	return err;
}

static int netns_del(struct cli_ctx *c, int argc, char **argv)
{
	struct nl_msg *m;
	int err;

	if (argc < 2) {
		fprintf(c->err, "No netns name specified\n");
		return -EINVAL;
	}
	m = nlmsg_alloc_simple(NSEMU_MSG_DELNS, 0);
	if (!m)
		return -ENOMEM;
	nla_put_string(m, NSEMU_A_NS, argv[1]);
	err = cli_request(c, m, NULL, NULL, true);
	if (err == -ENOENT)
		fprintf(c->err,
			"Cannot remove namespace file \"/run/netns/%s\": No such file or directory\n",
			argv[1]);
	else if (err == -EBUSY)
		fprintf(c->err, "Error: the default namespace cannot be deleted.\n");
	else if (err)
		fprintf(c->err, "Cannot remove namespace \"%s\": %s\n", argv[1], strerror(-err));
	return err;
}

static int print_netns(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[NSEMU_A_MAX + 1];

	if (nlh->nlmsg_type != NSEMU_MSG_NEWNS || nlmsg_parse(nlh, 0, tb, NSEMU_A_MAX, NULL) < 0 ||
	    !tb[NSEMU_A_NS])
		return 0;
	open_json_object(NULL);
	print_string(PRINT_ANY, "name", "%s", nla_get_string(tb[NSEMU_A_NS]));
	if (tb[NSEMU_A_NSID])
		print_uint(PRINT_ANY, "id", " (id: %u)", nla_get_u32(tb[NSEMU_A_NSID]));
	if (c->details && tb[NSEMU_A_THREAD])
		print_uint(PRINT_ANY, "thread", " thread %u", nla_get_u32(tb[NSEMU_A_THREAD]));
	print_string(PRINT_FP, NULL, "\n", NULL);
	close_json_object();
	return 0;
}

static int netns_list(struct cli_ctx *c, int argc, char **argv)
{
	struct nl_msg *m = nlmsg_alloc_simple(NSEMU_MSG_GETNS, NLM_F_DUMP);
	const char *saved = c->ns;
	int err;

	if (!m)
		return -ENOMEM;
	c->ns = NULL; /* the registry is global */
	new_json_obj(c->out, c->json, c->pretty);
	err = cli_request(c, m, print_netns, NULL, false);
	delete_json_obj();
	c->ns = saved;
	return err;
}

static const struct cmd exec_cmds[] = {
	{ "ip", cmd_ip, "" },
	{ "sysctl", cmd_sysctl, "" },
	{ "ping", cmd_ping, "" },
	{ "traceroute", cmd_traceroute, "" },
	{ "tcpdump", cmd_tcpdump, "" },
	{ "nstat", cmd_nstat, "" },
	{ "nc", cmd_nc, "" },
	{ "httpd", cmd_httpd, "" },
	{ "wget", cmd_wget, "" },
	{ "iperf3", cmd_iperf3, "" },
	{ "ss", cmd_ss, "" },
	{ NULL, NULL, NULL },
};

/* PROG is not one of exec_cmds: say what can run here, and how a host
 * program runs in NS (`nsemu exec`, through the shim, from a shell). */
static void netns_exec_refuse(struct cli_ctx *c, int argc, char **argv)
{
	fprintf(c->err, "exec of \"%s\" failed: ip netns exec runs nsemu's own commands only:",
		argv[2]);
	for (const struct cmd *t = exec_cmds; t->name; t++)
		fprintf(c->err, " %s", t->name);
	fprintf(c->err, "\nTo run a host program in %s, type in a shell: nsemu exec %s --", argv[1],
		argv[1]);
	for (int i = 2; i < argc; i++)
		fprintf(c->err, " %s", argv[i]);
	fprintf(c->err, "\n");
}

static int netns_exec(struct cli_ctx *c, int argc, char **argv)
{
	uint32_t id;

	if (argc < 2) {
		fprintf(c->err, "No netns name specified\n");
		return -EINVAL;
	}
	if (argc < 3) {
		fprintf(c->err, "No command specified\n");
		return -EINVAL;
	}
	if (cli_ns_id(c, argv[1], &id)) {
		fprintf(c->err, "Cannot open network namespace \"%s\": No such file or directory\n",
			argv[1]);
		return -ENOENT;
	}
	/* programs are named in full, as execvp() needs: no prefix matching */
	for (const struct cmd *t = exec_cmds; t->name; t++)
		if (!strcmp(argv[2], t->name)) {
			c->ns = argv[1];
			return t->fn(c, argc - 2, argv + 2);
		}
	netns_exec_refuse(c, argc, argv);
	return -ENOENT;
}

static int do_help(struct cli_ctx *c, int argc, char **argv)
{
	return ipnetns_usage(c, c->out);
}

static const struct cmd ipnetns_cmds[] = {
	{ "list", netns_list, "" }, { "show", netns_list, "" }, { "add", netns_add, "" },
	{ "delete", netns_del, "" }, { "exec", netns_exec, "" }, { "help", do_help, "" },
	{ NULL, NULL, NULL },
};

int cmd_ip_netns(struct cli_ctx *c, int argc, char **argv)
{
	if (argc < 2)
		return netns_list(c, 0, NULL);
	return cmd_dispatch(c, ipnetns_cmds, "ip netns", argc - 1, argv + 1);
}
