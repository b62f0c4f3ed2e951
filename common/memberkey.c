/* A member's keys in a keylock; see memberkey.h. */
#include <ctype.h>
#include <string.h>

#include "buf.h"
#include "memberkey.h"

struct hash128
memberkey(const char *kind, const char *v)
{
	struct buf b = BUF_INIT;
	struct hash128 h;
	size_t digits = 0;
	const char *p;

	buf_adds(&b, kind);
	if (strcmp(kind, "mobile:") == 0) {
		/* The last ten digits: (212) 254-2390 is +12122542390. */
		for (p = v; *p; p++)
			digits += isdigit((unsigned char)*p) != 0;
		for (p = v; *p; p++) {
			if (isdigit((unsigned char)*p) && digits-- <= 10)
				buf_addc(&b, *p);
		}
	} else {
		while (isspace((unsigned char)*v))
			v++;
		for (p = v; *p; p++)
			buf_addc(&b, (char)tolower((unsigned char)*p));
		while (b.len && isspace((unsigned char)b.data[b.len - 1]))
			b.data[--b.len] = '\0';
	}
	h = hash128(b.data, b.len);
	buf_release(&b);
	return h;
}

void
memberkeys_init(
    struct memberkeys *k, const char *id, const char *email, const char *mobile)
{
	k->n = 0;
	k->held = 0;
	if (id)
		k->keys[k->n++] = memberkey("id:", id);
	if (email)
		k->keys[k->n++] = memberkey("email:", email);
	if (mobile)
		k->keys[k->n++] = memberkey("mobile:", mobile);
}

int
memberkeys_take(struct memberkeys *k, struct keylock *l)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		if (keylock_held(l, k->keys[i]))
			return 0;
	}
	/* A key named twice is taken once: the second take says -1. */
	for (i = 0; i < k->n; i++)
		keylock_take(l, k->keys[i]);
	k->held = 1;
	return 1;
}

void
memberkeys_drop(struct memberkeys *k, struct keylock *l)
{
	size_t i;

	for (i = 0; k->held && i < k->n; i++)
		keylock_drop(l, k->keys[i]);
	k->held = 0;
}
