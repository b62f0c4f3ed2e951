-- Queries on a post-quasar table (pipelines/sql/quasar-raw.sql), for
-- ClickHouse 18.16. Run one with
--   curl -sS --data-binary @- "$QUASAR_URL/" <<< "SELECT ..."

-- Records per import file, each record once (FINAL collapses duplicates
-- that background merges have not removed yet). A record is counted under
-- the file of its copy inserted last: a cumulative export moves every
-- earlier record to the newest file.
SELECT source, file, count() AS records, max(imported_at) AS last_import
FROM raw_turbovote FINAL
GROUP BY source, file
ORDER BY last_import DESC;

-- One record as it was read (the JSON line, byte for byte), found by the
-- provenance of its last copy.
SELECT record FROM raw_turbovote FINAL
WHERE source = 'turbovote' AND file = 'export.csv' AND line = 2
FORMAT TSVRaw;

-- A top-level string field of the records (visitParamExtractString reads
-- the first "key":"value" it meets, so keep to keys that are unique).
SELECT visitParamExtractString(record, 'voter-registration-status') AS status,
       count()
FROM raw_turbovote FINAL
GROUP BY status
ORDER BY count() DESC;

-- Merge duplicates away for good (rewrites the table's parts).
OPTIMIZE TABLE raw_turbovote FINAL;
