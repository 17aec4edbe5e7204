// SPDX-License-Identifier: MIT
/*
 * Unit tests of the CLI: lines run through cli_run_line() against the real
 * control path in test mode (one fake worker), with the command's output
 * and errors captured in memory. They check what a user sees: iproute2's
 * exact text and JSON, iproute2's error messages for bad input, and that a
 * bad line changes nothing and leaves the next line working.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/devices.h"
#include "tests/unit/harness/harness.h"
#include "cli/cmd.h"
#include "cli/print.h"
#include "cli/shell.h"
#include "netns/rtnl/rtnl.h"

static struct cli_ctx ctx;
static char *out_buf, *err_buf;
static size_t out_len, err_len;

static void streams_open(void)
{
	free(out_buf);
	free(err_buf);
	out_buf = err_buf = NULL;
	ctx.out = open_memstream(&out_buf, &out_len);
	ctx.err = open_memstream(&err_buf, &err_len);
	assert_non_null(ctx.out);
	assert_non_null(ctx.err);
}

static void streams_close(void)
{
	fclose(ctx.out);
	fclose(ctx.err);
}

/* Run one line with fresh output buffers; out_buf/err_buf hold the text. */
static int run(const char *line)
{
	int ret;

	streams_close();
	streams_open();
	ret = cli_run_line(&ctx, line);
	fflush(ctx.out);
	fflush(ctx.err);
	return ret;
}

/* Run a line that must succeed silently on stderr. */
static void ok(const char *line)
{
	int ret = run(line);

	if (ret || err_len)
		fail_msg("\"%s\" failed (%d): %s", line, ret, err_buf);
}

static int setup(void **state)
{
	(void)state;
	h_setup();
	devices_init();
	assert_int_equal(rtnl_init(), 0);
	cli_ctx_init(&ctx, NULL, NULL);
	streams_open();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	streams_close();
	free(out_buf);
	free(err_buf);
	out_buf = err_buf = NULL;
	cli_ctx_free(&ctx);
	rtnl_exit();
	h_teardown();
	return 0;
}

/* A veth pair a0/a1 in the default namespace, both up, 10.0.1.2/24 on a0. */
static void veth_with_addr(void)
{
	ok("ip link add a0 type veth peer name a1");
	ok("ip link set a0 up");
	ok("ip link set a1 up");
	ok("ip addr add 10.0.1.2/24 dev a0");
}

static void test_cli_unknown_object_error(void **state)
{
	assert_int_not_equal(run("ip foo"), 0);
	assert_string_equal(err_buf, "Object \"foo\" is unknown, try \"ip help\".\n");
}

static void test_cli_unknown_link_command_error(void **state)
{
	assert_int_not_equal(run("ip link bar"), 0);
	assert_string_equal(err_buf, "Command \"bar\" is unknown, try \"ip link help\".\n");
}

static void test_cli_unknown_top_command_error(void **state)
{
	assert_int_not_equal(run("frobnicate now"), 0);
	assert_string_equal(err_buf, "Unknown command \"frobnicate\", try \"help\".\n");
}

/* A host tool's full name is never an abbreviation: `tc` is not tcpdump,
 * `sh` not show, even where it is a prefix of exactly one command. */
static void test_cli_top_host_tool_not_prefix(void **state)
{
	assert_int_not_equal(run("tc qdisc show"), 0);
	assert_string_equal(err_buf, "Unknown command \"tc\": a host program, which nsemu does not "
				     "emulate. Try \"help\".\n");
	assert_int_equal(out_len, 0);
	assert_int_not_equal(run("sh drops"), 0);
	assert_string_equal(err_buf, "Unknown command \"sh\": a host program, which nsemu does not "
				     "emulate. Try \"help\".\n");
	assert_int_equal(out_len, 0);
}

/* A prefix of several commands runs none of them and lists them. */
static void test_cli_top_ambiguous_prefix(void **state)
{
	assert_int_not_equal(run("s"), 0);
	assert_string_equal(err_buf,
			    "Ambiguous command \"s\", could be: sysctl show ss source. Try \"help\".\n");
	assert_int_not_equal(run("t 10.0.0.1"), 0);
	assert_string_equal(err_buf,
			    "Ambiguous command \"t\", could be: traceroute tcpdump. Try \"help\".\n");
	assert_int_equal(out_len, 0);
}

