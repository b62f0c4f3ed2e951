/* A ledger named by a record's fields; see keyledger.h. */
#include <string.h>

#include "keyledger.h"

void
keyledger_init(struct keyledger *k)
{
	memset(k, 0, sizeof(*k));
	k->ledger.fd = -1;
	buf_init(&k->kb, BUF_UNLIMITED);
}

int
keyledger_key(struct keyledger *k, const char *spec)
{
	return reckey_parse(&k->key, spec);
}

int
keyledger_open(
    struct keyledger *k, const char *path, int writable, struct buf *err)
{
	return ledger_open(&k->ledger, path, writable, err);
}

int
keyledger_lookup(struct keyledger *k, const json_t *rec, const char **status)
{
	const char *missing;

	*status = NULL;
	if (reckey_build(&k->key, rec, &k->kb, &missing) != 0)
		return -1;
	*status =
	    ledger_lookup(&k->ledger, k->key.fields, k->kb.data, k->kb.len);
	return 0;
}

int
keyledger_append(struct keyledger *k, const json_t *rec, const char *status,
    const json_t *extra, struct buf *err)
{
	const char *missing;
	json_t *key = reckey_array(&k->key, rec, &missing);
	int rc;

	if (key == NULL)
		return 1;
	rc = ledger_append(&k->ledger, k->key.fields, key, status, extra, err);
	json_decref(key);
	return rc < 0 ? -1 : 0;
}

int
keyledger_sync(struct keyledger *k, struct buf *err)
{
	return ledger_sync(&k->ledger, err);
}

void
keyledger_close(struct keyledger *k)
{
	ledger_close(&k->ledger);
	reckey_release(&k->key);
	buf_release(&k->kb);
}
