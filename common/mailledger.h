/*
 * The mail ledger: which members a mailing was sent to, kept across runs
 * and crashes so that nobody gets the same mail-out twice. It is a
 * delivery ledger (ledger.h: one JSON line an entry, appended whole, the
 * latest line of a key winning, a torn last line cut) keyed by the
 * mailing's id and the member's id ("fields":"mailing,member"), with
 * three statuses:
 *
 *	sending  the intent: written (and synced) before the call that sends
 *	         the member's message goes out
 *	sent     the e-mail service confirmed the member's message (its
 *	         message id beside it)
 *	unsent   the call was answered and did not send it (throttled,
 *	         refused, cancelled before it left): free to be sent again
 *
 * A key whose latest entry is "sending" is in doubt: the call went out,
 * and its answer never came or came when nobody was left to write it down
 * (a kill -9 between the answer and the ledger). The service may or may
 * not have sent it, and an e-mail service has no way to ask, so the honest
 * guarantee is at most once: a run that finds it in doubt does not send it
 * again unless told to (post-mail --resend-in-doubt), and says so.
 */
#ifndef MAILLEDGER_H
#define MAILLEDGER_H

#include "buf.h"
#include "ledger.h"

enum mail_state {
	MAIL_NEW,      /* no entry, or "unsent": to be sent */
	MAIL_SENT,     /* confirmed */
	MAIL_IN_DOUBT, /* an intent with no answer after it */
};

struct mailledger {
	struct ledger l;
	struct buf kb; /* scratch: key bytes */
	int opened;    /* mailledger_open() was called */
};

/* ledger_open()'s arguments and returns, for a mail ledger. */
int mailledger_open(
    struct mailledger *m, const char *path, int writable, struct buf *err);

/* What the ledger holds of (mailing, member). */
enum mail_state mailledger_state(
    struct mailledger *m, const char *mailing, const char *member);

/*
 * Appends an entry for (mailing, member) at status ("sending", "sent" or
 * "unsent"), with extra (borrowed, may be NULL: members for readers, such
 * as "message_id" or "why"). 0, or -1 with a message in err.
 */
int mailledger_append(struct mailledger *m, const char *mailing,
    const char *member, const char *status, const json_t *extra,
    struct buf *err);

/* ledger_sync(): the entries appended so far on disk. */
int mailledger_sync(struct mailledger *m, struct buf *err);

/* Closes the file and frees everything (nothing for a zeroed m). */
void mailledger_close(struct mailledger *m);

#endif
