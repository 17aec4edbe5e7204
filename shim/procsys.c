// SPDX-License-Identifier: MIT
/*
 * /proc/sys/net served from the emulated namespace (notes/rtnetlink.md §5).
 * procps `sysctl -w net.ipv4.ip_forward=1` is stat + fopen("w") + fputs +
 * fclose on /proc/sys/net/ipv4/ip_forward; run as root under a shim that
 * did not intercept it, it would change the host. Paths under /proc/sys/net
 * map to dotted keys (net/ipv4/conf/eth0/rp_filter ->
 * net.ipv4.conf.eth0.rp_filter) and onto NSEMU_MSG_SYSCTL_GET/SET:
 *  - read: the value is fetched at open and served from a memfd holding
 *    "value\n", as /proc prints it;
 *  - write through fopen: an fopencookie stream whose close sends the value
 *    (glibc's fclose closes through internal calls no close() hook sees);
 *  - write through open: a memfd committed when its last fd is closed
 *    (shells dup2 the file onto stdout and close the original first);
 *  - stat/lstat/access/readlink answer as /proc would for a file or a
 *    directory of keys; opendir and anything that cannot be mapped fail
 *    with EACCES. Nothing under /proc/sys/net ever reaches the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <linux/netlink.h>

#include "shim.h"

#define PROCSYS_PREFIX "/proc/sys/net"
#define PROCSYS_KEYLEN 256
#define PROCSYS_VALLEN 256
#define PROCSYS_MAX_FD 4096

/* ------------------------------------------------------------ mapping */

/*
 * 1: @path is under /proc/sys/net, @key is its dotted key ("net" for the
 * directory itself); 0: not ours; -1: ours but not mappable (errno set).
 */
static int procsys_key(const char *path, char *key)
{
	size_t plen = strlen(PROCSYS_PREFIX);

	if (!path || strncmp(path, PROCSYS_PREFIX, plen) || (path[plen] && path[plen] != '/'))
		return 0;
	size_t k = 0;
	const char *p = path + strlen("/proc/sys/");
	while (*p) {
		if (*p == '/') {
			while (*p == '/')
				p++;
			if (!*p)
				break;
			/* "." and ".." would leave the tree: refuse */
			if (p[0] == '.' && (!p[1] || p[1] == '/' || (p[1] == '.' && (!p[2] || p[2] == '/')))) {
				errno = EACCES;
				return -1;
			}
			if (k + 1 >= PROCSYS_KEYLEN)
				goto too_long;
			key[k++] = '.';
			continue;
		}
		if (k + 1 >= PROCSYS_KEYLEN)
			goto too_long;
		key[k++] = *p++;
	}
	key[k] = '\0';
	return 1;
too_long:
	errno = ENAMETOOLONG;
	return -1;
}

struct procsys_get {
	char *val;
	size_t len;
	bool found;
};

static int procsys_value_one(const struct nlmsghdr *h, void *arg)
{
	struct procsys_get *g = arg;
	int rem = (int)h->nlmsg_len - NLMSG_HDRLEN;
	const struct nlattr *a = (const struct nlattr *)((const uint8_t *)h + NLMSG_HDRLEN);

	for (; rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem;
	     rem -= NLA_ALIGN(a->nla_len),
	     a = (const struct nlattr *)((const uint8_t *)a + NLA_ALIGN(a->nla_len))) {
		if ((a->nla_type & NLA_TYPE_MASK) != SHIM_A_VALUE || !g->val)
			continue;
		size_t n = a->nla_len - NLA_HDRLEN;
		const char *s = (const char *)a + NLA_HDRLEN;
		const char *z = memchr(s, '\0', n);
		if (z)
			n = (size_t)(z - s);
		if (n >= g->len)
			n = g->len - 1;
		memcpy(g->val, s, n);
		g->val[n] = '\0';
	}
	g->found = true;
	return 1; /* one answer is all a GET has and all a probe needs */
}

/* SYSCTL_GET (or, @dump, the first key of SYSCTL_DUMP under "@key.").
 * 0 or -errno. */
static int procsys_query(uint16_t type, bool dump, const char *key, const char *val,
			 struct procsys_get *g)
{
	struct {
		struct nlmsghdr h;
		uint8_t attrs[PROCSYS_KEYLEN + PROCSYS_VALLEN + 16];
	} req = { 0 };
	size_t off = NLMSG_HDRLEN;
	char prefix[PROCSYS_KEYLEN + 1];

