/*
 * fuzz_policy.c - the policy parser on arbitrary bytes, in queue mode and
 * strict mode: no crash, no leak, errors reported with file:line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct policy	p;
	char		*t;
	int		 strict, r;

	for (strict = 0; strict < 2; strict++) {
		if ((t = malloc(n + 1)) == NULL)
			return 0;
		memcpy(t, d, n);
		t[n] = '\0';	/* as policy_load's buffer is */
		policy_defaults(&p);
		r = policy_parse(&p, "fuzz", t, n, strict);
		if (r == -1 && p.nerrors == 0 && p.nunknown == 0 &&
		    p.errs.len == 0)
			abort();
		if (r == 0 && (p.queue == NULL || p.spool == NULL ||
		    p.strip.n < 7))
			abort();
		policy_free(&p);
		free(t);
	}
	return 0;
}
