/*
 * fuzz_rcvdhop.c - the trace rules' parser over arbitrary bytes: every
 * Received line as a hop (rcvd_hop: HELO, the rDNS its receiver found,
 * client, date, qmail-queue's "invoked from network" line) and the
 * section's trace (rcvd_parse's count and kept hops).  Nothing fails,
 * nothing reads past the input, strings are terminated and lowercased,
 * the rDNS state agrees with its name, the counts stay in their caps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msg.h"
#include "received.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The promises of one hop that rcvd_hop returned k for. */
static void
hop_ok(const struct rcvd_hop *h, int k)
{
	const char	*s;

	if (memchr(h->helo, '\0', sizeof(h->helo)) == NULL ||
	    memchr(h->rdns, '\0', sizeof(h->rdns)) == NULL ||
	    k != (h->from || h->qmail_net) || (h->from && h->qmail_net) ||
	    (h->rdns_state == RCVD_RDNS_NAME) != (h->rdns[0] != '\0') ||
	    h->rdns_state < RCVD_RDNS_NA || h->rdns_state > RCVD_RDNS_NONE ||
	    (!h->from && (h->helo[0] != '\0' || h->ip.family != 0 ||
	    h->smtp)))
		abort();
	for (s = h->helo; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			abort();
	for (s = h->rdns; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	const char		*d = (const char *)data;
	struct rcvd_info	*r;
	struct rcvd_hop		 h;
	unsigned		 i;

	hop_ok(&h, rcvd_hop(d, n, &h));
	if ((r = malloc(sizeof(*r))) == NULL)
		return 0;
	rcvd_parse(d, n, r);
	if (r->nhop > RCVD_TRACE_MAX || r->nrcvd > RCVD_COUNT_MAX ||
	    r->nhop > r->nrcvd || (r->ok && r->nhop == 0))
		abort();
	for (i = 0; i < r->nhop; i++)
		hop_ok(&r->hops[i], r->hops[i].from || r->hops[i].qmail_net);
	free(r);
	return 0;
}