	if (dump) {
		snprintf(prefix, sizeof(prefix), "%s.", key);
		key = prefix;
	}
	shim_put_attr(&req, sizeof(req), &off, SHIM_A_KEY, key, strlen(key) + 1);
	if (val)
		shim_put_attr(&req, sizeof(req), &off, SHIM_A_VALUE, val, strlen(val) + 1);
	req.h.nlmsg_len = (uint32_t)off;
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = dump ? NLM_F_DUMP : (val ? NLM_F_ACK : 0);
	return shim_request(&req.h, g ? procsys_value_one : NULL, g);
}

/* S_IFREG for a key, S_IFDIR for a prefix of keys, 0 (errno) for neither. */
static mode_t procsys_kind(const char *key, char *val, size_t len)
{
	struct procsys_get g = { .val = val, .len = len };
	int err = procsys_query(SHIM_MSG_SYSCTL_GET, false, key, NULL, &g);

	if (!err && g.found)
		return S_IFREG | 0644;
	if (err && err != -ENOENT && err != -EINVAL) {
		errno = -err;
		return 0;
	}
	struct procsys_get d = { 0 };
	err = procsys_query(SHIM_MSG_SYSCTL_DUMP, true, key, NULL, &d);
	if (!err && d.found)
		return S_IFDIR | 0555;
	errno = ENOENT;
	return 0;
}

/* ------------------------------------------------- pending writes */

struct procsys_pending {
	char key[PROCSYS_KEYLEN];
	int refs;     /* fds sharing the file */
	bool written; /* set by write(): nothing left to commit at close */
};

static struct procsys_pending *procsys_fds[PROCSYS_MAX_FD];
static pthread_mutex_t procsys_mutex = PTHREAD_MUTEX_INITIALIZER;

/* The value written: the file's bytes without the trailing newline(s). */
static int procsys_commit(int fd, const char *key)
{
	char val[PROCSYS_VALLEN];
	ssize_t n = pread(fd, val, sizeof(val) - 1, 0);

	if (n < 0)
		return -errno;
	while (n > 0 && (val[n - 1] == '\n' || val[n - 1] == ' ' || val[n - 1] == '\t'))
		n--;
	val[n] = '\0';
	shim_log("sysctl set %s = \"%s\"", key, val);
	return procsys_query(SHIM_MSG_SYSCTL_SET, false, key, val, NULL);
}

/* Drop @fd's share; commit when it was the last. 0 or -errno. */
static int procsys_release(int fd)
{
	struct procsys_pending *p;
	int err = 0;

	pthread_mutex_lock(&procsys_mutex);
	p = procsys_fds[fd];
	procsys_fds[fd] = NULL;
	if (p && --p->refs > 0)
		p = NULL;
	pthread_mutex_unlock(&procsys_mutex);
	if (p) {
		if (!p->written)
			err = procsys_commit(fd, p->key);
		free(p);
	}
	return err;
}

/* proc_sys_write: every write() sets the value and reports a bad one right
 * there (procps checks write(), not close()). */
