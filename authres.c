/*
 * authres.c - the Authentication-Results header (RFC 8601) from what SPF,
 * DKIM, DMARC and the rDNS check left in m->auth:
 *
 *   Authentication-Results: mx.example.org;
 *	spf=pass smtp.mailfrom=user@example.com;
 *	dkim=pass header.d=example.com header.s=sel header.a=rsa-sha256
 *	header.b=AbCdEfGh; dmarc=pass (p=reject) header.from=example.com;
 *	iprev=pass policy.iprev=192.0.2.1 (mail.example.com)
 *
 * Downstream filters parse this header by its punctuation, and part of it
 * comes from the sender (the addresses, the signature's tags): a value is
 * written only when it is made of characters that cannot end it (dot-atom
 * local parts, LDH domain names, base64), else it is left out; reasons
 * are comments with their parentheses and backslashes made '?'.  Folding
 * and the last sanitising are the one header writer's (headers.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "authres.h"
#include "headers.h"
#include "msg.h"

/* RFC 5322 atext, '.' between atoms: the local parts we write. */
static int
dot_atom(const char *s, size_t n)
{
	static const char specials[] = "!#$%&'*+-/=?^_`{|}~";
	size_t	i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.' && i > 0 && s[i - 1] == '.')
			return 0;
		if (s[i] != '.' && !isalnum((unsigned char)s[i]) &&
		    (s[i] == '\0' || strchr(specials, s[i]) == NULL))
			return 0;
	}
	return 1;
}

/* Letters, digits, '-', '_' in dot-separated labels: names we write. */
static int
ldh_name(const char *s)
{
	size_t	i, n = strlen(s);

	if (n == 0 || n > 253 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && !(s[i] == '.' && s[i - 1] != '.'))
			return 0;
	return 1;
}

/* A token of RFC 2045 made of name characters: an authserv-id we use. */
int
authres_id_valid(const char *s)
{
	return s != NULL && strlen(s) <= AUTHRES_ID_MAX && ldh_name(s);
}

/*
 * The default authserv-id into dst (cap bytes): the first line of
 * qmail's control/me, else the host name, else "localhost".
 */
void
authres_default_id(char *dst, size_t cap)
{
	FILE	*f;
	char	 line[AUTHRES_ID_MAX + 2];

	line[0] = '\0';
	if ((f = fopen(AUTHRES_ME, "re")) != NULL) {
		if (fgets(line, sizeof(line), f) == NULL)
			line[0] = '\0';
		fclose(f);
		line[strcspn(line, "\r\n \t")] = '\0';
	}
	if (!authres_id_valid(line) && (gethostname(line, sizeof(line)) ==
	    -1 || (line[sizeof(line) - 1] = '\0', !authres_id_valid(line))))
		snprintf(line, sizeof(line), "localhost");
	snprintf(dst, cap, "%s", line);
}

/* "(text)" with the characters that would end a comment made '?'. */
static void
comment(struct hdr_w *w, const char *text)
{
	char	c[AUTH_REASON + 2];
	size_t	i, n;

	if (text == NULL || *text == '\0')
		return;
	n = snprintf(c, sizeof(c), "(%s", text);
	if (n >= sizeof(c) - 1)
		n = sizeof(c) - 2;
	for (i = 1; i < n; i++)
		if (c[i] == '(' || c[i] == ')' || c[i] == '\\')
			c[i] = '?';
	c[n++] = ')';
	c[n] = '\0';
	hdr_text(w, c);
}

/* "key=value" when value is written whole; nothing otherwise. */
static void
prop(struct hdr_w *w, const char *key, const char *value)
{
	char	t[AUTH_ADDR + 32];

	snprintf(t, sizeof(t), "%s=%s", key, value);
	hdr_text(w, t);
}

/* The start of one method's resinfo: "; method=result". */
static void
method(struct hdr_w *w, const char *name, enum auth_res r)
{
	char	t[48];

	hdr_glue(w, ";");
	snprintf(t, sizeof(t), "%s=%s", name, auth_res_text(r));
	hdr_text(w, t);
}

/* smtp.mailfrom (the address when its local part is a dot-atom, else
   its domain) or smtp.helo. */
static void
spf_info(struct hdr_w *w, const struct auth_spf *s)
{
	const char	*at = strrchr(s->identity, '@');
	const char	*dom = at != NULL ? at + 1 : s->identity;

	method(w, "spf", s->res);
	comment(w, s->reason);
	if (s->helo) {
		if (ldh_name(dom))
			prop(w, "smtp.helo", dom);
	} else if (at != NULL && ldh_name(dom) && dot_atom(s->identity,
	    (size_t)(at - s->identity)))
		prop(w, "smtp.mailfrom", s->identity);
	else if (ldh_name(dom))
		prop(w, "smtp.mailfrom", dom);
}

/* Base64 characters only: header.b. */
static int
b64_word(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' &&
		    s[i] != '/')
			return 0;
	return i > 0;
}

static void
dkim_info(struct hdr_w *w, const struct auth_dkim_sig *g)
{
	method(w, "dkim", g->res);
	if (g->partial)
		comment(w, "l= left part of the body unsigned");
	comment(w, g->reason);
	if (ldh_name(g->d))
		prop(w, "header.d", g->d);
	if (ldh_name(g->s))
		prop(w, "header.s", g->s);
	if (ldh_name(g->a))
		prop(w, "header.a", g->a);
	if (b64_word(g->b))
		prop(w, "header.b", g->b);
}

static void
dmarc_info(struct hdr_w *w, const struct auth_dmarc *d)
{
	char	p[32];

	method(w, "dmarc", d->res);
	if (ldh_name(d->policy)) {
		snprintf(p, sizeof(p), "p=%s", d->policy);
		comment(w, p);
	}
	comment(w, d->reason);
	if (ldh_name(d->from))
		prop(w, "header.from", d->from);
}

static void
iprev_info(struct hdr_w *w, const struct msg *m)
{
	char	ip[IPADDR_TEXT];

	method(w, "iprev", m->auth.iprev);
	if (ipaddr_text(&m->ip, ip, sizeof(ip)) > 0)
		prop(w, "policy.iprev", ip);
	if (ldh_name(m->auth.iprev_name))
		comment(w, m->auth.iprev_name);
}

/*
 * Append the header for m under authserv-id id to out: one resinfo per
 * method that ran, "none" when none did.  0, or -1 as hdr_end (nothing
 * appended).
 */
int
authres_write(const struct msg *m, const char *id, struct buf *out)
{
	const struct msg_auth	*a = &m->auth;
	struct hdr_w		 w;
	size_t			 i, n = 0;

	hdr_begin(&w, out, "Authentication-Results");
	hdr_text(&w, authres_id_valid(id) ? id : "localhost");
	if (a->spf.res != AUTH_UNSET && ++n)
		spf_info(&w, &a->spf);
	for (i = 0; i < a->dkim.n && i < AUTH_DKIM_MAX; i++, n++)
		dkim_info(&w, &a->dkim.sig[i]);
	if (a->dmarc.res != AUTH_UNSET && ++n)
		dmarc_info(&w, &a->dmarc);
	if (a->iprev != AUTH_UNSET && ++n)
		iprev_info(&w, m);
	if (n == 0) {
		hdr_glue(&w, ";");
		hdr_text(&w, "none");
	}
	return hdr_end(&w);
}
