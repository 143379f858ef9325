/*
 * spfrec.h - SPF records as text (RFC 7208 §4.5, §5, §6, §7, §12): the
 * one record picked from a TXT answer, its terms one at a time (no array:
 * memory does not grow with the number of terms), the whole-record syntax
 * check, and macro expansion.  No DNS here: spfeval.c asks, this parses.
 */
#ifndef QQTAG_SPFREC_H
#define QQTAG_SPFREC_H

#include <stddef.h>
#include <time.h>

#include "ipaddr.h"

/*
 * SPF_TXT_MAX: bytes of one SPF record kept (its strings joined).  A
 * longer v=spf1 record is a permerror: it is what the domain publishes,
 * so asking again cannot change it (a temperror would invite a retry
 * that fails the same way).  RFC 7208 §3.4 asks records to fit in 450
 * bytes; real ones reach about 1,000.
 * SPF_EXPAND_MAX: an expanded macro-string before the cut to 253 bytes
 * (§7.3); a longer expansion is a permerror.
 */
#define SPF_TXT_MAX	4096
#define SPF_EXPAND_MAX	1024
#define SPF_DOMAIN_MAX	253

enum spf_kind {
	SPF_ALL, SPF_INCLUDE, SPF_A, SPF_MX, SPF_PTR, SPF_IP4, SPF_IP6,
	SPF_EXISTS,		/* mechanisms, in the order of spf_kind_name */
	SPF_REDIRECT, SPF_EXP, SPF_UNKNOWN_MOD	/* modifiers */
};

struct spf_term {
	enum spf_kind	 kind;
	char		 qual;		/* '+' '-' '~' '?' */
	const char	*spec;		/* domain-spec, NULL: none given */
	size_t		 speclen;
	unsigned	 cidr4;		/* 0..32, 32 when not given */
	unsigned	 cidr6;		/* 0..128, 128 when not given */
	unsigned char	 net[16];	/* ip4 (4 bytes) / ip6 network */
	const char	*text;		/* the whole term */
	size_t		 len;
};

/* What a macro may stand for (§7.3); NULL strings expand to nothing. */
struct spf_macro_in {
	const char	*local;		/* l: local part of the sender */
	const char	*domain;	/* o: domain of the sender */
	const char	*cur;		/* d: the current domain */
	const char	*helo;		/* h */
	const char	*ptr;		/* p: validated name, or "unknown" */
	const char	*recv;		/* r: receiving host (exp only) */
	struct ipaddr	 ip;		/* i, c, v */
	time_t		 now;		/* t (exp only) */
};

/* Macro letters used, as bits (1 << (letter - 'a')). */
#define SPF_USES(c)	(1u << ((c) - 'a'))

const char	*spf_kind_name(enum spf_kind);
int		 spf_select(const unsigned char *, int, char *, size_t,
		    size_t *);
int		 spf_term_next(const char *, size_t, size_t *,
		    struct spf_term *);
int		 spf_record_check(const char *, size_t, unsigned *,
		    const char **);
int		 spf_macro_check(const char *, size_t, int, unsigned *);
int		 spf_domain_spec_ok(const char *, size_t);
int		 spf_expand(const struct spf_macro_in *, const char *, size_t,
		    int, char *, size_t);
int		 spf_net_match(const struct ipaddr *, const unsigned char *,
		    int, unsigned);

#endif