/* Unambiguous prefixes of nsemu's commands still work. */
static void test_cli_top_unique_prefix_runs(void **state)
{
	ok("sysctl -n net.ipv4.ip_forward");
	assert_string_equal(out_buf, "0\n");
	ok("sy -n net.ipv4.ip_forward");
	assert_string_equal(out_buf, "0\n");
	ok("he");
	assert_non_null(strstr(out_buf, "Commands:"));
}

/* An unknown word names the nearest command when it is close. */
static void test_cli_top_unknown_suggests(void **state)
{
	assert_int_not_equal(run("pnig 10.0.0.1"), 0);
	assert_string_equal(err_buf,
			    "Unknown command \"pnig\", did you mean \"ping\"? Try \"help\".\n");
	assert_int_not_equal(run("sysclt -a"), 0);
	assert_string_equal(err_buf,
			    "Unknown command \"sysclt\", did you mean \"sysctl\"? Try \"help\".\n");
	assert_int_not_equal(run("curl -s x"), 0);
	assert_string_equal(err_buf, "Unknown command \"curl\": a host program, which nsemu does not "
				     "emulate. Try \"help\".\n");
}

/* A host program under `ip netns exec` is refused with what can run there
 * and the `nsemu exec` line that runs it; nothing runs. */
static void test_cli_netns_exec_host_program(void **state)
{
	ok("ip netns add h1");
	assert_int_not_equal(run("ip netns exec h1 curl -s x"), 0);
	assert_string_equal(err_buf,
			    "exec of \"curl\" failed: ip netns exec runs nsemu's own commands only: "
			    "ip sysctl ping traceroute tcpdump nstat nc httpd wget iperf3 ss\n"
			    "To run a host program in h1, type in a shell: nsemu exec h1 -- curl -s x\n");
	assert_int_equal(out_len, 0);
	/* built-ins are named in full: a prefix is a program name too */
	assert_int_not_equal(run("ip netns exec h1 sys -a"), 0);
	assert_non_null(strstr(err_buf, "exec of \"sys\" failed"));
	ok("ip netns exec h1 sysctl -n net.ipv4.ip_forward");
	assert_string_equal(out_buf, "0\n");
	ok("ip netns delete h1");
}

static void test_cli_link_show_lo_text(void **state)
{
	ok("ip link set lo up");
	ok("ip link show lo");
	assert_string_equal(out_buf,
			    "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN "
			    "mode DEFAULT group default qlen 1000\n"
			    "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n");
}

static void test_cli_prefix_matching_words(void **state)
{
	char *full;

	ok("ip link show lo");
	full = strdup(out_buf);
	ok("ip li sh lo");
	assert_string_equal(out_buf, full);
	free(full);
}

static void test_cli_link_show_missing_device(void **state)
{
	assert_int_not_equal(run("ip link show eth9"), 0);
	assert_string_equal(err_buf, "Device \"eth9\" does not exist.\n");
}

static void test_cli_link_set_missing_device(void **state)
{
	assert_int_not_equal(run("ip link set eth9 up"), 0);
	assert_string_equal(err_buf, "Cannot find device \"eth9\"\n");
}

static void test_cli_link_stats_columns(void **state)
{
	ok("ip -s link show lo");
	assert_non_null(strstr(out_buf,
			       "    RX:  bytes packets errors dropped  missed   mcast           \n"
			       "             0       0      0       0       0       0 \n"
			       "    TX:  bytes packets errors dropped carrier collsns           \n"));
}

static void test_cli_link_json_compact(void **state)
{
	/* a new namespace's lo is down, with the noop qdisc, as in Linux */
	ok("ip -j link show lo");
	assert_string_equal(out_buf,
			    "[{\"ifindex\":1,\"ifname\":\"lo\",\"flags\":[\"LOOPBACK\"],\"mtu\":65536,"
			    "\"qdisc\":\"noop\",\"operstate\":\"DOWN\",\"linkmode\":\"DEFAULT\","
			    "\"group\":\"default\",\"txqlen\":1000,\"link_type\":\"loopback\","
			    "\"address\":\"00:00:00:00:00:00\",\"broadcast\":\"00:00:00:00:00:00\"}]\n");
}

static void test_cli_options_last_one_line(void **state)
{
	ok("ip -j link show lo");
	ok("ip link show lo");
	assert_int_equal(out_buf[0], '1');
}

