#include "attrib.h"

#include <stdlib.h>
#include <string.h>

#include "evtime.h"
#include "jsonw.h"
#include "touch.h"

/* A page view as a window keeps it. */
struct pv {
	int64_t time;
	unsigned long long ord; /* the order it was handled in: its place */
	int touch;
	char *text; /* {"event_id":..,"time":..,"source":..,...} */
	size_t len;
};

/* Page views in order of place; items [head, n) are live. */
struct pvlist {
	struct pv *v;
	size_t head, n, cap;
};

struct member {
	unsigned long long serial; /* changes when the member is forgotten */
	int64_t last;              /* the time of their latest event */
	int has_conv;
	int64_t conv_time;
	unsigned long long conv_ord;
	char *after; /* "event_id":..,"first":..,"last":.. of the last one */
	struct pvlist pvs; /* page views since the last conversion */
};

struct anon {
	unsigned long long claim; /* the claiming member's serial; 0 none */
	char *claimer;            /* their member id */
	size_t nclaimer;
	int64_t last;
	struct pvlist pvs; /* page views while unclaimed */
};

static void
pvs_clear(struct pvlist *l)
{
	size_t i;

	for (i = l->head; i < l->n; i++)
		free(l->v[i].text);
	l->head = l->n = 0;
}

static void
pvs_free(struct pvlist *l)
{
	pvs_clear(l);
	free(l->v);
	l->v = NULL;
	l->cap = 0;
}

/* Forgets the page views more than the lookback before now. */
static void
pvs_prune(struct pvlist *l, int64_t now, int64_t lookback)
{
	while (l->head < l->n && now - l->v[l->head].time > lookback)
		free(l->v[l->head++].text);
	if (l->head == l->n)
		l->head = l->n = 0;
}

