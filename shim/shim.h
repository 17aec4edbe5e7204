/* SPDX-License-Identifier: MIT */
/*
 * Internals of the preload shim (libnsemu-shim.so, docs/control-protocol.md
 * "Shim"): the table of fake netlink sockets, the real libc functions the
 * hooks fall back to, and the small control-socket client the name lookups
 * and the /proc/sys/net interception use. The shim links nothing but libc
 * (a program under it may link libnl itself) and speaks the wire format
 * with the uapi headers only.
 */
#ifndef NSEMU_CLI_SHIM_H
#define NSEMU_CLI_SHIM_H

#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

/* Everything declared here stays inside the library: only the hooks
 * (declared by libc's headers) are exported. */
#pragma GCC visibility push(hidden)

/* Private message types and attributes of netns/rtnl/rtnl.h, repeated here
 * because the shim is built without the emulator's headers (and libnl's).
 * static_asserts in cli/exec.c keep the two in step. */
#define SHIM_MSG_HELLO 0x6e01
#define SHIM_MSG_BIND 0x6e02
#define SHIM_MSG_SETSOCKOPT 0x6e03
#define SHIM_MSG_SYSCTL_GET 0x6e20
#define SHIM_MSG_SYSCTL_SET 0x6e21
#define SHIM_MSG_SYSCTL_DUMP 0x6e22
#define SHIM_A_NS 1
#define SHIM_A_PORTID 3
#define SHIM_A_PID 4
#define SHIM_A_KEY 6
#define SHIM_A_VALUE 7
#define SHIM_A_GROUPS 15
#define SHIM_A_OPTNAME 16
#define SHIM_A_OPTVAL 17

/* Resolve the next definition of @name (libc's) once. */
#define SHIM_REAL(name)                                                                  \
	static __typeof__(name) *real_##name;                                            \
	if (!__atomic_load_n(&real_##name, __ATOMIC_ACQUIRE))                             \
		__atomic_store_n(&real_##name, (__typeof__(name) *)dlsym(RTLD_NEXT, #name), \
				 __ATOMIC_RELEASE)

/* Is the shim on? NSEMU_SOCK was set when the library was loaded. */
bool shim_active(void);
const char *shim_sock_path(void);
const char *shim_ns(void);
/* Debug log to stderr when NSEMU_SHIM_DEBUG is set. */
void shim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A connection to the emulator bound to $NSEMU_NS with HELLO{ns, portid,
 * pid}, using the real libc calls. Returns the fd, or -1 with errno (the
 * emulator's error for HELLO, e.g. ENOENT for an unknown namespace).
 * @flags: SOCK_CLOEXEC and/or SOCK_NONBLOCK as socket() got them.
 */
int shim_connect(uint32_t portid, int flags);

/* Append an attribute to a message being built in @buf (@cap bytes) at
 * *@off. Returns false when it does not fit. */
bool shim_put_attr(void *buf, size_t cap, size_t *off, uint16_t type, const void *data,
		   size_t len);

/* Called for each reply message of a request; return non-zero to stop. */
typedef int (*shim_msg_fn)(const struct nlmsghdr *h, void *arg);
/*
 * Send the request in @req (a complete nlmsg; seq and pid are filled) on a
 * fresh connection and read replies until NLMSG_DONE, an NLMSG_ERROR or
 * the end of a non-dump answer; @fn sees every other message. Returns 0 or
 * -errno (the NLMSG_ERROR's, or the transport's).
 */
int shim_request(struct nlmsghdr *req, shim_msg_fn fn, void *arg);

/* Hooks shared between the files. */
/* close() of a /proc/sys/net file open for writing: commits the value when
 * it was the last fd, closes it and returns close()'s result; -2 if @fd is
 * not such a file. */
int shim_procsys_close(int fd);
/* dup family: @to now shares @from's pending write (if any); @to's own, if
 * it had one, is released first (dup2 over it closes it). */
void shim_procsys_dup(int from, int to);
int shim_ifreq_ioctl(int fd, unsigned long req, void *arg, int *ret); /* 1 if handled */

#pragma GCC visibility pop

#endif