ssize_t write(int fd, const void *buf, size_t n)
{
	SHIM_REAL(write);
	struct procsys_pending *p = NULL;

	if (shim_active() && fd >= 0 && fd < PROCSYS_MAX_FD)
		p = __atomic_load_n(&procsys_fds[fd], __ATOMIC_ACQUIRE);
	if (!p)
		return real_write(fd, buf, n);
	char val[PROCSYS_VALLEN];
	size_t len = n;
	if (n >= sizeof(val)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(val, buf, n);
	while (n > 0 && (val[n - 1] == '\n' || val[n - 1] == ' ' || val[n - 1] == '\t'))
		n--;
	val[n] = '\0';
	shim_log("sysctl write %s = \"%s\"", p->key, val);
	int err = procsys_query(SHIM_MSG_SYSCTL_SET, false, p->key, val, NULL);
	if (err) {
		errno = -err;
		return -1;
	}
	p->written = true;
	return (ssize_t)len;
}

int shim_procsys_close(int fd)
{
	SHIM_REAL(close);
	if (fd < 0 || fd >= PROCSYS_MAX_FD || !__atomic_load_n(&procsys_fds[fd], __ATOMIC_ACQUIRE))
		return -2;
	int err = procsys_release(fd);
	real_close(fd);
	if (err) {
		errno = -err;
		return -1;
	}
	return 0;
}

void shim_procsys_dup(int from, int to)
{
	if (!shim_active() || to < 0 || to >= PROCSYS_MAX_FD || from == to)
		return;
	if (__atomic_load_n(&procsys_fds[to], __ATOMIC_ACQUIRE))
		procsys_release(to);
	if (from < 0 || from >= PROCSYS_MAX_FD)
		return;
	pthread_mutex_lock(&procsys_mutex);
	struct procsys_pending *p = procsys_fds[from];
	if (p) {
		p->refs++;
		procsys_fds[to] = p;
	}
	pthread_mutex_unlock(&procsys_mutex);
}

/* ------------------------------------------------------------- open */

static int procsys_memfd(int cloexec)
{
	return memfd_create("nsemu-sysctl", cloexec ? MFD_CLOEXEC : 0);
}

/* open() of a mapped path: a memfd with the value, or one to collect it. */
static int procsys_open(const char *path, const char *key, int flags)
{
	char val[PROCSYS_VALLEN] = "";
	mode_t kind = procsys_kind(key, val, sizeof(val));

	if (!kind)
		return -1;
	if (S_ISDIR(kind)) {
		errno = (flags & O_ACCMODE) == O_RDONLY ? EACCES : EISDIR;
		return -1;
	}
	int fd = procsys_memfd(flags & O_CLOEXEC);
	if (fd < 0)
		return -1;
	if ((flags & O_ACCMODE) == O_RDONLY) {
		size_t n = strlen(val);
		val[n++] = '\n';
		if (pwrite(fd, val, n, 0) != (ssize_t)n) {
			int e = errno;
			SHIM_REAL(close);
			real_close(fd);
			errno = e;
			return -1;
		}
		shim_log("sysctl get %s -> fd %d", key, fd);
		return fd;
	}
	struct procsys_pending *p = calloc(1, sizeof(*p));
	if (!p || fd >= PROCSYS_MAX_FD) {
		SHIM_REAL(close);
		free(p);
		real_close(fd);
		errno = ENOMEM;
		return -1;
	}
	snprintf(p->key, sizeof(p->key), "%s", key);
	p->refs = 1;
	__atomic_store_n(&procsys_fds[fd], p, __ATOMIC_RELEASE);
	shim_log("sysctl open %s for writing -> fd %d", path, fd);
	return fd;
}

/* A write to /proc/sys outside net: the emulator has no such key and the
 * host's must not change (kernel.hostname is as writable to root under the
 * shim as without it): refused with EACCES. Reads pass through. */
static bool procsys_host_write(const char *path)
{
	return !strncmp(path, "/proc/sys/", strlen("/proc/sys/"));
}

/* 1: handled (*fd set, -1 with errno on failure); 0: not ours. */
static int procsys_try_open(int dirfd, const char *path, int flags, int *fd)
{
	char key[PROCSYS_KEYLEN];

	if (!shim_active() || !path || (path[0] != '/' && dirfd != AT_FDCWD))
		return 0;
	int m = procsys_key(path, key);
	if (m == 0 && (flags & O_ACCMODE) != O_RDONLY && procsys_host_write(path)) {
		shim_log("refused a write to %s", path);
		*fd = -1;
		errno = EACCES;
		return 1;
	}
	if (m == 0)
		return 0;
	*fd = m < 0 ? -1 : procsys_open(path, key, flags);
	return 1;
}

#define PROCSYS_OPEN_HOOK(name, ...)                                                   \
	SHIM_REAL(name);                                                               \
	mode_t mode = 0;                                                               \
	if (flags & (O_CREAT | __O_TMPFILE)) {                                         \
		va_list ap;                                                            \
		va_start(ap, flags);                                                   \
		mode = va_arg(ap, mode_t);                                             \
		va_end(ap);                                                            \
	}                                                                              \
	int fd;                                                                        \
	if (procsys_try_open(dirfd, path, flags, &fd))                                 \
		return fd;                                                             \
	return real_##name(__VA_ARGS__)

int open(const char *path, int flags, ...)
{
	const int dirfd = AT_FDCWD;
	PROCSYS_OPEN_HOOK(open, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	const int dirfd = AT_FDCWD;
	PROCSYS_OPEN_HOOK(open64, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	PROCSYS_OPEN_HOOK(openat, dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	PROCSYS_OPEN_HOOK(openat64, dirfd, path, flags, mode);
}

/* The _FORTIFY_SOURCE entry points (procps sysctl imports __openat_2). */
int __open_2(const char *path, int flags);
int __open_2(const char *path, int flags)
{
	SHIM_REAL(__open_2);
	int fd;
	if (procsys_try_open(AT_FDCWD, path, flags, &fd))
		return fd;
	return real___open_2(path, flags);
}

int __open64_2(const char *path, int flags);
int __open64_2(const char *path, int flags)
{
	SHIM_REAL(__open64_2);
	int fd;
	if (procsys_try_open(AT_FDCWD, path, flags, &fd))
		return fd;
	return real___open64_2(path, flags);
}

int __openat_2(int dirfd, const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags)
{
	SHIM_REAL(__openat_2);
	int fd;
	if (procsys_try_open(dirfd, path, flags, &fd))
		return fd;
	return real___openat_2(dirfd, path, flags);
}

int __openat64_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags)
{
	SHIM_REAL(__openat64_2);
	int fd;
	if (procsys_try_open(dirfd, path, flags, &fd))
		return fd;
	return real___openat64_2(dirfd, path, flags);
}

/* ------------------------------------------------------------ fopen */

struct procsys_cookie {
	char key[PROCSYS_KEYLEN];
	char val[PROCSYS_VALLEN];
	size_t len;
	bool overflow;
};

static ssize_t procsys_cookie_write(void *c, const char *buf, size_t n)
{
	struct procsys_cookie *ck = c;
	if (ck->len + n >= sizeof(ck->val)) {
		ck->overflow = true;
		errno = EINVAL; /* proc_dointvec: a value that long is invalid */
		return -1;
	}
	memcpy(ck->val + ck->len, buf, n);
	ck->len += n;
	return (ssize_t)n;
}

/* fclose: send the value; the error is fclose's (procps reports it). */
static int procsys_cookie_close(void *c)
{
	struct procsys_cookie *ck = c;
	int err = 0;

	if (!ck->overflow) {
		while (ck->len && (ck->val[ck->len - 1] == '\n' || ck->val[ck->len - 1] == ' '))
			ck->len--;
		ck->val[ck->len] = '\0';
		shim_log("sysctl set %s = \"%s\"", ck->key, ck->val);
		err = procsys_query(SHIM_MSG_SYSCTL_SET, false, ck->key, ck->val, NULL);
	} else {
		err = -EINVAL;
	}
	free(ck);
	if (err) {
		errno = -err;
		return -1;
	}
	return 0;
}

/* 1: handled (*fp set, NULL with errno on failure); 0: not ours. */
static int procsys_try_fopen(const char *path, const char *mode, FILE **fp)
{
	char key[PROCSYS_KEYLEN];

	if (!shim_active() || !path || !mode)
		return 0;
	int m = procsys_key(path, key);
	bool rdonly = mode[0] == 'r' && !strchr(mode, '+');
	if (m == 0 && !rdonly && procsys_host_write(path)) {
		shim_log("refused a write to %s", path);
		*fp = NULL;
		errno = EACCES;
		return 1;
	}
	if (m == 0)
		return 0;
	*fp = NULL;
	if (m < 0)
		return 1;
	bool cloexec = strchr(mode, 'e') != NULL;
	if (rdonly) {
		int fd = procsys_open(path, key, O_RDONLY | (cloexec ? O_CLOEXEC : 0));
		if (fd >= 0) {
			*fp = fdopen(fd, "r");
			if (!*fp) {
				SHIM_REAL(close);
				int e = errno;
				real_close(fd);
				errno = e;
			}
		}
		return 1;
	}
	char val[PROCSYS_VALLEN];
	mode_t kind = procsys_kind(key, val, sizeof(val));
	if (!kind)
		return 1;
	if (S_ISDIR(kind)) {
		errno = EISDIR;
		return 1;
	}
	struct procsys_cookie *ck = calloc(1, sizeof(*ck));
	if (!ck) {
		errno = ENOMEM;
		return 1;
	}
	snprintf(ck->key, sizeof(ck->key), "%s", key);
	cookie_io_functions_t io = { .write = procsys_cookie_write, .close = procsys_cookie_close };
	*fp = fopencookie(ck, "w", io);
	if (!*fp)
		free(ck);
	shim_log("sysctl fopen %s \"%s\"", path, mode);
	return 1;
}

FILE *fopen(const char *path, const char *mode)
{
	SHIM_REAL(fopen);
	FILE *fp;
	if (procsys_try_fopen(path, mode, &fp))
		return fp;
	return real_fopen(path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
	SHIM_REAL(fopen64);
	FILE *fp;
	if (procsys_try_fopen(path, mode, &fp))
		return fp;
	return real_fopen64(path, mode);
}

/* ----------------------------------------------- stat, access, links */

/* 1: handled (*ret set); 0: not ours. */
static int procsys_try_stat(const char *path, struct stat *st, int *ret)
{
	char key[PROCSYS_KEYLEN];

	if (!shim_active())
		return 0;
	int m = procsys_key(path, key);
	if (m == 0)
		return 0;
	*ret = -1;
	if (m < 0)
		return 1;
	mode_t kind = procsys_kind(key, NULL, 0);
	if (!kind)
		return 1;
	/* what /proc reports: size 0, root-owned, one link, now */
	memset(st, 0, sizeof(*st));
	st->st_mode = kind;
	st->st_nlink = S_ISDIR(kind) ? 2 : 1;
	st->st_blksize = 1024;
	st->st_dev = 0x16; /* proc's anonymous device */
	st->st_atime = st->st_mtime = st->st_ctime = time(NULL);
	*ret = 0;
	return 1;
}

int stat(const char *path, struct stat *st)
{
	SHIM_REAL(stat);
	int ret;
	if (procsys_try_stat(path, st, &ret))
		return ret;
	return real_stat(path, st);
}

int lstat(const char *path, struct stat *st)
{
	SHIM_REAL(lstat);
	int ret;
	if (procsys_try_stat(path, st, &ret))
		return ret;
	return real_lstat(path, st);
}

/* struct stat64 is struct stat on the 64-bit ABIs this is built for. */
_Static_assert(sizeof(struct stat64) == sizeof(struct stat), "LP64 stat layout");

int stat64(const char *path, struct stat64 *st)
{
	SHIM_REAL(stat64);
	int ret;
	if (procsys_try_stat(path, (struct stat *)st, &ret))
		return ret;
	return real_stat64(path, st);
}

int lstat64(const char *path, struct stat64 *st)
{
	SHIM_REAL(lstat64);
	int ret;
	if (procsys_try_stat(path, (struct stat *)st, &ret))
		return ret;
	return real_lstat64(path, st);
}

int access(const char *path, int amode)
{
	SHIM_REAL(access);
	struct stat st;
	int ret;
	if (procsys_try_stat(path, &st, &ret))
		return ret;
	return real_access(path, amode);
}

ssize_t readlink(const char *path, char *buf, size_t len)
{
	SHIM_REAL(readlink);
	struct stat st;
	int ret;
	if (procsys_try_stat(path, &st, &ret)) {
		/* never a symlink (procps' guard reads it to be sure) */
		if (ret == 0)
			errno = EINVAL;
		return -1;
	}
	return real_readlink(path, buf, len);
}

/* procps resolves the path first (its symlink guard): glibc's realpath
 * reads links with internal calls the readlink hook never sees, so it would
 * check the host's /proc/sys/net, where an emulated interface's conf
 * directory does not exist. Keys resolve to themselves. */
char *realpath(const char *path, char *resolved)
{
	SHIM_REAL(realpath);
	struct stat st;
	int ret;

	if (!path || !procsys_try_stat(path, &st, &ret))
		return real_realpath(path, resolved);
	if (ret)
		return NULL;
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	char *out = resolved ? resolved : malloc(PATH_MAX);
	if (!out) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(out, path, n);
	out[n] = '\0';
	return out;
}

/* Listing keys is not emulated (`nsemu sysctl -a` lists them). The host's
 * named namespaces (/run/netns) do not exist inside the emulator either:
 * iproute2 would ask for their nsids with fds the emulator cannot resolve
 * (get_netnsid_from_name), so that directory reads as absent. */
DIR *opendir(const char *path)
{
	SHIM_REAL(opendir);
	char key[PROCSYS_KEYLEN];
	if (shim_active() &&
	    (!strcmp(path, "/run/netns") || !strcmp(path, "/var/run/netns") ||
	     !strcmp(path, "/run/netns/") || !strcmp(path, "/var/run/netns/"))) {
		errno = ENOENT;
		return NULL;
	}
	if (shim_active() && procsys_key(path, key)) {
		errno = EACCES;
		return NULL;
	}
	return real_opendir(path);
}
