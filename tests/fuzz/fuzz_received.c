/*
 * fuzz_received.c - trace lines over arbitrary bytes: rcvd_parse never
 * fails and keeps its promises (strings terminated, qmail's line has a
 * client, the hop is an outside address whose text parses back to it);
 * the first line also goes through rcvd_client, rcvd_outside (which
 * agrees with it), rcvd_date and rcvd_qmail.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msg.h"
#include "received.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
first_line(const char *d, size_t n)
{
	struct rcvd_info	 r;
	struct ipaddr		 a, b;
	char			 v[1024];
	const char		*nl = memchr(d, '\n', n);
	size_t			 k = nl ? (size_t)(nl - d) : n;
	time_t			 t;
	int			 c, o;

	c = rcvd_client(d, k, &a);
	o = rcvd_outside(d, k, &b);
	if ((c == 0) != (a.family == 0) || (o && (!c || !ipaddr_eq(&a, &b) ||
	    ipaddr_private(&b))) || (!o && b.family != 0))
		abort();
	(void)rcvd_date(d, k, &t);
	memset(&r, 0, sizeof(r));
	(void)rfc_keep(v, sizeof(v), d, k);
	if (rcvd_qmail(v, &r) != r.ok || (r.ok && r.ip.family == 0) ||
	    (!r.ok && (r.helo[0] != '\0' || r.host[0] != '\0')))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	const char		*d = (const char *)data;
	struct rcvd_info	 r;
	struct ipaddr		 ip;
	const char		*s;

	rcvd_parse(d, n, &r);
	if (memchr(r.helo, '\0', sizeof(r.helo)) == NULL ||
	    memchr(r.host, '\0', sizeof(r.host)) == NULL ||
	    (r.ok && r.ip.family == 0) ||
	    ((rcvd_helo(&r) != NULL) != r.ok))
		abort();
	if ((s = rcvd_hop_ip(&r)) != NULL && (ipaddr_parses(s, &ip) == -1 ||
	    !ipaddr_eq(&ip, &r.hop) || ipaddr_private(&ip)))
		abort();
	first_line(d, n);
	return 0;
}
