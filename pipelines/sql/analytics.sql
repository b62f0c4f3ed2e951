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
DROP TABLE IF EXISTS analytics_roi;
DROP TABLE IF EXISTS analytics_rollup_totals;
DROP TABLE IF EXISTS analytics_rollup;
DROP TABLE IF EXISTS analytics_pages_after;
DROP TABLE IF EXISTS analytics_conversions;
DROP TABLE IF EXISTS analytics_touches;
DROP TABLE IF EXISTS analytics_events;
DROP TABLE IF EXISTS analytics_persons;
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

-- The claim of each anonymous id: the first conversion, by place, that
-- carries both it and a member id.
CREATE VIEW analytics_persons AS
SELECT
    anonymous_id,
    argMin(m, place) AS member_id,
    argMin(e, place) AS claim_event_id,
    argMin(t, place) AS claim_time,
    argMin(ms, place) AS claim_time_ms
FROM (
    SELECT anonymous_id, member_id AS m, event_id AS e, time AS t,
        time_ms AS ms, (toUInt64(time) * 1000 + time_ms, file, line) AS place
    FROM events FINAL
    WHERE has((SELECT conversion_events FROM analytics_params), event)
        AND member_id != '' AND anonymous_id != ''
)
GROUP BY anonymous_id;

-- Every event once (events FINAL), with its place in milliseconds and its
-- person: the member id, else the member who claimed the anonymous id,
-- else the anonymous id.
CREATE VIEW analytics_events AS
SELECT
    event_id, event, time, time_ms,
    toUInt64(time) * 1000 + time_ms AS t_ms,
    file, line, member_id, anonymous_id, session_id, experiment_group,
    url, referrer, utm_source, utm_medium, utm_campaign, properties,
    multiIf(member_id != '', member_id,
        claimed_by != '', claimed_by, anonymous_id) AS person,
    has((SELECT conversion_events FROM analytics_params), event)
        AND member_id != '' AS is_conversion
FROM (SELECT * FROM events FINAL)
ALL LEFT JOIN (
    SELECT anonymous_id, member_id AS claimed_by FROM analytics_persons
) USING anonymous_id;

-- Every page view with its own source, campaign and medium. A host is
-- what the contract's expression captures, lower-cased (ASCII letters).
CREATE VIEW analytics_touches AS
SELECT
    event_id, time, time_ms, t_ms, file, line, person, member_id,
    anonymous_id, session_id, url, referrer,
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
-- earlier. first and last: the window's first and last touch, else (direct
-- visits only) its first and last page view, else NULL.
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
    arrayFilter((p, pr, cp, lb) -> (p.1, p.2, p.3) > pr
        AND (p.1, p.2, p.3) < cp AND cp.1 - p.1 <= lb,
        pages, replicate(prev, pages), replicate(place, pages),
        replicate((SELECT lookback_s FROM analytics_params) * 1000, pages))
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
                campaign, medium, is_touch, time_ms), event = 'pageview') AS pages
        FROM (
            SELECT t_ms, file, line, event_id, event, anonymous_id, time,
                time_ms, person, is_conversion, '' AS source, '' AS campaign,
                '' AS medium, 0 AS is_touch
            FROM analytics_events WHERE is_conversion
            UNION ALL
            SELECT t_ms, file, line, event_id, 'pageview' AS event,
                anonymous_id, time, time_ms, person, 0 AS is_conversion,
                source, campaign, medium, is_touch
            FROM analytics_touches
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
-- bucket, source and campaign. A sign-up that is not an attributed
-- conversion (no member id) counts under '(none)', ''.
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
        arrayJoin(['first', 'last']) AS model,
        toDateTime(intDiv(toUInt64(time), (SELECT bucket_s FROM analytics_params))
            * (SELECT bucket_s FROM analytics_params)) AS bucket,
        '(none)' AS source, '' AS campaign,
        toUInt64(0) AS n_views, toUInt64(1) AS n_signups,
        toUInt64(0) AS n_conversions, toUInt64(0) AS n_ttc,
        toUInt64(0) AS ttc, toUInt64(0) AS n_before, toUInt64(0) AS n_after
    FROM analytics_events
    WHERE event = 'signup' AND NOT is_conversion
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
-- bucket, source and campaign. A cost's bucket (a date or a date-time) is
-- the bucket it falls in; a key given under two spellings is summed.
CREATE VIEW analytics_roi AS
SELECT
    model, bucket, source, campaign, views, signups, conversions,
    ttc_avg_ms, cost,
    if(signups > 0, cost / signups, NULL) AS cost_per_signup
FROM analytics_rollup_totals
ALL LEFT JOIN (
    SELECT b AS bucket, s AS source, c AS campaign, sum(v) AS cost
    FROM (
        SELECT
            toDateTime(intDiv(toUInt64(parseDateTimeBestEffort(bucket)),
                (SELECT bucket_s FROM analytics_params))
                * (SELECT bucket_s FROM analytics_params)) AS b,
            source AS s, campaign AS c, cost AS v
        FROM costs FINAL
    )
    GROUP BY b, s, c
) USING (bucket, source, campaign)
ORDER BY model, bucket, source, campaign;