static void test_cli_veth_pair_shows_peer(void **state)
{
	ok("ip link add a0 type veth peer name a1");
	ok("ip link show a0");
	assert_non_null(strstr(out_buf, "a0@a1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500"));
}

static void test_cli_veth_across_namespaces(void **state)
{
	ok("ip netns add h1");
	ok("ip netns add h2");
	ok("ip link add x1 netns h1 type veth peer name x2 netns h2");
	ok("ip -n h1 link show x1");
	assert_non_null(strstr(out_buf, "link-netns h2"));
	assert_int_not_equal(run("ip link show x1"), 0); /* not in the default namespace */
}

static void test_cli_mtu_too_big_error(void **state)
{
	ok("ip link add a0 type veth peer name a1");
	assert_int_not_equal(run("ip link set a0 mtu 70000"), 0);
	assert_string_equal(err_buf, "Error: mtu greater than device maximum.\n");
	ok("ip link show a0");
	assert_non_null(strstr(out_buf, "mtu 1500"));
}

static void test_cli_addr_show_lo_json_pretty(void **state)
{
	/* 127.0.0.1 appears when lo comes up (inetdev_event NETDEV_UP) */
	ok("ip link set lo up");
	ok("ip -j -p addr show lo");
	assert_string_equal(out_buf, "[ {\n"
				     "        \"ifindex\": 1,\n"
				     "        \"ifname\": \"lo\",\n"
				     "        \"flags\": [ \"LOOPBACK\",\"UP\",\"LOWER_UP\" ],\n"
				     "        \"mtu\": 65536,\n"
				     "        \"qdisc\": \"noqueue\",\n"
				     "        \"operstate\": \"UNKNOWN\",\n"
				     "        \"group\": \"default\",\n"
				     "        \"txqlen\": 1000,\n"
				     "        \"link_type\": \"loopback\",\n"
				     "        \"address\": \"00:00:00:00:00:00\",\n"
				     "        \"broadcast\": \"00:00:00:00:00:00\",\n"
				     "        \"addr_info\": [ {\n"
				     "                \"family\": \"inet\",\n"
				     "                \"local\": \"127.0.0.1\",\n"
				     "                \"prefixlen\": 8,\n"
				     "                \"scope\": \"host\",\n"
				     "                \"label\": \"lo\",\n"
				     "                \"valid_life_time\": 4294967295,\n"
				     "                \"preferred_life_time\": 4294967295\n"
				     "            } ]\n"
				     "    } ]\n");
}

static void test_cli_addr_show_text(void **state)
{
	veth_with_addr();
	ok("ip addr show dev a0");
	assert_non_null(strstr(out_buf, "    inet 10.0.1.2/24 scope global a0\n"
					"       valid_lft forever preferred_lft forever\n"));
}

static void test_cli_addr_add_bad_prefix(void **state)
{
	ok("ip link add a0 type veth peer name a1");
	assert_int_not_equal(run("ip addr add 1.2.3/33 dev a0"), 0);
	assert_string_equal(err_buf, "Error: any valid prefix is expected rather than \"1.2.3/33\".\n");
}

static void test_cli_addr_add_missing_dev(void **state)
{
	assert_int_not_equal(run("ip addr add 10.0.0.1/24"), 0);
	assert_string_equal(err_buf, "Not enough information: \"dev\" argument is required.\n");
}

static void test_cli_addr_add_duplicate_error(void **state)
{
	veth_with_addr();
	assert_int_not_equal(run("ip addr add 10.0.1.2/24 dev a0"), 0);
	assert_true(!strncmp(err_buf, "Error: ", 7) ||
		    !strcmp(err_buf, "RTNETLINK answers: File exists\n"));
}

static void test_cli_addr_flush_removes_addresses(void **state)
{
	veth_with_addr();
	ok("ip addr flush dev a0");
	ok("ip addr show dev a0");
	assert_null(strstr(out_buf, "inet "));
}

static void test_cli_route_show_connected(void **state)
{
	veth_with_addr();
	ok("ip route show");
	assert_string_equal(out_buf, "10.0.1.0/24 dev a0 proto kernel scope link src 10.0.1.2 \n");
}

