/*
 * fuzz_envelope.c - the envelope reader: never reads past its input,
 * stops where it says, gives the same verdict whatever the chunking.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct env	a, b;
	size_t		ua, ub = 0, i;
	const char	*r;

	env_init(&a);
	env_init(&b);
	ua = env_feed(&a, (const char *)d, n);
	for (i = 0; i < n && b.status == ENV_MORE; i++)
		ub += env_feed(&b, (const char *)d + i, 1);
	if (ua != ub || a.status != b.status || a.nrcpt != b.nrcpt ||
	    ua > n || (a.status == ENV_MORE && ua != n))
		abort();
	if (a.status == ENV_DONE && (ua == 0 || d[ua - 1] != 0))
		abort();
	for (r = env_rcpt_next(&a, NULL), i = 0; r; r = env_rcpt_next(&a, r))
		i++;
	if (i != a.nkept || a.nkept > a.nrcpt)
		abort();
	env_free(&a);
	env_free(&b);
	return 0;
}
