-- The events table (ClickHouse 18.16 or later): one row per event, page
-- views included, written by `post-quasar --table events --layout events`
-- (which sends this statement with --create-table). The columns are the
-- dictionary's metadata (analytics/dictionary.json); an absent or null
-- optional value is stored as '' (ClickHouse 18.16's Nullable columns
-- cannot be in a sorting key, and '' never is a valid value of them).
--
-- time, time_ms: the event's time in UTC, whole seconds (18.16's DateTime
--   has no fraction) and the milliseconds (0-999). Order events by
--   (time, time_ms, file, line): the order attribute uses.
-- file, line: the event's place: its _meta.file and _meta.line, else the
--   input post-quasar read it from and the line there.
-- properties: the event's own properties, as compact JSON text.
-- violations: the flagged and omitted violations (_meta.violations) as
--   compact JSON text, '[]' for none.
-- received_at: when it was stored (the run's start, UTC).
--
-- ReplacingMergeTree keyed by event_id: an event sent twice is stored once.
-- Count with FINAL (or after OPTIMIZE TABLE events FINAL).
CREATE TABLE IF NOT EXISTS events (
    event_id String,
    event String,
    time DateTime,
    time_ms UInt16,
    member_id String,
    anonymous_id String,
    session_id String,
    experiment_group String,
    url String,
    referrer String,
    utm_source String,
    utm_medium String,
    utm_campaign String,
    properties String,
    violations String,
    file String,
    line UInt64,
    received_at DateTime
) ENGINE = ReplacingMergeTree(received_at)
ORDER BY event_id;
