/* SPDX-License-Identifier: MIT */
/* Logging for the control path, and a rate-limited form for the data path. */
#ifndef NSEMU_CORE_LOG_H
#define NSEMU_CORE_LOG_H

#include "compiler.h"

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern int log_level; /* messages above this level are dropped; default LOG_WARN */

void log_msg(enum log_level lvl, const char *fmt, ...) __printf(2, 3);
/* At most a few lines per second per call site; off unless log_level >= DEBUG. */
#define log_ratelimited(fmt, ...)                                                                  \
	do {                                                                                       \
		static uint64_t _lr_last;                                                           \
		if (log_level >= LOG_DEBUG && log_ratelimit_ok(&_lr_last))                          \
			log_msg(LOG_DEBUG, fmt, ##__VA_ARGS__);                                    \
	} while (0)
#include <stdbool.h>
#include <stdint.h>
bool log_ratelimit_ok(uint64_t *last);

#endif
