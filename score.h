/* score.h - a named test with its default weight, as modules list them */
#ifndef QQTAG_SCORE_H
#define QQTAG_SCORE_H

struct score_test {
	const char	*name;		/* SPAMASSASSIN_STYLE_NAME */
	double		 weight;	/* default; policy "weight NAME W" */
	const char	*what;		/* one line for humans (man page) */
};

#define SCORE_WEIGHTMAX	1000.0	/* largest |weight| a policy may give */

int	score_weight(const char *, const char *, double *);

#endif
