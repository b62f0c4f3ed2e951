/* The mail ledger on the delivery ledger; mailledger.h. */
#include <string.h>

#include "mailledger.h"
#include "reckey.h"

static const char fields[] = "mailing,member";

int
mailledger_open(
    struct mailledger *m, const char *path, int writable, struct buf *err)
{
	memset(m, 0, sizeof(*m));
	m->opened = 1;
	buf_init(&m->kb, BUF_UNLIMITED);
	return ledger_open(&m->l, path, writable, err);
}

static json_t *
key_of(const char *mailing, const char *member)
{
	return json_pack("[ss]", mailing, member);
}

enum mail_state
mailledger_state(struct mailledger *m, const char *mailing, const char *member)
{
	json_t *key = key_of(mailing, member);
	const char *st = NULL;

	if (key && reckey_join(key, &m->kb) == 0)
		st = ledger_lookup(&m->l, fields, m->kb.data, m->kb.len);
	json_decref(key);
	if (st == NULL || strcmp(st, "unsent") == 0)
		return MAIL_NEW;
	return strcmp(st, "sent") == 0 ? MAIL_SENT : MAIL_IN_DOUBT;
}

int
mailledger_append(struct mailledger *m, const char *mailing, const char *member,
    const char *status, const json_t *extra, struct buf *err)
{
	json_t *key = key_of(mailing, member);
	int rc;

	if (key == NULL) {
		buf_adds(err, "a mailing and a member id are required");
		return -1;
	}
	rc = ledger_append(&m->l, fields, key, status, extra, err);
	json_decref(key);
	return rc;
}

int
mailledger_sync(struct mailledger *m, struct buf *err)
{
	return ledger_sync(&m->l, err);
}

void
mailledger_close(struct mailledger *m)
{
	if (!m->opened)
		return;
	ledger_close(&m->l);
	buf_release(&m->kb);
	m->opened = 0;
}
