// SPDX-License-Identifier: MIT
/*
 * The preload shim's socket half (notes/rtnetlink.md §1.5): under
 * `nsemu exec NS -- PROGRAM`, socket(AF_NETLINK, …, NETLINK_ROUTE) returns a
 * Unix SOCK_SEQPACKET connection to $NSEMU_SOCK bound to namespace $NSEMU_NS,
 * and every call a netlink program makes on it answers as a netlink socket
 * would: bind/getsockname report a portid, setsockopt(SOL_NETLINK) is passed
 * to the emulator (NSEMU_MSG_SETSOCKOPT), sends drop the destination
 * address, receives report the kernel (nl_pid 0) as the sender with a
 * 12-byte address — iproute2 exits on anything else. read, write, poll and
 * fcntl(F_SETFL) work natively on the real fd. Netlink sockets of other
 * protocols fail closed with EPROTONOSUPPORT (what a kernel without that
 * netlink family answers), so nothing under the shim reaches the host's
 * genetlink, nftables or sock_diag. Without NSEMU_SOCK every hook passes
 * straight through.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "shim.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define SHIM_MAX_FD 4096

/* One fake netlink socket, indexed by its (real Unix) fd. */
struct shim_sock {
	bool used;
	uint32_t portid;
	uint32_t groups; /* bind()'s legacy mask */
	int opt[16];	 /* SOL_NETLINK option values, by option number */
};

static struct shim_sock shim_socks[SHIM_MAX_FD];
static pthread_mutex_t shim_mutex = PTHREAD_MUTEX_INITIALIZER;
static unsigned shim_nsocks; /* sockets made so far: the first gets getpid() */

static bool shim_on;
static const char *shim_path, *shim_nsname;

/* The environment is read once, when the library is loaded: a program that
 * changes NSEMU_SOCK later does not switch emulators halfway. */
__attribute__((constructor)) static void shim_init(void)
{
	const char *p = getenv("NSEMU_SOCK");
	const char *ns = getenv("NSEMU_NS");

	if (p && *p) {
		shim_on = true;
		shim_path = strdup(p);
		shim_nsname = strdup(ns && *ns ? ns : "default");
	}
}

bool shim_active(void)
{
	return shim_on;
}

const char *shim_sock_path(void)
{
	return shim_path;
}

const char *shim_ns(void)
{
	return shim_nsname;
}

void shim_log(const char *fmt, ...)
{
	static int dbg = -1;
	va_list ap;

	if (dbg < 0)
		dbg = getenv("NSEMU_SHIM_DEBUG") != NULL;
	if (!dbg)
		return;
	char line[512];
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	/* one write per line: several processes may share stderr */
	char out[600];
	int m = snprintf(out, sizeof(out), "nsemu-shim[%d]: %.*s\n", (int)getpid(), n, line);
	if (m > 0) {
		ssize_t w = write(STDERR_FILENO, out, (size_t)m < sizeof(out) ? (size_t)m : sizeof(out) - 1);
		(void)w;
	}
}

static struct shim_sock *shim_sock_get(int fd)
{
	if (!shim_on || fd < 0 || fd >= SHIM_MAX_FD)
		return NULL;
	struct shim_sock *s = &shim_socks[fd];
	return __atomic_load_n(&s->used, __ATOMIC_ACQUIRE) ? s : NULL;
}

/* fd @to now refers to what @from does (dup family). */
static void shim_sock_copy(int from, int to)
{
	if (!shim_on || to < 0 || to >= SHIM_MAX_FD)
		return;
	pthread_mutex_lock(&shim_mutex);
	if (from >= 0 && from < SHIM_MAX_FD && shim_socks[from].used)
		shim_socks[to] = shim_socks[from];
	else
		shim_socks[to].used = false;
	pthread_mutex_unlock(&shim_mutex);
}

static void shim_sock_forget(int fd)
{
	if (shim_on && fd >= 0 && fd < SHIM_MAX_FD)
		__atomic_store_n(&shim_socks[fd].used, false, __ATOMIC_RELEASE);
}

/* A fire-and-forget BIND or SETSOCKOPT: the server applies them in order
 * with the requests that follow, and never answers. */
