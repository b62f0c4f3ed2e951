/* The numbers of an import's summary; see runsummary.h. */
#include <stdlib.h>
#include <string.h>

#include "runsummary.h"

/* A stage's or a counter's name: what import.sh's summary holds. */
static size_t
name_len(const char *s, const char *end)
{
	const char *p = s;

	while (
	    p < end &&
	    (*p == '-' || *p == '_' || *p == '.' || (*p >= 'a' && *p <= 'z') ||
	        (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
		p++;
	return (size_t)(p - s);
}

/* The digits at p (before end) as a number, at most 10^18. */
static long long
digits(const char *p, const char *end)
{
	long long n = 0;

	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (n < 100000000000000000LL)
			n = n * 10 + (*p - '0');
	}
	return n;
}

/* The number after "KEY=" in the line, as a word; -1 when absent. */
static long long
counter(const char *line, const char *end, const char *key)
{
	size_t k = strlen(key);
	const char *p;

	for (p = line; p + k + 1 < end; p++) {
		if ((p == line || p[-1] == ' ' || p[-1] == '(') &&
		    memcmp(p, key, k) == 0 && p[k] == '=' && p[k + 1] >= '0' &&
		    p[k + 1] <= '9')
			return digits(p + k + 1, end);
	}
	return -1;
}

static void
add_to(json_t *obj, const char *key, size_t klen, long long n)
{
	char name[256];
	json_t *have;

	if (klen >= sizeof(name))
		return;
	memcpy(name, key, klen);
	name[klen] = '\0';
	have = json_object_get(obj, name);
	json_object_set_new(
	    obj, name, json_integer(n + (have ? json_integer_value(have) : 0)));
}

/* "(RULE=N RULE=N)" after dropped=: each into dropped. */
static void
rules(const char *p, const char *end, json_t *dropped)
{
	size_t k;

	p = memchr(p, '(', (size_t)(end - p));
	if (!p)
		return;
	for (p++; p < end && *p != ')';) {
		k = name_len(p, end);
		if (k == 0 || p + k >= end || p[k] != '=')
			return;
		add_to(dropped, p, k, digits(p + k + 1, end));
		p += k + 1;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		while (p < end && *p == ' ')
			p++;
	}
}

struct parse {
	json_t *o, *dropped, *rej, *outs;
	long long rejected;
	char last[128]; /* the last stage of the exit-status line that ran */
	int any;        /* a stage line was seen */
};

/* "  STAGE: ..." lines. */
static void
stage_line(struct parse *ps, const char *s, const char *end)
{
	const char *colon;
	size_t k = name_len(s, end);
	long long in, out, rej;

	colon = s + k;
	if (k == 0 || colon + 1 >= end || colon[0] != ':' || colon[1] != ' ')
		return;
	in = counter(colon, end, "in");
	if (in >= 0) {
		out = counter(colon, end, "out");
		rej = counter(colon, end, "rejected");
		ps->any = 1;
		if (k == 10 && memcmp(s, "csv2ndjson", 10) == 0)
			json_object_set_new(ps->o, "rows", json_integer(in));
		if (out >= 0)
			add_to(ps->outs, s, k, out);
		if (rej > 0)
			add_to(ps->rej, s, k, rej);
		if (rej > 0)
			ps->rejected += rej;
		rules(colon, end, ps->dropped);
	} else if (k == 14 && memcmp(s, "post-northstar", 14) == 0) {
		json_object_set_new(ps->o, "members",
		    json_pack("{sI sI}", "found",
		        (json_int_t)counter(colon, end, "found"), "created",
		        (json_int_t)counter(colon, end, "created")));
	} else if (k == 10 && memcmp(s, "post-rogue", 10) == 0) {
		json_object_set_new(ps->o, "posts",
		    json_pack("{sI sI}", "created",
		        (json_int_t)counter(colon, end, "created"), "upgraded",
		        (json_int_t)counter(colon, end, "upgraded")));
	}
}

/* "exit status per stage (-: not run): a=0 b=- ..." */
static void
status_line(struct parse *ps, const char *s, const char *end)
{
	const char *p = memchr(s, ':', (size_t)(end - s));
	const char *q;
	size_t k;

	p = p ? memchr(p + 1, ':', (size_t)(end - p - 1)) : NULL;
	ps->last[0] = '\0';
	for (p = p ? p + 1 : end; p < end;) {
		while (p < end && *p == ' ')
			p++;
		k = name_len(p, end);
		if (k == 0 || p + k + 1 >= end || p[k] != '=')
			break;
		q = p + k + 1;
		if (*q != '-' && k < sizeof(ps->last) &&
		    !(k == 11 && memcmp(p, "post-quasar", 11) == 0)) {
			memcpy(ps->last, p, k);
			ps->last[k] = '\0';
		} else if (*q == '-') {
			ps->last[0] = '\0'; /* a later stage did not run */
		}
		p = q;
		while (p < end && *p != ' ')
			p++;
	}
}

json_t *
runsummary_parse(const char *text, size_t n)
{
	const char *p = text, *end = text + n, *nl;
	static const char status[] = "exit status per stage";
	struct parse ps;
	json_t *out;

	memset(&ps, 0, sizeof(ps));
	ps.o = json_pack("{sn sn sn sn sn sn sn}", "rows", "imported",
	    "dropped", "rejected", "rejected_by_stage", "members", "posts");
	ps.dropped = json_object();
	ps.rej = json_object();
	ps.outs = json_object();
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (nl - p > 2 && p[0] == ' ' && p[1] == ' ')
			stage_line(&ps, p + 2, nl);
		else if ((size_t)(nl - p) > sizeof(status) &&
		         memcmp(p, status, sizeof(status) - 1) == 0)
			status_line(&ps, p, nl);
		if (nl == end)
			break;
	}
	if (ps.any) {
		json_object_set(ps.o, "dropped", ps.dropped);
		json_object_set_new(
		    ps.o, "rejected", json_integer(ps.rejected));
		json_object_set(ps.o, "rejected_by_stage", ps.rej);
	}
	out = ps.last[0] ? json_object_get(ps.outs, ps.last) : NULL;
	if (out)
		json_object_set(ps.o, "imported", out);
	json_decref(ps.dropped);
	json_decref(ps.rej);
	json_decref(ps.outs);
	return ps.o;
}

int
runsummary_run_dir(const char *text, size_t n, struct buf *out)
{
	static const char log[] = "  log ", tail[] = "/stages.log";
	const char *p = text, *end = text + n, *nl, *s;
	int found = -1;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if ((size_t)(nl - p) > sizeof(log) + sizeof(tail) &&
		    memcmp(p, log, sizeof(log) - 1) == 0 &&
		    memcmp(nl - (sizeof(tail) - 1), tail, sizeof(tail) - 1) ==
		        0) {
			for (s = p + sizeof(log) - 1; *s == ' '; s++)
				;
			buf_reset(out);
			buf_add(out, s, (size_t)(nl - (sizeof(tail) - 1) - s));
			found = 0;
		}
		if (nl == end)
			break;
	}
	return found;
}
