/*
 * listfile.h: one local list file in rbldnsd's ip4set, ip6trie, ip6tset
 * or dnset syntax, plain or gzip, read and looked up (the syntax is
 * described at the top of listfile.c).  lists.c checks messages with it;
 * the probe (health.c), the tests, listcheck, the fuzz target and the
 * bench read files with it.  A key is what is looked up; handed to
 * listfile_load() as a filter, only the entries that can matter to it are
 * kept (constant memory per message).
 */
#ifndef QQTAG_LISTFILE_H
#define QQTAG_LISTFILE_H

#include <stddef.h>
#include <time.h>

struct listfile;	/* opaque: one loaded list file */

enum listfile_format {
	LISTFILE_AUTO,		/* ip4set lines and ip6trie lines */
	LISTFILE_IP4SET,
	LISTFILE_IP6TRIE,
	LISTFILE_IP6TSET,
	LISTFILE_DNSET
};

enum listfile_error {
	LISTFILE_OK,
	LISTFILE_EMISSING,	/* "missing": no such file */
	LISTFILE_EUNREADABLE,	/* "unreadable": open/read failed, no file */
	LISTFILE_ECORRUPT,	/* "corrupt": gzip error, changed while
				   read, more invalid lines than entries */
	LISTFILE_ETOOBIG,	/* "toobig": over LISTFILE_MAXUNITS entries
				   or LISTFILE_MAXBYTES of text */
	LISTFILE_EEXPIRED,	/* "expired": $TIMESTAMP expiry passed */
	LISTFILE_EFUTURE,	/* "future": $TIMESTAMP in the future */
	LISTFILE_ENOMEM		/* "nomem" */
};

#define LISTFILE_MAXUNITS 5000000UL	/* entries, ranges expanded */
#define LISTFILE_MAXBYTES (256UL << 20)	/* text bytes of one file */
#define LISTFILE_TXTLEN	254		/* TXT bytes after substitution */
#define LISTFILE_MAXA	32		/* codes, TXT strings of an answer
					   (DNSBL_MAXA: what a DNS list
					   answer is looked at for) */

struct listfile_key {
	int		 family;	/* 4, 6; 0 for a domain */
	unsigned char	 addr[16];
	unsigned char	 dn[256];	/* domain, wire format */
	size_t		 dnlen;
	char		 text[256];	/* the IP or domain as text */
};

struct listfile_stats {
	unsigned long	 lines;		/* lines read */
	unsigned long	 entries;	/* entry lines taken */
	unsigned long	 invalid;	/* lines ignored as invalid */
	unsigned long	 firstbad;	/* line number of the first of them */
	size_t		 units;		/* entries, ranges expanded */
	size_t		 kept;		/* of them kept (a key filters) */
	size_t		 bytes;		/* text bytes read */
};

struct listfile_answer {
	int		 n;		/* codes, distinct */
	unsigned long	 code[LISTFILE_MAXA];
	int		 ntxt;		/* TXT strings, distinct */
	size_t		 txtlen[LISTFILE_MAXA];
	char		 txt[LISTFILE_MAXA][LISTFILE_TXTLEN];
};

/*
 * listfile_format(name): "auto", "ip4set", "ip6trie", "ip6tset", "dnset"
 *   as LISTFILE_*, or -1.
 * listfile_strerror(e): the one-word text of a LISTFILE_E* code.
 * listfile_key_ip(k, ip): a key for an IP text (::ffff:a.b.c.d is IPv4);
 *   listfile_key_domain(k, dom): for a domain (case and a trailing dot do
 *   not matter).  0, or -1 when it is none.
 * listfile_load(path, format, key, now, st, &err): read a file (key NULL:
 *   whole; now for $TIMESTAMP; st may be NULL).  NULL with err a
 *   LISTFILE_E* code.  listfile_load_mem(): the same from memory (plain
 *   text only).
 * listfile_lookup(f, key, a): 1 listed (a: the distinct codes and TXT
 *   strings, TXT made as rbldnsd makes it), 0 not.
 * listfile_free(f): NULL is fine.
 */
int	listfile_format(const char *);
const char *listfile_strerror(int);
int	listfile_key_ip(struct listfile_key *, const char *);
int	listfile_key_domain(struct listfile_key *, const char *);
struct listfile *listfile_load(const char *, int, const struct listfile_key *,
	    time_t, struct listfile_stats *, int *);
struct listfile *listfile_load_mem(const void *, size_t, int,
	    const struct listfile_key *, time_t, struct listfile_stats *,
	    int *);
int	listfile_lookup(const struct listfile *, const struct listfile_key *,
	    struct listfile_answer *);
void	listfile_free(struct listfile *);

#endif
