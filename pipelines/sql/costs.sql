-- Costs (ClickHouse 18.16 or later): what a source and campaign cost in a
-- bucket, loaded from rollup's costs CSV (bucket,source,campaign,cost;
-- bucket a date or a date-time) with
--   INSERT INTO costs FORMAT CSVWithNames
-- (18.16 skips the header and takes the columns in this order). The
-- bucket stays as written; analytics_roi (analytics.sql) reads it as the
-- bucket it falls in. ReplacingMergeTree on the whole key: the same file
-- loaded again replaces its rows, a key given twice keeps one cost. Read
-- with FINAL.
CREATE TABLE IF NOT EXISTS costs (
    bucket String,
    source String,
    campaign String,
    cost Float64
) ENGINE = ReplacingMergeTree()
ORDER BY (bucket, source, campaign);
