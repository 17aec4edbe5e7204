// SPDX-License-Identifier: MIT
/*
 * `nsemu exec NS -- PROGRAM ARGS…` (notes/rtnetlink.md §4): the way to run
 * the real iproute2 `ip`, procps `sysctl` or a libnl program inside an
 * emulated namespace. Linux puts a process in a namespace with setns();
 * here the process's netlink sockets are connections to the emulator's
 * control socket bound to NS, which the preload shim makes of them. This
 * file only checks and prepares: the emulator must answer on the socket
 * and know NS (the same HELLO the shim sends), then the environment the
 * shim reads is set and PROGRAM replaces this process — no emulator is
 * started here.
 */
#include <assert.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "netns/rtnl/rtnl.h"
#include "ctl/ctl_server.h"
#include "exec.h"
#include "shim/shim.h"

/* The shim repeats the wire numbers it needs (it is built without the
 * emulator's headers): keep them equal. */
static_assert(SHIM_MSG_HELLO == NSEMU_MSG_HELLO, "HELLO");
static_assert(SHIM_MSG_BIND == NSEMU_MSG_BIND, "BIND");
static_assert(SHIM_MSG_SETSOCKOPT == NSEMU_MSG_SETSOCKOPT, "SETSOCKOPT");
static_assert(SHIM_MSG_SYSCTL_GET == NSEMU_MSG_SYSCTL_GET, "SYSCTL_GET");
static_assert(SHIM_MSG_SYSCTL_SET == NSEMU_MSG_SYSCTL_SET, "SYSCTL_SET");
static_assert(SHIM_MSG_SYSCTL_DUMP == NSEMU_MSG_SYSCTL_DUMP, "SYSCTL_DUMP");
static_assert(SHIM_A_NS == NSEMU_A_NS && SHIM_A_PORTID == NSEMU_A_PORTID &&
		      SHIM_A_PID == NSEMU_A_PID && SHIM_A_KEY == NSEMU_A_KEY &&
		      SHIM_A_VALUE == NSEMU_A_VALUE && SHIM_A_GROUPS == NSEMU_A_GROUPS &&
		      SHIM_A_OPTNAME == NSEMU_A_OPTNAME && SHIM_A_OPTVAL == NSEMU_A_OPTVAL,
	      "attribute numbers");

#define SHIM_NAME "libnsemu-shim.so"

static void exec_usage(FILE *f)
{
	fprintf(f, "Usage: nsemu exec [ -s SOCKET ] NS -- PROGRAM [ ARGS... ]\n"
		   "  Run PROGRAM with its rtnetlink sockets, interface lookups and\n"
		   "  /proc/sys/net in namespace NS of the emulator serving SOCKET\n"
		   "  (default: $NSEMU_SOCK, else $XDG_RUNTIME_DIR/nsemu.sock, else\n"
		   "  /tmp/nsemu-$UID.sock).\n");
}

/* Connect and send HELLO{NS}: 0, or -errno with *what telling the step. */
static int exec_hello(const char *path, const char *ns, const char **what)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	uint8_t buf[256] __attribute__((aligned(4))) = { 0 };
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	size_t nslen = strlen(ns) + 1;
	int fd, err = 0;

	*what = "connect";
	if (strlen(path) >= sizeof(un.sun_path))
		return -ENAMETOOLONG;
	memcpy(un.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
		err = -errno;
		goto out;
	}
	*what = "namespace";
	if (nslen > 64) {
		err = -ENAMETOOLONG;
		goto out;
	}
	struct nlattr *a = (struct nlattr *)(buf + NLMSG_HDRLEN);
	a->nla_type = NSEMU_A_NS;
	a->nla_len = (uint16_t)(NLA_HDRLEN + nslen);
	memcpy((uint8_t *)a + NLA_HDRLEN, ns, nslen);
	h->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + NLA_ALIGN(a->nla_len));
	h->nlmsg_type = NSEMU_MSG_HELLO;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = 1;
	if (send(fd, buf, h->nlmsg_len, MSG_NOSIGNAL) < 0) {
		err = -errno;
		goto out;
	}
	ssize_t n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		err = -errno;
	} else if ((size_t)n < NLMSG_LENGTH(sizeof(struct nlmsgerr)) ||
		   h->nlmsg_type != NLMSG_ERROR) {
		err = -EPROTO;
	} else {
		err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
out:
	close(fd);
	return err;
}

