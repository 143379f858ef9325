/*
 * dafsa.h - lookups in a DAFSA, the compact graph in which libpsl and
 * Chromium store the public suffix list (the publicsuffix package's
 * public_suffix_list.dafsa, made by libpsl's psl-make-dafsa from
 * Chromium's make_dafsa.py format).
 *
 * dafsa_lookup(g, glen, key, klen): the value (0-15) the graph g (glen
 *   bytes, without the file's 16-byte header) holds for the key (klen
 *   bytes), or -1 when the key is not in it.  Every read is bounds
 *   checked: hostile or truncated graphs give -1 or a wrong value, never
 *   a read outside g.  Offsets only add, so between two characters of
 *   the key the walk only moves forward: the work is bounded by
 *   (klen + 1) * glen steps on a hostile graph, by about klen * the
 *   widest node's children on the real one.
 * dafsa_header(p, n): the header's length (16) when p starts with an
 *   ASCII DAFSA header (".DAFSA@PSL_0", libpsl's format 0), else 0.
 */
#ifndef QQTAG_DAFSA_H
#define QQTAG_DAFSA_H

#include <stddef.h>

#define DAFSA_HEADER	16

int	dafsa_lookup(const unsigned char *, size_t, const char *, size_t);
size_t	dafsa_header(const unsigned char *, size_t);

#endif
