/*
 * listtest.h - what the unit tests of the local lists share
 * (unit_listfile.c, unit_lists.c, unit_health.c): a temporary directory,
 * files written into it (plain or gzip), policy lines for lists.c.
 */
#ifndef QQTAG_LISTTEST_H
#define QQTAG_LISTTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "lists.h"
#include "unit.h"

static char lt_dir[] = "/tmp/unit_lists.XXXXXX";

/* Make the directory: 0, or -1. */
static inline int
lt_setup(void)
{
	return mkdtemp(lt_dir) == NULL ? -1 : 0;
}

/* Remove it and everything in it: 0, or -1. */
static inline int
lt_cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", lt_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The path of name in the directory (eight of them stay valid). */
static inline char *
path(const char *name)
{
	static char p[8][256];
	static int i;

	i = (i + 1) % 8;
	snprintf(p[i], sizeof(p[i]), "%s/%s", lt_dir, name);
	return p[i];
}

static inline void
write_file(const char *file, const char *text, int gz)
{
	gzFile g;
	FILE *f;

	if (gz) {
		g = gzopen(file, "wb9");
		gzwrite(g, text, (unsigned)strlen(text));
		gzclose(g);
	} else {
		f = fopen(file, "w");
		fputs(text, f);
		fclose(f);
	}
}

/* One policy line for lists.c, split at blanks. */
static inline int
conf(struct lists_conf *c, const char *line, char *err, size_t errlen)
{
	char buf[1024], *w[64], *p, *save;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (p = strtok_r(buf, " ", &save); p != NULL && n < 64;
	    p = strtok_r(NULL, " ", &save))
		w[n++] = p;
	err[0] = '\0';
	return lists_conf_line(c, n, w, err, errlen);
}

/* "HEAD PATH-OF-NAME TAIL" as a policy line for lists.c. */
static inline int
conf_path(struct lists_conf *c, const char *head, const char *name,
    const char *tail)
{
	char line[512], err[200];

	snprintf(line, sizeof(line), "%s %s%s", head, path(name), tail);
	return conf(c, line, err, sizeof(err));
}

/* A gzip'd ip4set/ip6trie file of six entries (the "l4" file). */
#define LT_L4	":2:local $\n192.0.2.0/24\n192.0.2.9 :3:\n"		\
	"192.0.2.10 :127.255.255.254:blocked\n2001:db8::/32 :4:six\n"	\
	"192.0.2.11 :2:two\n192.0.2.11 :5:five\n"

/* main(): tests[] (NULL-terminated) in a fresh directory; exit status. */
static inline int
lt_main(void (*const *tests)(void))
{
	if (lt_setup() == -1)
		return 1;
	for (; *tests != NULL; tests++)
		(*tests)();
	if (lt_cleanup() == -1)
		return 1;
	return t_done();
}

#endif
