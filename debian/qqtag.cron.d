# /etc/cron.d/qqtag: examples for qqtag, every line disabled.  The package
# starts nothing: remove the '#' in front of a line once qqtag runs (see
# /usr/share/doc/qqtag/INSTALL.gz, sections 1, 8 and 16, and qqtag-report(1)).
# Cron mails what a job prints to MAILTO.
#
#MAILTO=postmaster
#
# List health every 10 minutes, as qmaild: needs the policy's "state"
# line and its directory owned by qmaild (INSTALL, section 8).
#*/10 * * * * qmaild qqtag -T
#
# The weekly report on qmail-smtpd's log, Mondays at 07:00: name the
# directory where multilog writes that log (it reads current and the
# @*.s files, gzip'ed ones too).
#0 7 * * 1 root qqtag-report --last 7d /var/log/qmail/smtpd
#
# Monitoring every 10 minutes: mails only when something is not OK.
#*/10 * * * * root qqtag-report --check --last 1h /var/log/qmail/smtpd/current | grep -v '^QQTAG OK'
