-- The analytics_* views (ClickHouse 18.16 or later): attribute's and
-- rollup's answers computed in SQL from the events table (events.sql) and
-- from rollup's partial totals (rollup.sql), for a BI tool. Every view and
-- column is described in pipelines/sql/README.md; the rules are
-- analytics/README.md's, and tests/scripts/analytics-sql.sh holds these
-- views to the C stages' answers on the same events.
--
-- Load with one statement per request (statements end with ";" at the end
-- of a line), or `clickhouse-client --multiquery < analytics.sql`. Views
-- hold no data: the file drops and re-creates them, so loading it again is
-- how a change (of the parameters below, say) takes effect.
--
-- ClickHouse 18.16 has no window functions, only equality joins and no tie
-- order for argMin: each event's place is the tuple (t_ms, file, line)
-- (t_ms the time in milliseconds: time * 1000 + time_ms), compared as a
-- tuple, and "the events of a person in order" is an array of such tuples
-- (groupArray, arraySort, arrayFilter) rather than a window.
--
-- Every read of a table (events FINAL, rollup_partials FINAL, costs FINAL)
-- is a SELECT of its own that names no other table, view or subquery:
-- over a Distributed table (cluster.sql) that SELECT is what each shard
-- answers, and the rest runs on the server asked. (18.16 sends a shard a
-- scalar subquery as its value but then looks for the column under the
-- subquery's name: "Not found column ... _subquery".)
DROP TABLE IF EXISTS analytics_roi;
DROP TABLE IF EXISTS analytics_rollup_totals;
DROP TABLE IF EXISTS analytics_rollup;
DROP TABLE IF EXISTS analytics_pages_after;
DROP TABLE IF EXISTS analytics_conversions;
DROP TABLE IF EXISTS analytics_touches;
DROP TABLE IF EXISTS analytics_events;
DROP TABLE IF EXISTS analytics_persons;
DROP TABLE IF EXISTS analytics_claim_inputs;
DROP TABLE IF EXISTS analytics_params;

-- The parameters a view cannot take as arguments, in one row. To change
-- one, edit it here and load the file again (or DROP TABLE analytics_params
-- and CREATE VIEW it with the new value: the other views read it at query
-- time). lookback_s is attribute's --lookback, bucket_s rollup's --bucket
-- (a divisor of 86400 or a multiple of it keeps buckets on day
-- boundaries), conversion_events the dictionary's "conversions".
CREATE VIEW analytics_params AS
SELECT
    toUInt64(2592000) AS lookback_s,
    toUInt64(86400) AS bucket_s,
    ['signup'] AS conversion_events;

-- What the claims are computed from, per anonymous id carried by a
-- conversion: ca, the conversions carrying it (place, member, event id,
-- time, time_ms), by place; ap, its page views without a member id (place),
-- by place; cands, for each member converting with it, the member's own
-- activity (times in ms): its conversions and page views, and the page
-- views without a member id of the ids it claimed first, after that claim;
-- lb, the lookback in ms.
CREATE VIEW analytics_claim_inputs AS
SELECT anonymous_id, ca, ap, cands,
    toInt64((SELECT lookback_s FROM analytics_params) * 1000) AS lb
FROM (
    SELECT
        anonymous_id,
        arraySort(groupArrayIf((t_ms, file, line, member_id, event_id,
            time, time_ms), is_conv)) AS ca,
        arraySort(groupArrayIf((t_ms, file, line), NOT is_conv)) AS ap
    FROM (
        SELECT anonymous_id, toUInt64(time) * 1000 + time_ms AS t_ms,
            file, line, member_id, event_id, time, time_ms,
            has((SELECT conversion_events FROM analytics_params), event)
                AND member_id != '' AS is_conv
        FROM (
            SELECT anonymous_id, time, time_ms, file, line, member_id,
                event_id, event
            FROM events FINAL
            WHERE anonymous_id != ''
        )
        WHERE is_conv OR (event = 'pageview' AND member_id = '')
    )
    GROUP BY anonymous_id
    HAVING length(ca) > 0
)
ALL INNER JOIN (
    SELECT anonymous_id, groupArray((member_id, own)) AS cands
    FROM (
        SELECT DISTINCT anonymous_id, member_id
        FROM (
            SELECT anonymous_id, member_id, event
            FROM events FINAL
            WHERE anonymous_id != '' AND member_id != ''
        )
        WHERE has((SELECT conversion_events FROM analytics_params), event)
    )
    ALL INNER JOIN (
        SELECT member_id, groupArray(t) AS own
        FROM (
            SELECT member_id, toUInt64(time) * 1000 + time_ms AS t
            FROM (
                SELECT member_id, time, time_ms, event
                FROM events FINAL
                WHERE member_id != ''
            )
            WHERE event = 'pageview'
                OR has((SELECT conversion_events FROM analytics_params), event)
            UNION ALL
            SELECT member_id, t
            FROM (
                SELECT member_id, t, place, first_place
                FROM (
                    SELECT anonymous_id, toUInt64(time) * 1000 + time_ms AS t,
                        (t, file, line) AS place
                    FROM events FINAL
                    WHERE event = 'pageview' AND member_id = ''
                        AND anonymous_id != ''
                )
                ALL INNER JOIN (
                    SELECT anonymous_id, argMin(member_id, cp) AS member_id,
                        argMin(cp, cp) AS first_place
                    FROM (
                        SELECT anonymous_id, member_id,
                            (toUInt64(time) * 1000 + time_ms, file, line) AS cp
                        FROM (
                            SELECT anonymous_id, member_id, time, time_ms,
                                file, line, event
                            FROM events FINAL
                            WHERE member_id != '' AND anonymous_id != ''
                        )
                        WHERE has((SELECT conversion_events
                            FROM analytics_params), event)
                    )
                    GROUP BY anonymous_id
                ) USING anonymous_id
            )
            WHERE place > first_place
        )
        GROUP BY member_id
    ) USING member_id
    GROUP BY anonymous_id
) USING anonymous_id;

-- The claims of anonymous ids. A conversion carrying an anonymous id
-- claims it when no one holds it: its member then holds it while the
-- member stays active, that is until the first gap of more than the
-- lookback in the member's activity from the claim on (see
-- analytics_claim_inputs, and the id's own page views after the claim).
-- After that the id is free again, and the next conversion carrying it,
-- more than the lookback after the holder's last activity, claims it. One
-- row per claim; an id claimed more than three times has its first three
-- here (the chain is unrolled: 18.16 has no loop over an array). Claim
-- k + 1 comes from claim k in four levels (n: the claiming conversion, own:
-- its member's activity, s: that activity from the claim on with the id's
-- page views, in order, g and e: the first gap over the lookback and the
-- last activity before it), each its own SELECT so that no alias is
-- expanded into another too many times (18.16 refuses an AST that big).
CREATE VIEW analytics_persons AS
SELECT
    anonymous_id, claim.4 AS member_id, claim.5 AS claim_event_id,
    claim.6 AS claim_time, claim.7 AS claim_time_ms, claim.1 AS claim_t_ms,
    claim.2 AS claim_file, claim.3 AS claim_line,
    claim.8 AS last_active_t_ms,
    claim.8 + (SELECT lookback_s FROM analytics_params) * 1000 AS held_until_t_ms
FROM (
SELECT
    anonymous_id,
    arrayJoin(arrayFilter(x -> x.5 != '', [
        (n1.1, n1.2, n1.3, n1.4, n1.5, n1.6, n1.7, e1),
        (n2.1, n2.2, n2.3, n2.4, n2.5, n2.6, n2.7, e2),
        (n3.1, n3.2, n3.3, n3.4, n3.5, n3.6, n3.7, e3)])) AS claim
FROM (
SELECT *,
    arrayFirstIndex((g, l) -> g > l,
        arrayMap((x, y) -> toInt64(y) - toInt64(x), arrayPopBack(s3),
            arrayPopFront(s3)),
        replicate(lb, arrayPopBack(s3))) AS g3,
    if(g3 = 0, s3[-1], s3[g3]) AS e3
FROM (
SELECT *, arrayConcat([n3.1], arraySort(arrayConcat(
    arrayFilter((t, c0) -> t >= c0, own3, replicate(n3.1, own3)),
    arrayMap(q -> q.1, arrayFilter((q, cp) -> q > cp, ap,
        replicate((n3.1, n3.2, n3.3), ap)))))) AS s3
FROM (
SELECT *, arrayFirst((x, mm) -> x.1 = mm, cands,
    replicate(n3.4, cands)).2 AS own3
FROM (
SELECT *, arrayFirst((x, af, l, ok) -> ok AND toInt64(x.1) - af > l, ca,
    replicate(toInt64(e2), ca), replicate(lb, ca),
    replicate(n2.5 != '', ca)) AS n3
FROM (
SELECT *,
    arrayFirstIndex((g, l) -> g > l,
        arrayMap((x, y) -> toInt64(y) - toInt64(x), arrayPopBack(s2),
            arrayPopFront(s2)),
        replicate(lb, arrayPopBack(s2))) AS g2,
    if(g2 = 0, s2[-1], s2[g2]) AS e2
FROM (
SELECT *, arrayConcat([n2.1], arraySort(arrayConcat(
    arrayFilter((t, c0) -> t >= c0, own2, replicate(n2.1, own2)),
    arrayMap(q -> q.1, arrayFilter((q, cp) -> q > cp, ap,
        replicate((n2.1, n2.2, n2.3), ap)))))) AS s2
FROM (
SELECT *, arrayFirst((x, mm) -> x.1 = mm, cands,
    replicate(n2.4, cands)).2 AS own2
FROM (
SELECT *, arrayFirst((x, af, l, ok) -> ok AND toInt64(x.1) - af > l, ca,
    replicate(toInt64(e1), ca), replicate(lb, ca),
    replicate(n1.5 != '', ca)) AS n2
FROM (
SELECT *,
    arrayFirstIndex((g, l) -> g > l,
        arrayMap((x, y) -> toInt64(y) - toInt64(x), arrayPopBack(s1),
            arrayPopFront(s1)),
        replicate(lb, arrayPopBack(s1))) AS g1,
    if(g1 = 0, s1[-1], s1[g1]) AS e1
FROM (
SELECT *, arrayConcat([n1.1], arraySort(arrayConcat(
    arrayFilter((t, c0) -> t >= c0, own1, replicate(n1.1, own1)),
    arrayMap(q -> q.1, arrayFilter((q, cp) -> q > cp, ap,
        replicate((n1.1, n1.2, n1.3), ap)))))) AS s1
FROM (
SELECT *, arrayFirst((x, mm) -> x.1 = mm, cands,
    replicate(n1.4, cands)).2 AS own1
FROM (
SELECT *, ca[1] AS n1
FROM (
SELECT anonymous_id, ca, ap, cands, lb FROM analytics_claim_inputs
)
)
)
)
)
)
)
)
)
)
)
)
)
);

-- Every event once (events FINAL), with its place in milliseconds and its
-- person: the member id; else the member holding the anonymous id then
-- (claimed before the event, within the lookback of the holder's last
-- activity); else the anonymous id itself. adopted_by: for a page view of
-- an anonymous id held by no one, the conversion that claims the id next
-- (its window takes the page view), '' for none.
CREATE VIEW analytics_events AS
SELECT
    event_id, event, time, time_ms, t_ms, file, line, member_id,
    anonymous_id, session_id, experiment_group, url, referrer, utm_source,
    utm_medium, utm_campaign, properties,
    multiIf(member_id != '', member_id, holder.5 != '', holder.5,
        anonymous_id) AS person,
    if(member_id = '' AND holder.5 = '', next_claim.6, '') AS adopted_by,
    if(member_id = '' AND holder.5 = '', next_claim.5, '') AS adopter,
    has((SELECT conversion_events FROM analytics_params), event)
        AND member_id != '' AS is_conversion
FROM (
    SELECT
        event_id, event, time, time_ms, t_ms, file, line, member_id,
        anonymous_id, session_id, experiment_group, url, referrer,
        utm_source, utm_medium, utm_campaign, properties,
        -- the claim holding the id at the event, and the next claim after it
        arrayFirst((x, p, l) -> (x.1, x.2, x.3) < p
            AND toInt64(p.1) - toInt64(x.4) <= l, claims,
            replicate((t_ms, file, line), claims),
            replicate(toInt64((SELECT lookback_s FROM analytics_params) * 1000),
                claims)) AS holder,
        arrayFirst((x, p) -> (x.1, x.2, x.3) > p, claims,
            replicate((t_ms, file, line), claims)) AS next_claim
    FROM (
        SELECT
            event_id, event, time, time_ms, t_ms, file, line, member_id,
            anonymous_id, session_id, experiment_group, url, referrer,
            utm_source, utm_medium, utm_campaign, properties, claims
        FROM (
            SELECT *, toUInt64(time) * 1000 + time_ms AS t_ms
            FROM events FINAL
        )
        ALL LEFT JOIN (
            SELECT anonymous_id,
                arraySort(groupArray((claim_t_ms, claim_file, claim_line,
                    last_active_t_ms, member_id, claim_event_id))) AS claims
            FROM analytics_persons
            GROUP BY anonymous_id
        ) USING anonymous_id
    )
);

-- Every page view with its own source, campaign and medium. A host is
-- what the contract's expression captures, lower-cased (ASCII letters).
CREATE VIEW analytics_touches AS
SELECT
    event_id, time, time_ms, t_ms, file, line, person, adopted_by, adopter,
    member_id, anonymous_id, session_id, url, referrer,
    toDateTime(intDiv(toUInt64(time), (SELECT bucket_s FROM analytics_params))
        * (SELECT bucket_s FROM analytics_params)) AS bucket,
    lower(extract(url, '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#:@]*)')) AS page_host,
    lower(extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#:@]*)')) AS referrer_host,
    multiIf(utm_source != '', utm_source,
        referrer != '' AND referrer_host != '' AND referrer_host != page_host,
        referrer_host, 'direct') AS source,
    utm_campaign AS campaign,
    utm_medium AS medium,
    source != 'direct' OR campaign != '' AS is_touch
FROM analytics_events
WHERE event = 'pageview';

-- Every conversion with its window: the person's page views after the
-- person's previous conversion, before this one, at most lookback_s
-- earlier (and, for a conversion that claims its anonymous id, the id's
-- page views no one held, since the id's previous claim). first and last:
-- the window's first and last touch, else (direct visits only) its first
-- and last page view, else NULL.
CREATE VIEW analytics_conversions AS
SELECT
    event_id, event, member_id, anonymous_id, time, time_ms, t_ms, file,
    line, bucket, pages_before, attributed,
    first_event_id, first_time, first_time_ms, first_source, first_campaign,
    first_medium, last_event_id, last_time, last_time_ms, last_source,
    last_campaign, last_medium, time_to_convert_ms
FROM (
SELECT
    c.4 AS event_id, c.5 AS event, person AS member_id, c.6 AS anonymous_id,
    c.7 AS time, c.8 AS time_ms, c.1 AS t_ms, c.2 AS file, c.3 AS line,
    toDateTime(intDiv(toUInt64(c.7), (SELECT bucket_s FROM analytics_params))
        * (SELECT bucket_s FROM analytics_params)) AS bucket,
    (c.1, c.2, c.3) AS place,
    -- The previous conversion's place, (0, '', 0) when there is none. The
    -- lambdas take every outer value as an argument (replicate) rather
    -- than naming it: 18.16 loses track of a column only a lambda names.
    arrayReverseSort(arrayFilter((x, cp) -> x < cp,
        arrayMap(y -> (y.1, y.2, y.3), convs),
        replicate(place, convs)))[1] AS prev,
    arrayFilter((p, pr, cp, lb, ev) -> (p.1, p.2, p.3) > pr
        AND (p.1, p.2, p.3) < cp AND cp.1 - p.1 <= lb
        AND (p.11 = '' OR p.11 = ev),
        pages, replicate(prev, pages), replicate(place, pages),
        replicate((SELECT lookback_s FROM analytics_params) * 1000, pages),
        replicate(c.4, pages))
        AS window,
    arraySort(if(arrayExists(p -> p.9, window),
        arrayFilter(p -> p.9, window), window)) AS chosen,
    length(window) AS pages_before,
    length(chosen) > 0 AS attributed,
    if(attributed, chosen[1].4, NULL) AS first_event_id,
    if(attributed, chosen[1].5, NULL) AS first_time,
    if(attributed, chosen[1].10, NULL) AS first_time_ms,
    if(attributed, chosen[1].6, NULL) AS first_source,
    if(attributed, chosen[1].7, NULL) AS first_campaign,
    if(attributed, chosen[1].8, NULL) AS first_medium,
    if(attributed, chosen[-1].4, NULL) AS last_event_id,
    if(attributed, chosen[-1].5, NULL) AS last_time,
    if(attributed, chosen[-1].10, NULL) AS last_time_ms,
    if(attributed, chosen[-1].6, NULL) AS last_source,
    if(attributed, chosen[-1].7, NULL) AS last_campaign,
    if(attributed, chosen[-1].8, NULL) AS last_medium,
    if(attributed, toInt64(c.1) - toInt64(chosen[1].1), NULL) AS time_to_convert_ms
FROM (
    SELECT person, arrayJoin(convs) AS c, convs, pages
    FROM (
        SELECT
            person,
            groupArrayIf((t_ms, file, line, event_id, event, anonymous_id,
                time, time_ms), is_conversion) AS convs,
            groupArrayIf((t_ms, file, line, event_id, time, source,
                campaign, medium, is_touch, time_ms, adopted_by),
                event = 'pageview') AS pages
        FROM (
            SELECT t_ms, file, line, event_id, event, anonymous_id, time,
                time_ms, person, is_conversion, '' AS source, '' AS campaign,
                '' AS medium, 0 AS is_touch, '' AS adopted_by
            FROM analytics_events WHERE is_conversion
            UNION ALL
            SELECT t_ms, file, line, event_id, 'pageview' AS event,
                anonymous_id, time, time_ms, person, 0 AS is_conversion,
                source, campaign, medium, is_touch, '' AS adopted_by
            FROM analytics_touches
            UNION ALL
            -- a page view of an id no one held, under the member whose
            -- conversion claims the id next: that conversion's only
            SELECT t_ms, file, line, event_id, 'pageview' AS event,
                anonymous_id, time, time_ms, adopter AS person,
                0 AS is_conversion, source, campaign, medium, is_touch,
                adopted_by
            FROM analytics_touches
            WHERE adopted_by != ''
        )
        GROUP BY person
        HAVING length(convs) > 0
    )
)
);

-- Every page view after a conversion of its person, before the person's
-- next conversion and at most lookback_s after it, with that conversion's
-- first and last touch ('(none)' and '' when it has none): what rollup
-- counts as pages after conversion.
CREATE VIEW analytics_pages_after AS
SELECT
    event_id, time, time_ms, t_ms, file, line, person, bucket,
    conv.4 AS conversion_event_id,
    conv.5 AS first_source, conv.6 AS first_campaign,
    conv.7 AS last_source, conv.8 AS last_campaign
FROM (
    SELECT
        event_id, time, time_ms, t_ms, file, line, person, bucket,
        -- the person's last conversion before the page view
        arrayReverseSort(arrayFilter((x, pp) -> (x.1, x.2, x.3) < pp,
            convs, replicate((t_ms, file, line), convs)))[1] AS conv
    FROM (
        SELECT event_id, time, time_ms, t_ms, file, line, person, bucket, convs
        FROM analytics_touches
        ALL INNER JOIN (
            SELECT
                member_id AS person,
                groupArray((t_ms, file, line, event_id,
                    ifNull(first_source, '(none)'), ifNull(first_campaign, ''),
                    ifNull(last_source, '(none)'), ifNull(last_campaign, ''))) AS convs
            FROM analytics_conversions
            GROUP BY member_id
        ) USING person
    )
)
WHERE conversion_event_id != ''
    AND t_ms - conv.1 <= (SELECT lookback_s FROM analytics_params) * 1000;

-- rollup's rows computed from the events: per model ('first', 'last'),
-- bucket, source and campaign. Sign-ups are counted among the conversions
-- (a sign-up without a member id is not one, and is not counted).
CREATE VIEW analytics_rollup AS
SELECT
    model, bucket, source, campaign,
    sum(n_views) AS views,
    sum(n_signups) AS signups,
    sum(n_conversions) AS conversions,
    sum(n_ttc) AS ttc_count,
    sum(ttc) AS ttc_sum_ms,
    minIf(ttc, n_ttc = 1) AS ttc_min_ms,
    maxIf(ttc, n_ttc = 1) AS ttc_max_ms,
    sum(n_before) AS pages_before,
    sum(n_after) AS pages_after
FROM (
    SELECT
        arrayJoin(['first', 'last']) AS model, bucket, source, campaign,
        toUInt64(1) AS n_views, toUInt64(0) AS n_signups,
        toUInt64(0) AS n_conversions, toUInt64(0) AS n_ttc,
        toUInt64(0) AS ttc, toUInt64(0) AS n_before, toUInt64(0) AS n_after
    FROM analytics_touches
    UNION ALL
    SELECT
        arrayJoin(['first', 'last']) AS model, bucket,
        if(model = 'first', ifNull(first_source, '(none)'),
            ifNull(last_source, '(none)')) AS source,
        if(model = 'first', ifNull(first_campaign, ''),
            ifNull(last_campaign, '')) AS campaign,
        toUInt64(0) AS n_views, toUInt64(event = 'signup') AS n_signups,
        toUInt64(1) AS n_conversions, toUInt64(attributed) AS n_ttc,
        toUInt64(ifNull(time_to_convert_ms, 0)) AS ttc,
        toUInt64(pages_before) AS n_before, toUInt64(0) AS n_after
    FROM analytics_conversions
    UNION ALL
    SELECT
        arrayJoin(['first', 'last']) AS model, bucket,
        if(model = 'first', first_source, last_source) AS source,
        if(model = 'first', first_campaign, last_campaign) AS campaign,
        toUInt64(0) AS n_views, toUInt64(0) AS n_signups,
        toUInt64(0) AS n_conversions, toUInt64(0) AS n_ttc,
        toUInt64(0) AS ttc, toUInt64(0) AS n_before, toUInt64(1) AS n_after
    FROM analytics_pages_after
)
GROUP BY model, bucket, source, campaign
ORDER BY model, bucket, source, campaign;

-- The totals of rollup's partials in the warehouse: the sums over the
-- batches of rollup_partials FINAL (a batch loaded twice counts once).
-- Averages are exact: a sum over a count, NULL when the count is 0.
CREATE VIEW analytics_rollup_totals AS
SELECT
    model, bucket, source, campaign,
    s_views AS views, s_signups AS signups, s_conversions AS conversions,
    s_ttc_count AS ttc_count, s_ttc_sum AS ttc_sum_ms,
    s_ttc_min AS ttc_min_ms, s_ttc_max AS ttc_max_ms,
    s_before AS pages_before, s_after AS pages_after,
    if(s_ttc_count > 0, s_ttc_sum / s_ttc_count, NULL) AS ttc_avg_ms,
    if(s_conversions > 0, s_before / s_conversions, NULL) AS pages_before_avg,
    n_batches AS batches
FROM (
    SELECT
        model, bucket, source, campaign,
        sum(views) AS s_views, sum(signups) AS s_signups,
        sum(conversions) AS s_conversions, sum(ttc_count) AS s_ttc_count,
        sum(ttc_sum_ms) AS s_ttc_sum,
        minIf(ttc_min_ms, ttc_count > 0) AS s_ttc_min,
        maxIf(ttc_max_ms, ttc_count > 0) AS s_ttc_max,
        sum(pages_before) AS s_before, sum(pages_after) AS s_after,
        uniqExact(batch_id) AS n_batches
    FROM rollup_partials FINAL
    GROUP BY model, bucket, source, campaign
)
ORDER BY model, bucket, source, campaign;

-- Cost per sign-up: the totals beside the costs table (costs.sql) by
-- bucket, source and campaign, as rollup --merge --costs gives them: a
-- cost's bucket (a date is its midnight) is matched exactly; a cost whose
-- key has no counts is a row of its own (counts 0) under both models.
CREATE VIEW analytics_roi AS
SELECT
    model, bucket, source, campaign,
    sum(n_views) AS views, sum(n_signups) AS signups,
    sum(n_conversions) AS conversions,
    sum(n_ttc_count) AS ttc_count, sum(n_ttc_sum) AS ttc_sum_ms,
    if(ttc_count > 0, ttc_sum_ms / ttc_count, NULL) AS ttc_avg_ms,
    sum(n_cost) AS cost,
    if(signups > 0, cost / signups, NULL) AS cost_per_signup
FROM (
    SELECT
        model, bucket, source, campaign, views AS n_views,
        signups AS n_signups, conversions AS n_conversions,
        ttc_count AS n_ttc_count, ttc_sum_ms AS n_ttc_sum,
        toFloat64(0) AS n_cost
    FROM analytics_rollup_totals
    UNION ALL
    SELECT
        arrayJoin(['first', 'last']) AS model,
        toDateTime(parseDateTimeBestEffort(b)) AS bucket,
        s AS source, c AS campaign, toUInt64(0) AS n_views,
        toUInt64(0) AS n_signups, toUInt64(0) AS n_conversions,
        toUInt64(0) AS n_ttc_count, toUInt64(0) AS n_ttc_sum, v AS n_cost
    FROM (
        SELECT bucket AS b, source AS s, campaign AS c, cost AS v
        FROM costs FINAL
    )
)
GROUP BY model, bucket, source, campaign
ORDER BY model, bucket, source, campaign;
