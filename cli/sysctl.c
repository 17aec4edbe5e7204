// SPDX-License-Identifier: MIT
/*
 * `sysctl [-n] [-e] [-q] [-w] [-a] [--netns NS] NAME[=VALUE]...`, with the
 * output and error text of procps-ng's sysctl, run against the namespace
 * of the command (ip netns exec NS sysctl ..., --netns NS, or the default
 * namespace). Values travel as strings in NSEMU_MSG_SYSCTL_GET/SET/DUMP,
 * exactly as /proc/sys would read and write them. A name that is a
 * directory (net.ipv4.conf.eth0) lists every key below it, as procps does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ip_common.h"

struct sysctl_opts {
	bool values_only; /* -n */
	bool ignore;	  /* -e: no error for unknown keys */
	bool quiet;	  /* -q: no echo of written values */
	bool names_only;  /* -N */
	bool found;
	const char *prefix;
};

static void sysctl_usage(struct cli_ctx *c)
{
	fprintf(c->err, "\nUsage:\n"
			" sysctl [options] [variable[=value] ...]\n\n"
			"Options:\n"
			"  -a, --all            display all variables\n"
			"  -e, --ignore         ignore unknown variables errors\n"
			"  -N, --names          print variable names without values\n"
			"  -n, --values         print only values of the given variable(s)\n"
			"  -q, --quiet          do not echo variable set\n"
			"  -w, --write          enable writing a value to variable\n"
			"      --netns NS       the namespace to use (nsemu)\n");
}

static void print_kv(struct cli_ctx *c, const struct sysctl_opts *o, const char *key,
		     const char *val)
{
	if (o->values_only)
		fprintf(c->out, "%s\n", val);
	else if (o->names_only)
		fprintf(c->out, "%s\n", key);
	else
		fprintf(c->out, "%s = %s\n", key, val);
}

static int sysctl_reply(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct sysctl_opts *o = arg;
	struct nlattr *tb[NSEMU_A_MAX + 1];
	const char *key;

	if (nlh->nlmsg_type != NSEMU_MSG_SYSCTL_GET || nlmsg_parse(nlh, 0, tb, NSEMU_A_MAX, NULL) < 0 ||
	    !tb[NSEMU_A_KEY] || !tb[NSEMU_A_VALUE])
		return 0;
	key = nla_get_string(tb[NSEMU_A_KEY]);
	/* a directory prefix must end at a dot: conf.eth0 is not conf.eth01 */
	if (o->prefix && *o->prefix &&
	    (strncmp(key, o->prefix, strlen(o->prefix)) || key[strlen(o->prefix)] != '.'))
		return 0;
	o->found = true;
	print_kv(c, o, key, nla_get_string(tb[NSEMU_A_VALUE]));
	return 0;
}

static int sysctl_dump(struct cli_ctx *c, struct sysctl_opts *o, const char *prefix)
{
	struct nl_msg *m = nlmsg_alloc_simple(NSEMU_MSG_SYSCTL_DUMP, NLM_F_DUMP);

	if (!m)
		return -ENOMEM;
	if (prefix)
		nla_put_string(m, NSEMU_A_KEY, prefix);
	o->prefix = prefix;
	o->found = false;
	return cli_request(c, m, sysctl_reply, o, false);
}

/* "net/ipv4/ip_forward" is accepted for "net.ipv4.ip_forward", as procps. */
static void normalise(char *key)
{
	for (; *key; key++)
		if (*key == '/')
			*key = '.';
}

static void no_such_key(struct cli_ctx *c, const char *key)
{
	fprintf(c->err, "sysctl: cannot stat /proc/sys/");
	for (; *key; key++)
		fputc(*key == '.' ? '/' : *key, c->err);
	fprintf(c->err, ": No such file or directory\n");
}

static int sysctl_read(struct cli_ctx *c, struct sysctl_opts *o, const char *key)
{
	struct nl_msg *m = nlmsg_alloc_simple(NSEMU_MSG_SYSCTL_GET, 0);
	int err;

	if (!m)
		return -ENOMEM;
	nla_put_string(m, NSEMU_A_KEY, key);
	o->prefix = NULL;
	err = cli_request(c, m, sysctl_reply, o, true);
	if (err == -ENOENT) {
		/* maybe a directory: list what is below it */
		if (!sysctl_dump(c, o, key) && o->found)
			return 0;
		if (o->ignore)
			return 0;
		no_such_key(c, key);
		return -ENOENT;
	}
	/* procps skips a write-only key (net.ipv4.route.flush) silently */
	if (err == -EACCES)
		return 0;
	if (err)
		fprintf(c->err, "sysctl: reading key \"%s\": %s\n", key, strerror(-err));
	return err;
}

