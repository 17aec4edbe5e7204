/* SPDX-License-Identifier: MIT */
/*
 * `nsemu exec [-s SOCKET] NS -- PROGRAM [ARGS…]`: run an unmodified netlink
 * program against namespace NS of a running emulator through the preload
 * shim (shim/, docs/control-protocol.md "Shim").
 */
#ifndef NSEMU_CLI_EXEC_H
#define NSEMU_CLI_EXEC_H

/*
 * argv[0] is "exec". Checks that the emulator answers on the socket and
 * knows NS (HELLO), sets NSEMU_SOCK, NSEMU_NS and LD_PRELOAD (the shim
 * found beside /proc/self/exe, in front of any existing preloads) and
 * execs PROGRAM. Returns only on failure, with the exit status to use:
 * 2 for usage errors, 1 when the emulator or NS is not there, 127 when
 * PROGRAM cannot be found, 126 when it cannot be run. Main thread, before
 * any emulator start-up.
 */
int cli_exec_main(int argc, char **argv);

#endif