static void test_cli_route_add_default_and_metric(void **state)
{
	veth_with_addr();
	ok("ip route add default via 10.0.1.1");
	ok("ip route add 10.7.0.0/16 via 10.0.1.1 metric 100 proto static");
	ok("ip route add blackhole 10.9.0.0/16");
	ok("ip route");
	assert_string_equal(out_buf, "default via 10.0.1.1 dev a0 \n"
				     "10.0.1.0/24 dev a0 proto kernel scope link src 10.0.1.2 \n"
				     "10.7.0.0/16 via 10.0.1.1 dev a0 proto static metric 100 \n"
				     "blackhole 10.9.0.0/16 \n");
}

static void test_cli_route_add_bad_prefix(void **state)
{
	assert_int_not_equal(run("ip route add 10.0.0.300/24 dev lo"), 0);
	assert_string_equal(err_buf,
			    "Error: any valid prefix is expected rather than \"10.0.0.300/24\".\n");
}

static void test_cli_route_add_duplicate_error(void **state)
{
	veth_with_addr();
	ok("ip route add 10.5.0.0/16 via 10.0.1.1");
	assert_int_not_equal(run("ip route add 10.5.0.0/16 via 10.0.1.1"), 0);
	assert_string_equal(err_buf, "RTNETLINK answers: File exists\n");
}

static void test_cli_route_del_missing_error(void **state)
{
	veth_with_addr();
	assert_int_not_equal(run("ip route del 10.99.0.0/16"), 0);
	assert_string_equal(err_buf, "RTNETLINK answers: No such process\n");
}

static void test_cli_route_table_local_column(void **state)
{
	veth_with_addr();
	ok("ip route show table local");
	assert_non_null(strstr(out_buf, "local 10.0.1.2 dev a0 proto kernel scope host src 10.0.1.2 \n"));
	ok("ip route show table all");
	assert_non_null(strstr(out_buf, "local 10.0.1.2 dev a0 table local proto kernel scope host"));
}

static void test_cli_route_get_output(void **state)
{
	veth_with_addr();
	ok("ip route add default via 10.0.1.1");
	ok("ip route get 10.0.2.2");
	assert_string_equal(out_buf, "10.0.2.2 via 10.0.1.1 dev a0 src 10.0.1.2 uid 0 \n    cache \n");
}

static void test_cli_neigh_add_show(void **state)
{
	veth_with_addr();
	ok("ip neigh add 10.0.1.5 lladdr 02:00:00:00:00:05 dev a0");
	ok("ip neigh show");
	assert_string_equal(out_buf, "10.0.1.5 dev a0 lladdr 02:00:00:00:00:05 PERMANENT \n");
	ok("ip -j neigh show dev a0");
	assert_string_equal(out_buf,
			    "[{\"dst\":\"10.0.1.5\",\"lladdr\":\"02:00:00:00:00:05\",\"state\":[\"PERMANENT\"]}]\n");
}

static void test_cli_neigh_flush_keeps_permanent(void **state)
{
	veth_with_addr();
	ok("ip neigh add 10.0.1.5 lladdr 02:00:00:00:00:05 dev a0");
	ok("ip neigh add 10.0.1.6 lladdr 02:00:00:00:00:06 dev a0 nud stale");
	ok("ip neigh flush dev a0");
	ok("ip neigh show dev a0");
	assert_string_equal(out_buf, "10.0.1.5 lladdr 02:00:00:00:00:05 PERMANENT \n");
}

static void test_cli_neigh_bad_lladdr(void **state)
{
	veth_with_addr();
	assert_int_not_equal(run("ip neigh add 10.0.1.5 lladdr 02:zz dev a0"), 0);
	assert_string_equal(err_buf, "\"02:zz\" is invalid lladdr.\n");
}

static void test_cli_netns_add_existing_error(void **state)
{
	ok("ip netns add h1");
	assert_int_not_equal(run("ip netns add h1"), 0);
	assert_string_equal(err_buf, "Cannot create namespace file \"/run/netns/h1\": File exists\n");
}

static void test_cli_netns_list_and_del(void **state)
{
	ok("ip netns add h1");
	ok("ip netns add h2");
	ok("ip netns del h1");
	ok("ip -j netns list");
	assert_non_null(strstr(out_buf, "\"name\":\"h2\""));
	assert_null(strstr(out_buf, "\"h1\""));
	assert_int_not_equal(run("ip netns del h1"), 0);
	assert_string_equal(err_buf,
			    "Cannot remove namespace file \"/run/netns/h1\": No such file or directory\n");
}