static int sysctl_exists_reply(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	(void)c;
	(void)nlh;
	*(bool *)arg = true;
	return 0;
}

static bool sysctl_key_exists(struct cli_ctx *c, const char *key)
{
	struct nl_msg *m = nlmsg_alloc_simple(NSEMU_MSG_SYSCTL_GET, 0);
	bool found = false;

	if (!m)
		return false;
	nla_put_string(m, NSEMU_A_KEY, key);
	return !cli_request(c, m, sysctl_exists_reply, &found, true) && found;
}

static int sysctl_write(struct cli_ctx *c, struct sysctl_opts *o, char *arg)
{
	char *eq = strchr(arg, '='), *key = arg, *val;
	struct nl_msg *m;
	int err;

	*eq = '\0';
	val = eq + 1;
	/* procps trims blanks around the '=' ("sysctl -w 'a = 1'") */
	while (eq > key && (eq[-1] == ' ' || eq[-1] == '\t'))
		*--eq = '\0';
	while (*val == ' ' || *val == '\t')
		val++;
	normalise(key);
	if (!*key) {
		fprintf(c->err, "sysctl: malformed setting \"=%s\"\n", val);
		return -EINVAL;
	}
	m = nlmsg_alloc_simple(NSEMU_MSG_SYSCTL_SET, 0);
	if (!m)
		return -ENOMEM;
	nla_put_string(m, NSEMU_A_KEY, key);
	nla_put_string(m, NSEMU_A_VALUE, val);
	err = cli_request(c, m, NULL, NULL, true);
	if (err == -ENOENT && sysctl_key_exists(c, key)) {
		/* the key is there, the value names nothing (an unknown
		 * tcp_congestion_control): the write's own ENOENT */
		fprintf(c->err, "sysctl: setting key \"%s\": %s\n", key, strerror(ENOENT));
	} else if (err == -ENOENT) {
		if (o->ignore)
			return 0;
		no_such_key(c, key);
	} else if (err == -EACCES) {
		/* procps sees a key without S_IWUSR before writing: it warns
		 * with EINVAL's text and the exit status stays 0 */
		fprintf(c->err, "sysctl: setting key \"%s\": %s\n", key, strerror(EINVAL));
		return 0;
	} else if (err) {
		fprintf(c->err, "sysctl: setting key \"%s\": %s\n", key, strerror(-err));
	} else if (!o->quiet) {
		print_kv(c, o, key, val);
	}
	return err;
}

int cmd_sysctl(struct cli_ctx *c, int argc, char **argv)
{
	struct sysctl_opts o = { 0 };
	bool all = false, write = false;
	int ret = 0, i, err;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--netns") || !strcmp(a, "--ns")) {
			if (++i == argc) {
				fprintf(c->err, "sysctl: option '--netns' requires an argument\n");
				return -EINVAL;
			}
			c->ns = argv[i];
			continue;
		}
		if (!strcmp(a, "--all")) { all = true; continue; }
		if (!strcmp(a, "--values")) { o.values_only = true; continue; }
		if (!strcmp(a, "--write")) { write = true; continue; }
		if (!strcmp(a, "--quiet")) { o.quiet = true; continue; }
		if (!strcmp(a, "--ignore")) { o.ignore = true; continue; }
		if (!strcmp(a, "--names")) { o.names_only = true; continue; }
		if (a[1] == '-') {
			fprintf(c->err, "sysctl: unrecognized option '%s'\n", a);
			sysctl_usage(c);
			return -EINVAL;
		}
		for (a++; *a; a++) {
			switch (*a) {
			case 'a': case 'A': case 'X': all = true; break;
			case 'n': o.values_only = true; break;
			case 'N': o.names_only = true; break;
			case 'w': write = true; break;
			case 'q': o.quiet = true; break;
			case 'e': o.ignore = true; break;
			default:
				fprintf(c->err, "sysctl: invalid option -- '%c'\n", *a);
				sysctl_usage(c);
				return -EINVAL;
			}
		}
	}
	if (c->ns && cli_check_ns(c))
		return -ENOENT;
	if (all)
		return sysctl_dump(c, &o, NULL);
	if (i == argc) {
		sysctl_usage(c);
		return -EINVAL;
	}
	for (; i < argc; i++) {
		char *arg = argv[i];

		if (strchr(arg, '=')) {
			err = sysctl_write(c, &o, arg);
		} else if (write) {
			/* procps 4: -w without a value is a syntax error */
			fprintf(c->err, "sysctl: command line(0): invalid syntax, continuing...\n");
			err = -EINVAL;
		} else {
			normalise(arg);
			err = sysctl_read(c, &o, arg);
		}
		if (err && !ret)
			ret = err;
	}
	return ret;
}
