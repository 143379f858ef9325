/* score.h - a named test with its default weight, as modules list them */
#ifndef QQTAG_SCORE_H
#define QQTAG_SCORE_H

struct score_test {
	const char	*name;		/* SPAMASSASSIN_STYLE_NAME */
	double		 weight;	/* default; policy "weight NAME W" */
	const char	*what;		/* one line for humans (man page) */
};

#endif