static void test_cli_exec_missing_namespace(void **state)
{
	assert_int_not_equal(run("ip netns exec nope ip link"), 0);
	assert_string_equal(err_buf, "Cannot open network namespace \"nope\": No such file or directory\n");
}

static void test_cli_n_option_missing_namespace(void **state)
{
	assert_int_not_equal(run("ip -n nope link"), 0);
	assert_string_equal(err_buf, "Cannot open network namespace \"nope\": No such file or directory\n");
}

static void test_cli_n_option_checks_namespace_first(void **state)
{
	assert_int_not_equal(run("ip -n nope route get 10.0.0.1"), 0);
	assert_string_equal(err_buf, "Cannot open network namespace \"nope\": No such file or directory\n");
	assert_int_not_equal(run("nstat -n nope"), 0);
	assert_string_equal(err_buf, "Cannot open network namespace \"nope\": No such file or directory\n");
}

static void test_cli_sysctl_write_without_value(void **state)
{
	assert_int_not_equal(run("sysctl -w net.ipv4.ip_forward"), 0);
	assert_string_equal(err_buf, "sysctl: command line(0): invalid syntax, continuing...\n");
}

static void test_cli_sysctl_write_and_read(void **state)
{
	ok("ip netns add r1");
	ok("ip netns exec r1 sysctl -w net.ipv4.ip_forward=1");
	assert_string_equal(out_buf, "net.ipv4.ip_forward = 1\n");
	ok("ip netns exec r1 sysctl -n net.ipv4.ip_forward");
	assert_string_equal(out_buf, "1\n");
	ok("sysctl net.ipv4.ip_forward"); /* the default namespace is untouched */
	assert_string_equal(out_buf, "net.ipv4.ip_forward = 0\n");
	ok("sysctl --netns r1 net/ipv4/ip_forward");
	assert_string_equal(out_buf, "net.ipv4.ip_forward = 1\n");
}

static void test_cli_sysctl_unknown_key(void **state)
{
	assert_int_not_equal(run("sysctl net.ipv4.foo"), 0);
	assert_string_equal(err_buf,
			    "sysctl: cannot stat /proc/sys/net/ipv4/foo: No such file or directory\n");
}

static void test_cli_sysctl_out_of_range(void **state)
{
	assert_int_not_equal(run("sysctl -w net.ipv4.ip_default_ttl=0"), 0);
	assert_string_equal(err_buf, "sysctl: setting key \"net.ipv4.ip_default_ttl\": Invalid argument\n");
	ok("sysctl -n net.ipv4.ip_default_ttl");
	assert_string_equal(out_buf, "64\n");
}

static void test_cli_nstat_header_and_zeros(void **state)
{
	ok("nstat -z IpInReceives");
	assert_string_equal(out_buf, "#kernel\nIpInReceives                    0                  0.0\n");
	ok("nstat -j -z IpInReceives");
	assert_string_equal(out_buf, "{\"kernel\":{\"IpInReceives\":0}}\n");
}

static void test_cli_show_drops_json(void **state)
{
	ok("show -j drops");
	const char *head = "[{\"namespace\":\"default\",\"drops\":[";

	assert_true(!strncmp(out_buf, head, strlen(head)));
}

/* -j goes anywhere on a show line, before or after the object and NS. */
static void test_cli_show_json_anywhere(void **state)
{
	const char *head = "[{\"namespace\":\"default\",\"drops\":[";
	char *first;

	ok("show -j drops default");
	first = strdup(out_buf);
	ok("show drops default -j");
	assert_string_equal(out_buf, first);
	ok("show drops -j default");
	assert_string_equal(out_buf, first);
	assert_true(!strncmp(out_buf, head, strlen(head)));
	free(first);
	ok("show threads -j");
	assert_true(!strncmp(out_buf, "[{\"thread\":0,", strlen("[{\"thread\":0,")));
	assert_int_not_equal(run("show drops -x"), 0);
	assert_string_equal(err_buf, "Option \"-x\" is unknown, try \"help\".\n");
	assert_int_not_equal(run("show -j"), 0);
	assert_non_null(strstr(err_buf, "Usage: show"));
}

/* show threads counts the namespaces of each worker; the names only with
 * -v (text) or -j. */
