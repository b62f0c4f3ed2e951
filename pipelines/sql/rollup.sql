-- rollup's partial totals (ClickHouse 18.16 or later): one row per (model,
-- bucket, source, campaign, batch_id), written by
-- `rollup | post-quasar --table rollup_partials --layout rows`.
-- The columns are rollup's (analytics/README.md). A batch rolled up and
-- sent again replaces its own rows (ReplacingMergeTree on the whole key,
-- the row inserted last kept);
-- totals are sums over the batches, read with FINAL (see the
-- analytics_rollup view in analytics.sql): no one ever reads a count and
-- writes it back. ttc_min_ms and ttc_max_ms are 0 where ttc_count is 0.
CREATE TABLE IF NOT EXISTS rollup_partials (
    model String,
    bucket DateTime,
    source String,
    campaign String,
    batch_id String,
    views UInt64,
    signups UInt64,
    conversions UInt64,
    ttc_count UInt64,
    ttc_sum_ms UInt64,
    ttc_min_ms UInt64,
    ttc_max_ms UInt64,
    pages_before UInt64,
    pages_after UInt64
) ENGINE = ReplacingMergeTree()
ORDER BY (model, bucket, source, campaign, batch_id);
