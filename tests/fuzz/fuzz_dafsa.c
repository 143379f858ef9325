/*
 * fuzz_dafsa.c - dafsa_lookup() over arbitrary graphs and keys: the first
 * byte says how long the key is (up to 63), the key follows, the rest is
 * the graph.  Every read must stay inside the graph (ASan) and the value
 * must be -1..15.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dafsa.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	klen;
	int	v;

	if (size == 0)
		return 0;
	klen = data[0] & 0x3f;
	if (klen > size - 1)
		klen = size - 1;
	v = dafsa_lookup(data + 1 + klen, size - 1 - klen,
	    (const char *)data + 1, klen);
	if (v < -1 || v > 15)
		abort();
	(void)dafsa_header(data, size);
	return 0;
}