static void test_cli_show_threads_counts(void **state)
{
	const char *head = "THREAD      PACKETS      CALLS   BUSY  NAMESPACES\n", *row;

	ok("ip netns add h1");
	ok("ip netns add h2");
	ok("show threads");
	assert_true(!strncmp(out_buf, head, strlen(head)));
	row = out_buf + strlen(head);
	assert_true(!strncmp(row, "0 ", 2));
	assert_non_null(strstr(row, "%           3\n"));
	assert_null(strstr(out_buf, "h1"));
	ok("show threads -v");
	assert_non_null(strstr(out_buf, "NAMESPACES  NAMES\n"));
	assert_non_null(strstr(out_buf, "%           3  "));
	assert_non_null(strstr(out_buf, "h1"));
	assert_non_null(strstr(out_buf, "h2"));
	assert_non_null(strstr(out_buf, ","));
	ok("show -j threads");
	assert_non_null(strstr(out_buf, "\"namespace_count\":3,\"namespaces\":["));
	assert_non_null(strstr(out_buf, "\"h1\""));
	ok("ip netns delete h1");
	ok("ip netns delete h2");
}

static void test_cli_unterminated_quote(void **state)
{
	assert_int_not_equal(run("ip link show \"lo"), 0);
	assert_string_equal(err_buf, "Error: unterminated quote.\n");
}

static void test_cli_comment_and_blank_lines(void **state)
{
	assert_int_equal(run("   # just a comment"), 0);
	assert_int_equal(out_len + err_len, 0);
	assert_int_equal(run(""), 0);
	ok("ip link show 'lo' # trailing comment");
	assert_int_equal(out_buf[0], '1');
}

static void test_cli_incomplete_command(void **state)
{
	assert_int_not_equal(run("ip route add 10.0.0.0/8 via"), 0);
	assert_string_equal(err_buf, "Command line is not complete. Try option \"help\"\n");
}

static void test_cli_script_reports_failing_line(void **state)
{
	char path[] = "/tmp/nsemu_cli_testXXXXXX";
	int fd = mkstemp(path);
	char expect[128];
	const char *text = "ip link set lo up\nip link show eth9\nip netns add never\n";

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	streams_close();
	streams_open();
	assert_int_not_equal(cli_run_file(&ctx, path), 0);
	fflush(ctx.err);
	snprintf(expect, sizeof(expect), "Device \"eth9\" does not exist.\nCommand failed %s:2\n",
		 path);
	assert_string_equal(err_buf, expect);
	unlink(path);
	/* the line after the failure did not run */
	assert_int_not_equal(run("ip netns exec never ip link"), 0);
}

static void test_cli_quit_sets_flag(void **state)
{
	assert_int_equal(run("quit"), 0);
	assert_true(ctx.quit);
}

/* ---- alias, -br, -o, -c, monitor ---- */

static void test_cli_link_alias_set_shown_cleared(void **state)
{
	char big[300];

	ok("ip link add v0 address 02:00:00:00:00:01 type veth peer name v1 address 02:00:00:00:00:02");
	ok("ip link set v0 alias 'to r1'");
	ok("ip link show v0");
	assert_string_equal(out_buf,
			    "3: v0@v1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN "
			    "mode DEFAULT group default qlen 1000\n"
			    "    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n"
			    "    alias to r1\n");
	/* iproute2 shows the alias for ip link only */
	ok("ip addr show v0");
	assert_null(strstr(out_buf, "alias"));
	ok("ip -j link show v0");
	assert_non_null(strstr(out_buf, ",\"ifalias\":\"to r1\"}]"));
	ok("ip link set v0 alias ''");
	ok("ip link show v0");
	assert_null(strstr(out_buf, "alias"));
	/* 256 bytes: ip's own error, nothing sent */
	memset(big, 'x', 256);
	big[256] = '\0';
	char line[400];
	snprintf(line, sizeof(line), "ip link set v0 alias %s", big);
	assert_int_not_equal(run(line), 0);
	char want[400];
	snprintf(want, sizeof(want), "Error: argument \"%s\" is wrong: alias too long\n\n", big);
	assert_string_equal(err_buf, want);
	assert_int_not_equal(run("ip link set v0 alias"), 0);
	assert_string_equal(err_buf, "Command line is not complete. Try option \"help\"\n");
}

