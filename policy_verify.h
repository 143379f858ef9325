/*
 * policy_verify.h - qqtag -n's checks of what a parsed policy names on
 * disk, made as the user qmail-smtpd runs qqtag as.
 */
#ifndef QQTAG_POLICY_VERIFY_H
#define QQTAG_POLICY_VERIFY_H

#include "buf.h"

struct policy;

#define POLICY_USER	"qmaild"	/* qmail-smtpd's user (qmail INSTALL) */

/*
 * Check, as user: the spool directory takes a new file (created, written
 * and removed), the queue program is an executable regular file and not
 * qqtag itself, every list and GeoIP file reads, the state file's
 * directory takes a new file and the state file, once written, reads.
 * queue, when an absolute path, is checked instead of the policy's queue
 * (QQTAG_QUEUE does so in delivery).  Run by root, the checks run in a
 * child that has become user; run by anyone else, they are made as that
 * user, and notes says so.  p must come from a strict parse (it notes the
 * files).  Each wrong thing is a "file:line: reason" line in p->errs
 * (p->nerrors counts them); each thing checked is a line in notes.
 * Returns 0, or -1 when anything was wrong (errno ENOMEM: out of memory).
 */
int	policy_verify(struct policy *, const char *, const char *,
	    struct buf *);

#endif
