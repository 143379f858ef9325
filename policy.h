/* policy.h - the policy file */
#ifndef QQTAG_POLICY_H
#define QQTAG_POLICY_H

#include "buf.h"
#include "check.h"
#include "headers.h"
#include "score.h"

struct check;

#define POLICY_DEFAULT		"/etc/qqtag/policy"
#define POLICY_QUEUE		"/var/qmail/bin/qmail-queue"
#define POLICY_SPOOL		"/var/tmp"
#define POLICY_FILE_MAX		(1024 * 1024)
#define POLICY_LINE_MAX		4096
#define POLICY_ERRS_MAX		4096
#define POLICY_WEIGHTS_MAX	256
#define POLICY_FILES_MAX	80	/* files a strict parse notes */
#define POLICY_NHDR		5	/* header kinds: flag ... warning */

/* The names of the headers qqtag writes. */
struct policy_headers {
	char	*flag, *status, *level, *score, *warning;
};

/* A file a policy line names, noted by a strict parse for qqtag -n. */
struct policy_file {
	unsigned	 line;
	char		 what[16];	/* "iplist", "geoip asn", "state" */
	char		*path;
};

struct policy {
	const char	*file;
	int		 found;		/* the file existed */
	int		 off;		/* pass everything straight through */
	int		 memfd;		/* spool in RAM (memfd) */
	char		*queue;
	char		*spool;
	unsigned	 timeout_ms;	/* DNS deadline after the message */
	unsigned	 watchdog_ms;	/* work after the message, in all */
	double		 threshold;
	char		*authservid;	/* Authentication-Results' id */
	struct policy_headers hdr;
	unsigned	 hdr_line[POLICY_NHDR];	/* 0: the default name */
	unsigned	 spool_line, queue_line; /* 0: the default */
	struct hdr_names strip;		/* every name qqtag writes */
	void		*conf[CHECK_MAX];	/* per check of the table */
	size_t		 nweights;	/* "weight NAME W" overrides */
	struct score_test weights[POLICY_WEIGHTS_MAX];
	unsigned	 nerrors;	/* lines with errors */
	unsigned	 nunknown;	/* unknown keywords */
	struct buf	 errs;		/* "file:line: reason\n"..., capped */
	size_t		 nfiles;	/* strict parse only */
	struct policy_file files[POLICY_FILES_MAX];
};

void	policy_defaults(struct policy *);
int	policy_load(struct policy *, const char *, int);
int	policy_parse(struct policy *, const char *, char *, size_t, int);
void	policy_free(struct policy *);
void	*policy_conf(const struct policy *, const struct check *);
double	policy_weight(const struct policy *, const char *);

#endif