static void test_cli_brief_link_and_addr_columns(void **state)
{
	ok("ip link add v0 address 02:00:00:00:00:01 type veth peer name v1 address 02:00:00:00:00:02");
	ok("ip addr add 10.0.0.1/24 dev v0");
	ok("ip -br link show v0");
	assert_string_equal(out_buf, "v0@v1            DOWN           02:00:00:00:00:01 "
				     "<BROADCAST,MULTICAST,M-DOWN> \n");
	ok("ip -brief addr show v0");
	assert_string_equal(out_buf, "v0@v1            DOWN           10.0.0.1/24 \n");
	ok("ip -br -j addr show v0");
	assert_string_equal(out_buf, "[{\"link\":\"v1\",\"ifname\":\"v0\",\"operstate\":\"DOWN\","
				     "\"addr_info\":[{\"local\":\"10.0.0.1\",\"prefixlen\":24}]}]\n");
	/* -b alone is iproute2's -batch, not -brief */
	assert_int_not_equal(run("ip -b link"), 0);
	assert_string_equal(err_buf, "Option \"-b\" is unknown, try \"ip -help\".\n");
}

static void test_cli_oneline_joins_record(void **state)
{
	ok("ip -o link show lo");
	assert_string_equal(out_buf, "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT "
				     "group default qlen 1000\\    link/loopback 00:00:00:00:00:00 "
				     "brd 00:00:00:00:00:00\n");
	/* the next line is not one-line */
	ok("ip link show lo");
	assert_non_null(strstr(out_buf, "qlen 1000\n    link/loopback"));
}

static void test_cli_color_words_and_per_line(void **state)
{
	int v = -1;

	assert_true(matches_color("-c", &v) && v == COLOR_OPT_ALWAYS);
	assert_true(matches_color("-color=auto", &v) && v == COLOR_OPT_AUTO);
	assert_true(matches_color("-col=never", &v) && v == COLOR_OPT_NEVER);
	assert_true(matches_color("-c=always", &v) && v == COLOR_OPT_ALWAYS);
	assert_false(matches_color("-c=blue", &v));
	assert_false(matches_color("-colors", &v));
	assert_false(matches_color("-", &v));
	ok("ip -c link show lo");
	assert_string_equal(out_buf, "1: \033[36mlo: \033[0m<LOOPBACK> mtu 65536 qdisc noop state "
				     "\033[31mDOWN \033[0mmode DEFAULT group default qlen 1000\n"
				     "    link/loopback \033[33m00:00:00:00:00:00\033[0m brd "
				     "\033[33m00:00:00:00:00:00\033[0m\n");
	/* auto: the output is not a terminal; JSON is never painted */
	ok("ip -c=auto link show lo");
	assert_null(strchr(out_buf, '\033'));
	ok("ip -c -j link show lo");
	assert_null(strchr(out_buf, '\033'));
	/* colours belong to one line */
	ok("ip link show lo");
	assert_null(strchr(out_buf, '\033'));
	assert_int_not_equal(run("ip -c=bogus link"), 0);
	assert_string_equal(err_buf, "Option \"-c=bogus\" is unknown, try \"ip -help\".\n");
}

static void test_cli_monitor_arguments(void **state)
{
	volatile sig_atomic_t stop = 1;

	assert_int_not_equal(run("ip monitor foo"), 0);
	assert_string_equal(err_buf, "Argument \"foo\" is unknown, try \"ip monitor help\".\n");
	assert_int_not_equal(run("ip -n nosuch monitor"), 0);
	/* interrupted before anything happened: returns, prints nothing */
	ctx.interrupt = &stop;
	assert_int_equal(run("ip monitor link address label"), 0);
	assert_int_equal(out_len, 0);
	ctx.interrupt = NULL;
	ok("ip link show lo");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* What TAB offers after @line, as one space-separated string. */
static const char *complete(const char *line)
{
	static char buf[1024];
	char *v[64];
	unsigned n = shell_complete_line(&ctx, line, v, 64);
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? " " : "", v[i]);
		free(v[i]);
	}
	return buf;
}

/* TAB completes by context: the objects after `ip` and its options, the
 * verbs of the object, link kinds after `type`, namespaces after `-n`,
 * the namespace's devices after `dev`, what `show` shows. */
