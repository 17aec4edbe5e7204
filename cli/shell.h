/* SPDX-License-Identifier: MIT */
/*
 * The interactive shell: libedit line editing with the prompt "nsemu> ",
 * history in ~/.nsemu_history, and tab completion of command words,
 * namespace names and device names. Control thread.
 */
#ifndef NSEMU_CLI_SHELL_H
#define NSEMU_CLI_SHELL_H

#include <signal.h>

#include "cmd.h"

/*
 * Read lines from the terminal and run them until `quit`, `exit` or EOF.
 * @intr is the flag the SIGINT handler sets: while a command runs it is
 * c->interrupt (a ping stops and prints its summary); at the prompt it
 * clears the line. Returns the status of the last command.
 */
int shell_run(struct cli_ctx *c, volatile sig_atomic_t *intr);

/* What TAB offers for the last word of @line (the text before the
 * cursor): up to @max candidates into @out (each malloc'ed, the caller
 * frees), their number. Namespaces and devices come from @c's emulator. */
unsigned shell_complete_line(struct cli_ctx *c, const char *line, char **out, unsigned max);

#endif