static int shim_send_ctl(int fd, uint16_t type, uint16_t a1, uint32_t v1, uint16_t a2, uint32_t v2)
{
	SHIM_REAL(sendmsg);
	uint8_t buf[64] __attribute__((aligned(4))) = { 0 };
	size_t off = NLMSG_HDRLEN;
	struct nlmsghdr *h = (struct nlmsghdr *)buf;

	shim_put_attr(buf, sizeof(buf), &off, a1, &v1, 4);
	shim_put_attr(buf, sizeof(buf), &off, a2, &v2, 4);
	h->nlmsg_len = (uint32_t)off;
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST;
	struct iovec iov = { buf, off };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	return real_sendmsg(fd, &m, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

int socket(int domain, int type, int protocol)
{
	SHIM_REAL(socket);

	if (!shim_on || domain != AF_NETLINK)
		return real_socket(domain, type, protocol);
	if (protocol != NETLINK_ROUTE) {
		/* fail closed: only rtnetlink is emulated */
		shim_log("socket(AF_NETLINK, proto %d) refused: EPROTONOSUPPORT", protocol);
		errno = EPROTONOSUPPORT;
		return -1;
	}
	int base = type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (base != SOCK_RAW && base != SOCK_DGRAM) {
		errno = ESOCKTNOSUPPORT; /* netlink_create: only raw and dgram */
		return -1;
	}
	pthread_mutex_lock(&shim_mutex);
	/* netlink_autobind: the first socket of a process gets its pid, the
	 * next ones distinct negative ids, as the kernel hands out */
	uint32_t portid = shim_nsocks == 0 ? (uint32_t)getpid()
					   : (uint32_t)(-4096 - (int32_t)shim_nsocks);
	shim_nsocks++;
	pthread_mutex_unlock(&shim_mutex);

	int fd = shim_connect(portid, type & (SOCK_CLOEXEC | SOCK_NONBLOCK));
	if (fd < 0) {
		shim_log("socket(AF_NETLINK, NETLINK_ROUTE): cannot reach %s: %s", shim_path,
			 strerror(errno));
		return -1;
	}
	if (fd >= SHIM_MAX_FD) {
		SHIM_REAL(close);
		real_close(fd);
		errno = EMFILE;
		return -1;
	}
	pthread_mutex_lock(&shim_mutex);
	shim_socks[fd] = (struct shim_sock){ .portid = portid };
	__atomic_store_n(&shim_socks[fd].used, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&shim_mutex);
	shim_log("socket(AF_NETLINK, NETLINK_ROUTE) -> fd %d portid %u ns %s", fd, portid,
		 shim_nsname);
	return fd;
}

int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	SHIM_REAL(bind);
	struct shim_sock *s = shim_sock_get(fd);

	if (!s)
		return real_bind(fd, sa, len);
	const struct sockaddr_nl *nl = (const struct sockaddr_nl *)sa;
	if (!sa || len < sizeof(*nl) || nl->nl_family != AF_NETLINK) {
		errno = EINVAL;
		return -1;
	}
	/* libnl binds with a pid it chose; 0 keeps the autobound one */
	if (nl->nl_pid)
		s->portid = nl->nl_pid;
	s->groups = nl->nl_groups;
	shim_log("bind fd %d portid %u groups %#x", fd, s->portid, s->groups);
	if (shim_send_ctl(fd, SHIM_MSG_BIND, SHIM_A_PORTID, s->portid, SHIM_A_GROUPS, s->groups))
		return -1;
	return 0;
}

int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	SHIM_REAL(connect);
	if (!shim_sock_get(fd))
		return real_connect(fd, sa, len);
	/* netlink connect() only sets the default peer, always the kernel */
	return 0;
}

static void shim_fill_nl(struct sockaddr *sa, socklen_t *len, uint32_t pid, uint32_t groups)
{
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK, .nl_pid = pid, .nl_groups = groups };

	if (!len)
		return;
	if (sa)
		memcpy(sa, &nl, *len < sizeof(nl) ? *len : sizeof(nl));
	*len = sizeof(nl);
}

int getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	SHIM_REAL(getsockname);
	struct shim_sock *s = shim_sock_get(fd);

	if (!s)
		return real_getsockname(fd, sa, len);
	shim_fill_nl(sa, len, s->portid, s->groups);
	return 0;
}

int getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
	SHIM_REAL(getpeername);
	if (!shim_sock_get(fd))
		return real_getpeername(fd, sa, len);
	shim_fill_nl(sa, len, 0, 0);
	return 0;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	SHIM_REAL(setsockopt);
	struct shim_sock *s = shim_sock_get(fd);

	if (!s)
		return real_setsockopt(fd, level, name, val, len);
	if (level == SOL_NETLINK) {
		uint32_t v;
		if (!val || len < sizeof(v)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(&v, val, sizeof(v));
		if (name >= 0 && name < (int)(sizeof(s->opt) / sizeof(s->opt[0])) &&
		    name != NETLINK_ADD_MEMBERSHIP && name != NETLINK_DROP_MEMBERSHIP)
			s->opt[name] = (int)v;
		shim_log("setsockopt fd %d SOL_NETLINK %d = %u", fd, name, v);
		return shim_send_ctl(fd, SHIM_MSG_SETSOCKOPT, SHIM_A_OPTNAME, (uint32_t)name,
				     SHIM_A_OPTVAL, v);
	}
	/* the *FORCE variants need CAP_NET_ADMIN on a Unix socket too; the
	 * buffers are the Unix socket's, which is what matters here */
	if (level == SOL_SOCKET && name == SO_RCVBUFFORCE)
		name = SO_RCVBUF;
	if (level == SOL_SOCKET && name == SO_SNDBUFFORCE)
		name = SO_SNDBUF;
	if (level == SOL_SOCKET && (name == SO_PASSCRED || name == SO_TIMESTAMP))
		return 0; /* no credentials or timestamps are sent */
	if (real_setsockopt(fd, level, name, val, len) == 0)
		return 0;
	/* `ip` treats a failed SO_SNDBUF/SO_RCVBUF as fatal: a Unix socket
	 * has its own limits, so never fail there */
	return level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_RCVBUF) ? 0 : -1;
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	SHIM_REAL(getsockopt);
	struct shim_sock *s = shim_sock_get(fd);
	int v;

	if (!s)
		return real_getsockopt(fd, level, name, val, len);
	/* what libnl's nl_socket_set_fd() checks, among others */
	if (level == SOL_SOCKET && name == SO_TYPE)
		v = SOCK_RAW;
	else if (level == SOL_SOCKET && name == SO_PROTOCOL)
		v = NETLINK_ROUTE;
	else if (level == SOL_SOCKET && name == SO_DOMAIN)
		v = AF_NETLINK;
	else if (level == SOL_NETLINK && name >= 0 &&
		 name < (int)(sizeof(s->opt) / sizeof(s->opt[0])))
		v = s->opt[name];
	else
		return real_getsockopt(fd, level, name, val, len);
	if (!val || !len || *len < sizeof(int)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
	SHIM_REAL(sendmsg);
	if (!shim_sock_get(fd))
		return real_sendmsg(fd, m, flags);
	/* the destination is always the kernel: drop it; the iovecs go as
	 * one datagram, which may carry several nlmsgs (ip addr flush) */
	struct msghdr mm = *m;
	mm.msg_name = NULL;
	mm.msg_namelen = 0;
	mm.msg_control = NULL;
	mm.msg_controllen = 0;
	return real_sendmsg(fd, &mm, flags | MSG_NOSIGNAL);
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *sa,
	       socklen_t sl)
{
	SHIM_REAL(sendto);
	if (!shim_sock_get(fd))
		return real_sendto(fd, buf, n, flags, sa, sl);
	return real_sendto(fd, buf, n, flags | MSG_NOSIGNAL, NULL, 0);
}