static void test_cli_tab_completes_by_context(void **state)
{
	ok("ip netns add red");
	ok("ip netns add blue");
	ok("ip -n red link add r0 type dummy");
	assert_string_equal(complete("ip "),
			    "address link route neighbour netns rule nexthop vrf monitor");
	assert_string_equal(complete("ip -j -n red "),
			    "address link route neighbour netns rule nexthop vrf monitor");
	assert_string_equal(complete("ip ro"), "route");
	assert_string_equal(complete("ip route "), "add del change append replace show flush get help");
	assert_string_equal(complete("ip ru"), "rule");
	assert_string_equal(complete("ip rule "), "add delete list show flush help");
	assert_string_equal(complete("ip nexthop "), "add replace delete list show get flush help");
	assert_string_equal(complete("ip monitor r"), "route rule");
	assert_string_equal(complete("ip r a"), "add append");
	assert_string_equal(complete("ip link add x0 type "), "veth dummy tap tun");
	assert_string_equal(complete("ip link add x0 type d"), "dummy");
	assert_string_equal(complete("ip -n r"), "red");
	assert_string_equal(complete("ip netns exec b"), "blue");
	assert_string_equal(complete("ip -n red link set dev "), "lo r0");
	assert_string_equal(complete("show "), "drops threads");
	assert_string_equal(complete("tr"), "traceroute");
}

/* `help CMD [WORDS]` and `CMD ... ?` show the grammar of what they name. */
static void test_cli_help_cmd_and_question_mark(void **state)
{
	ok("help ip route");
	assert_non_null(strstr(out_buf, "Usage: ip route"));
	ok("ip link ?");
	assert_non_null(strstr(out_buf, "Usage: ip link add"));
	ok("ping ?");
	assert_non_null(strstr(out_buf, "Usage: ping [-bf]"));
	assert_int_not_equal(run("help tc"), 0);
	assert_non_null(strstr(err_buf, "Unknown command \"tc\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_cli_unknown_object_error),
		T(test_cli_unknown_link_command_error),
		T(test_cli_unknown_top_command_error),
		T(test_cli_top_host_tool_not_prefix),
		T(test_cli_top_ambiguous_prefix),
		T(test_cli_top_unique_prefix_runs),
		T(test_cli_top_unknown_suggests),
		T(test_cli_netns_exec_host_program),
		T(test_cli_link_show_lo_text),
		T(test_cli_prefix_matching_words),
		T(test_cli_link_show_missing_device),
		T(test_cli_link_set_missing_device),
		T(test_cli_link_stats_columns),
		T(test_cli_link_json_compact),
		T(test_cli_options_last_one_line),
		T(test_cli_veth_pair_shows_peer),
		T(test_cli_veth_across_namespaces),
		T(test_cli_mtu_too_big_error),
		T(test_cli_addr_show_lo_json_pretty),
		T(test_cli_addr_show_text),
		T(test_cli_addr_add_bad_prefix),
		T(test_cli_addr_add_missing_dev),
		T(test_cli_addr_add_duplicate_error),
		T(test_cli_addr_flush_removes_addresses),
		T(test_cli_route_show_connected),
		T(test_cli_route_add_default_and_metric),
		T(test_cli_route_add_bad_prefix),
		T(test_cli_route_add_duplicate_error),
		T(test_cli_route_del_missing_error),
		T(test_cli_route_table_local_column),
		T(test_cli_route_get_output),
		T(test_cli_neigh_add_show),
		T(test_cli_neigh_flush_keeps_permanent),
		T(test_cli_neigh_bad_lladdr),
		T(test_cli_netns_add_existing_error),
		T(test_cli_netns_list_and_del),
		T(test_cli_exec_missing_namespace),
		T(test_cli_n_option_missing_namespace),
		T(test_cli_n_option_checks_namespace_first),
		T(test_cli_sysctl_write_without_value),
		T(test_cli_sysctl_write_and_read),
		T(test_cli_sysctl_unknown_key),
		T(test_cli_sysctl_out_of_range),
		T(test_cli_nstat_header_and_zeros),
		T(test_cli_show_drops_json),
		T(test_cli_show_json_anywhere),
		T(test_cli_show_threads_counts),
		T(test_cli_tab_completes_by_context),
		T(test_cli_help_cmd_and_question_mark),
		T(test_cli_unterminated_quote),
		T(test_cli_comment_and_blank_lines),
		T(test_cli_incomplete_command),
		T(test_cli_script_reports_failing_line),
		T(test_cli_quit_sets_flag),
		T(test_cli_link_alias_set_shown_cleared),
		T(test_cli_brief_link_and_addr_columns),
		T(test_cli_oneline_joins_record),
		T(test_cli_color_words_and_per_line),
		T(test_cli_monitor_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