static void
pvs_add(struct pvlist *l, const struct pv *p)
{
	if (l->n == l->cap && l->head > 0) {
		memmove(l->v, l->v + l->head, (l->n - l->head) * sizeof(*l->v));
		l->n -= l->head;
		l->head = 0;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = *p;
}

static void
member_free(void *v)
{
	struct member *m = v;

	if (m) {
		free(m->after);
		pvs_free(&m->pvs);
		free(m);
	}
}

static void
anon_free(void *v)
{
	struct anon *an = v;

	if (an) {
		free(an->claimer);
		pvs_free(&an->pvs);
		free(an);
	}
}

void
attrib_init(struct attrib *a, int64_t lookback)
{
	memset(a, 0, sizeof(*a));
	strmap_init(&a->members);
	strmap_init(&a->anons);
	a->lookback = lookback;
	a->sweep_min = 1024;
	buf_init(&a->touch, BUF_UNLIMITED);
	buf_init(&a->own, BUF_UNLIMITED);
	buf_init(&a->source, BUF_UNLIMITED);
}

void
attrib_release(struct attrib *a)
{
	strmap_release(&a->members, member_free);
	strmap_release(&a->anons, anon_free);
	buf_release(&a->touch);
	buf_release(&a->own);
	buf_release(&a->source);
}

size_t
attrib_persons(const struct attrib *a)
{
	return a->members.n + a->anons.n;
}

static int
alive(const struct attrib *a, const struct member *m, int64_t now)
{
	return now - m->last <= a->lookback;
}

/* The member's state at now: made, or started again when forgotten. */
static struct member *
member_at(struct attrib *a, const char *id, size_t n, int64_t now)
{
	void **slot = strmap_put(&a->members, id, n);
	struct member *m = *slot;

	if (m && alive(a, m, now))
		return m;
	if (m == NULL)
		m = *slot = xcalloc(1, sizeof(*m));
	free(m->after);
	m->after = NULL;
	pvs_clear(&m->pvs);
	m->has_conv = 0;
	m->serial = ++a->serial;
	m->last = now;
	return m;
}

/* The member holding a live claim on the anonymous id's state, or NULL
 * (a dead claim is let go). */
static struct member *
claimer(struct attrib *a, struct anon *an, int64_t now)
{
	struct member *m;

	if (an == NULL || an->claim == 0)
		return NULL;
	m = strmap_get(&a->members, an->claimer, an->nclaimer);
	if (m && m->serial == an->claim && alive(a, m, now))
		return m;
	an->claim = 0;
	free(an->claimer);
	an->claimer = NULL;
	return NULL;
}

struct sweep {
	struct attrib *a;
	int64_t now;
};

static int
drop_anon(void *v, void *ctx)
{
	struct sweep *sw = ctx;
	struct anon *an = v;

	if (claimer(sw->a, an, sw->now) != NULL)
		return 0;
	if (an->pvs.head < an->pvs.n && sw->now - an->last <= sw->a->lookback)
		return 0;
	anon_free(an);
	return 1;
}

static int
drop_member(void *v, void *ctx)
{
	struct sweep *sw = ctx;

	if (alive(sw->a, v, sw->now))
		return 0;
	member_free(v);
	return 1;
}

/*
 * Sweeps the forgotten persons away once the table holds twice what the
 * last sweep kept: each sweep costs about what was added since, so the
 * cost per event stays constant, and memory stays within twice the
 * persons with an open window. Anonymous ids first: whether their claim
 * holds is read from the members.
 */
static void
sweep(struct attrib *a, int64_t now)
{
	struct sweep sw = {a, now};
	size_t n = attrib_persons(a);

	if (n > a->peak)
		a->peak = n;
	if (n < 2 * a->after_sweep + a->sweep_min)
		return;
	strmap_sweep(&a->anons, drop_anon, &sw);
	strmap_sweep(&a->members, drop_member, &sw);
	a->after_sweep = attrib_persons(a);
	a->sweeps++;
}

/* Appends "source":..,"campaign":..,"medium":.. of the page view to out;
 * sets *touch. */
static int
own_touch(
    struct attrib *a, const struct attrib_event *e, struct buf *out, int *touch)
{
	int rc = 0;

	buf_reset(&a->source);
	rc |= touch_source(&a->source, e->utm_source, e->nsource, e->referrer,
	    e->nreferrer, e->url, e->nurl);
	*touch = touch_is(
	    a->source.data, a->source.len, e->utm_campaign ? e->ncampaign : 0);
	rc |= buf_adds(out, "\"source\":");
	rc |= jsonw_string(out, a->source.data, a->source.len);
	rc |= buf_adds(out, ",\"campaign\":");
	rc |= jsonw_string(out, e->utm_campaign ? e->utm_campaign : "",
	    e->utm_campaign ? e->ncampaign : 0);
	rc |= buf_adds(out, ",\"medium\":");
	rc |= jsonw_string(out, e->utm_medium ? e->utm_medium : "",
	    e->utm_medium ? e->nmedium : 0);
	return rc ? -1 : 0;
}

int
attrib_pageview(struct attrib *a, const struct attrib_event *e, struct buf *out)
{
	char iso[EVTIME_ISO_SIZE];
	struct member *m = NULL;
	struct anon *an = NULL;
	struct pv p = {e->time, a->ord++, 0, NULL, 0};
	int rc = 0;

	buf_reset(&a->own);
	if (own_touch(a, e, &a->own, &p.touch) < 0)
		return -1;
	if (e->member && e->nmember) {
		m = member_at(a, e->member, e->nmember, e->time);
	} else if (e->anon && e->nanon) {
		an = strmap_get(&a->anons, e->anon, e->nanon);
		if ((m = claimer(a, an, e->time)) == NULL && an == NULL)
			an = *strmap_put(&a->anons, e->anon, e->nanon) =
			    xcalloc(1, sizeof(*an));
	}
	if (m || an) {
		evtime_iso(e->time, iso);
		buf_reset(&a->touch);
		rc |= buf_adds(&a->touch, "{\"event_id\":");
		rc |= buf_add(&a->touch, e->event_id, e->nevent_id);
		rc |= buf_printf(&a->touch, ",\"time\":\"%s\",", iso);
		rc |= buf_add(&a->touch, a->own.data, a->own.len);
		rc |= buf_addc(&a->touch, '}');
		p.text = xmalloc(a->touch.len + 1);
		memcpy(p.text, a->touch.data, a->touch.len + 1);
		p.len = a->touch.len;
	}
	if (m) {
		pvs_prune(&m->pvs, e->time, a->lookback);
		pvs_add(&m->pvs, &p);
		m->last = e->time;
	} else if (an) {
		pvs_prune(&an->pvs, e->time, a->lookback);
		pvs_add(&an->pvs, &p);
		an->last = e->time;
	}
	rc |= buf_adds(out, "{\"touch\":{");
	rc |= buf_add(out, a->own.data, a->own.len);
	rc |= buf_addc(out, '}');
	if (m && m->has_conv && e->time - m->conv_time <= a->lookback) {
		rc |= buf_adds(out, ",\"after\":{");
		rc |= buf_adds(out, m->after);
		rc |= buf_addc(out, '}');
	}
	rc |= buf_addc(out, '}');
	sweep(a, e->time);
	return rc ? -1 : 0;
}

/* The window's count and its first and last page view and touch. */
struct window {
	size_t n;
	const struct pv *first, *last, *tfirst, *tlast;
};

static void
window_add(struct window *w, const struct pvlist *l, int64_t now,
    int64_t lookback, int after, unsigned long long since)
{
	const struct pv *p;
	size_t i;

	for (i = l->head; i < l->n; i++) {
		p = &l->v[i];
		if (now - p->time > lookback || (after && p->ord <= since))
			continue;
		w->n++;
		if (w->first == NULL || p->ord < w->first->ord)
			w->first = p;
		if (w->last == NULL || p->ord > w->last->ord)
			w->last = p;
		if (p->touch && (w->tfirst == NULL || p->ord < w->tfirst->ord))
			w->tfirst = p;
		if (p->touch && (w->tlast == NULL || p->ord > w->tlast->ord))
			w->tlast = p;
	}
}

static int
add_pv(struct buf *out, const struct pv *p)
{
	return p ? buf_add(out, p->text, p->len) : buf_adds(out, "null");
}

int
attrib_conversion(
    struct attrib *a, const struct attrib_event *e, struct buf *out)
{
	struct member *m = member_at(a, e->member, e->nmember, e->time);
	struct anon *an = NULL;
	struct window w = {0, NULL, NULL, NULL, NULL};
	const struct pv *first, *last;
	int rc = 0;

	a->ord++;
	window_add(&w, &m->pvs, e->time, a->lookback, 0, 0);
	if (e->anon && e->nanon) {
		an = strmap_get(&a->anons, e->anon, e->nanon);
		if (an == NULL)
			an = *strmap_put(&a->anons, e->anon, e->nanon) =
			    xcalloc(1, sizeof(*an));
		if (claimer(a, an, e->time) == NULL) {
			/* The claim: the id's page views join the member. */
			window_add(&w, &an->pvs, e->time, a->lookback,
			    m->has_conv, m->conv_ord);
			an->claim = m->serial;
			an->claimer = xmalloc(e->nmember + 1);
			memcpy(an->claimer, e->member, e->nmember);
			an->nclaimer = e->nmember;
		}
	}
	first = w.tfirst ? w.tfirst : w.first;
	last = w.tlast ? w.tlast : w.last;
	rc |= buf_adds(out, "{\"first\":");
	rc |= add_pv(out, first);
	rc |= buf_adds(out, ",\"last\":");
	rc |= add_pv(out, last);
	rc |= buf_printf(
	    out, ",\"pages_before\":%zu,\"time_to_convert_ms\":", w.n);
	if (first)
		rc |=
		    buf_printf(out, "%lld", (long long)(e->time - first->time));
	else
		rc |= buf_adds(out, "null");
	rc |= buf_addc(out, '}');
	/* What the page views after it carry. */
	buf_reset(&a->touch);
	rc |= buf_adds(&a->touch, "\"event_id\":");
	rc |= buf_add(&a->touch, e->event_id, e->nevent_id);
	rc |= buf_adds(&a->touch, ",\"first\":");
	rc |= add_pv(&a->touch, first);
	rc |= buf_adds(&a->touch, ",\"last\":");
	rc |= add_pv(&a->touch, last);
	free(m->after);
	m->after = xstrdup(a->touch.data);
	if (an)
		pvs_clear(&an->pvs);
	pvs_clear(&m->pvs);
	m->has_conv = 1;
	m->conv_time = e->time;
	m->conv_ord = a->ord - 1;
	m->last = e->time;
	sweep(a, e->time);
	return rc ? -1 : 0;
}