/* The shim beside this binary (the build directory), else in
 * ../lib/nsemu/ (where `make install` puts it under PREFIX). */
static int exec_shim_path(char *buf, size_t len)
{
	static const char *const dirs[] = { "", "/../lib/nsemu" };
	char self[PATH_MAX], found[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int err = -ENOENT;

	if (n < 0)
		return -errno;
	self[n] = '\0';
	const char *dir = dirname(self);

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if ((size_t)snprintf(buf, len, "%s%s/%s", dir, dirs[i], SHIM_NAME) >= len)
			return -ENAMETOOLONG;
		if (access(buf, R_OK)) {
			err = -errno;
			continue;
		}
		if (!realpath(buf, found) || strlen(found) >= len)
			return 0; /* readable as it is */
		memcpy(buf, found, strlen(found) + 1);
		return 0;
	}
	return err;
}

int cli_exec_main(int argc, char **argv)
{
	char defpath[108], sockabs[PATH_MAX], shim[PATH_MAX];
	const char *path = NULL, *what;
	int i = 1;

	for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			path = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			exec_usage(stdout);
			return 0;
		} else {
			exec_usage(stderr);
			return 2;
		}
	}
	/* NS, "--", PROGRAM */
	if (i + 2 >= argc || strcmp(argv[i + 1], "--") || !argv[i][0]) {
		exec_usage(stderr);
		return 2;
	}
	const char *ns = argv[i];
	char **prog = argv + i + 2;

	if (!path)
		path = getenv("NSEMU_SOCK");
	if (!path || !*path) {
		if (ctl_default_path(defpath, sizeof(defpath))) {
			fprintf(stderr, "nsemu exec: the default socket path is too long\n");
			return 1;
		}
		path = defpath;
	}
	int err = exec_hello(path, ns, &what);
	if (err) {
		if (!strcmp(what, "namespace") && err == -ENOENT)
			fprintf(stderr, "nsemu exec: no namespace \"%s\" in the emulator at %s\n",
				ns, path);
		else if (!strcmp(what, "namespace"))
			fprintf(stderr, "nsemu exec: namespace \"%s\": %s\n", ns, strerror(-err));
		else
			fprintf(stderr, "nsemu exec: cannot connect to %s: %s\n", path,
				strerror(-err));
		return 1;
	}
	err = exec_shim_path(shim, sizeof(shim));
	if (err) {
		fprintf(stderr,
			"nsemu exec: cannot find %s beside the nsemu binary or in ../lib/nsemu: %s\n",
			SHIM_NAME, strerror(-err));
		return 1;
	}
	/* the program may chdir: give the shim an absolute socket path */
	if (path[0] != '/') {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)) ||
		    (size_t)snprintf(sockabs, sizeof(sockabs), "%s/%s", cwd, path) >= sizeof(sockabs)) {
			fprintf(stderr, "nsemu exec: cannot make %s absolute\n", path);
			return 1;
		}
		path = sockabs;
	}
	/* ld.so takes a colon- or space-separated list; ours goes first so
	 * its hooks win over another preload's */
	const char *old = getenv("LD_PRELOAD");
	size_t plen = strlen(shim) + (old ? strlen(old) + 1 : 0) + 1;
	char *preload = malloc(plen);
	if (!preload) {
		fprintf(stderr, "nsemu exec: out of memory\n");
		return 1;
	}
	snprintf(preload, plen, "%s%s%s", shim, old && *old ? ":" : "", old ? old : "");
	if (setenv("NSEMU_SOCK", path, 1) || setenv("NSEMU_NS", ns, 1) ||
	    setenv("LD_PRELOAD", preload, 1)) {
		fprintf(stderr, "nsemu exec: %s\n", strerror(errno));
		free(preload);
		return 1;
	}
	free(preload);
	execvp(prog[0], prog);
	err = errno;
	fprintf(stderr, "nsemu exec: %s: %s\n", prog[0], strerror(err));
	return err == ENOENT ? 127 : 126;
}