/* glibc's send() is its own symbol (the sendto syscall inside): `ip`
 * imports send, so it needs its own hook. */
ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	SHIM_REAL(send);
	if (!shim_sock_get(fd))
		return real_send(fd, buf, n, flags);
	return real_send(fd, buf, n, flags | MSG_NOSIGNAL);
}

ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
	SHIM_REAL(recvmsg);
	if (!shim_sock_get(fd))
		return real_recvmsg(fd, m, flags);
	void *name = m->msg_name;
	socklen_t namelen = m->msg_namelen;
	void *ctl = m->msg_control;
	size_t ctllen = m->msg_controllen;

	m->msg_name = NULL;
	m->msg_namelen = 0;
	m->msg_control = NULL;
	m->msg_controllen = 0;
	/* MSG_PEEK|MSG_TRUNC with an empty iov answers the datagram's full
	 * length on a SEQPACKET socket too: `ip` sizes its buffer that way */
	ssize_t r = real_recvmsg(fd, m, flags);
	int e = errno;
	m->msg_control = ctl;
	m->msg_controllen = 0; /* no cmsgs (NETLINK_PKTINFO is not emulated) */
	(void)ctllen;
	m->msg_name = name;
	m->msg_namelen = namelen;
	if (name)
		shim_fill_nl(name, &m->msg_namelen, 0, 0);
	else
		m->msg_namelen = 0;
	if (r == 0 && !(flags & MSG_PEEK))
		shim_log("recvmsg fd %d: the emulator closed the connection", fd);
	errno = e;
	return r;
}

ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *sa, socklen_t *sl)
{
	SHIM_REAL(recvfrom);
	if (!shim_sock_get(fd))
		return real_recvfrom(fd, buf, n, flags, sa, sl);
	ssize_t r = real_recvfrom(fd, buf, n, flags, NULL, NULL);
	if (r >= 0 && sa && sl)
		shim_fill_nl(sa, sl, 0, 0);
	return r;
}

ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	SHIM_REAL(recv);
	if (!shim_sock_get(fd))
		return real_recv(fd, buf, n, flags);
	return real_recv(fd, buf, n, flags);
}

int close(int fd)
{
	SHIM_REAL(close);
	if (shim_on) {
		int r = shim_procsys_close(fd);
		if (r != -2)
			return r;
		shim_sock_forget(fd);
	}
	return real_close(fd);
}

int dup(int fd)
{
	SHIM_REAL(dup);
	int n = real_dup(fd);
	if (n >= 0) {
		shim_sock_copy(fd, n);
		shim_procsys_dup(fd, n);
	}
	return n;
}

int dup2(int fd, int fd2)
{
	SHIM_REAL(dup2);
	if (shim_on && fd != fd2)
		shim_procsys_dup(fd, fd2); /* before dup2 closes fd2's file */
	int n = real_dup2(fd, fd2);
	if (n >= 0 && fd != fd2)
		shim_sock_copy(fd, n);
	return n;
}

int dup3(int fd, int fd2, int flags)
{
	SHIM_REAL(dup3);
	if (shim_on && fd != fd2)
		shim_procsys_dup(fd, fd2);
	int n = real_dup3(fd, fd2, flags);
	if (n >= 0)
		shim_sock_copy(fd, n);
	return n;
}

/* fcntl's argument is an int or a pointer; both travel in one register
 * class on the ABIs glibc supports, so it is passed on as a pointer. */
static int shim_fcntl_common(int (*real)(int, int, ...), int fd, int cmd, void *arg)
{
	int n = real(fd, cmd, arg);
	if (n >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)) {
		shim_sock_copy(fd, n);
		shim_procsys_dup(fd, n);
	}
	return n;
}

int fcntl(int fd, int cmd, ...)
{
	SHIM_REAL(fcntl);
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return shim_fcntl_common(real_fcntl, fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...);
int fcntl64(int fd, int cmd, ...)
{
	SHIM_REAL(fcntl64);
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return shim_fcntl_common(real_fcntl64, fd, cmd, arg);
}

/* Interface ioctls on any socket: SIOCGIFINDEX, SIOCGIFNAME and
 * SIOCGIFTXQLEN (iproute2's fallback when a link lacks IFLA_TXQLEN) are
 * answered from the emulator; the rest of the interface and routing ioctls
 * (0x890b..0x89ff: routes, addresses, ARP, bridges) fail with ENODEV
 * rather than configure the host. */
int ioctl(int fd, unsigned long req, ...)
{
	SHIM_REAL(ioctl);
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);

	if (shim_on && req >= 0x890b && req <= 0x89ff) {
		int ret;
		if (shim_ifreq_ioctl(fd, req, arg, &ret))
			return ret;
		shim_log("ioctl %#lx refused: ENODEV", req);
		errno = ENODEV;
		return -1;
	}
	return real_ioctl(fd, req, arg);
}
