-- The warehouse as a cluster (ClickHouse 18.16 or later): the Distributed
-- tables over the shards' own. Every server of the cluster "warehouse"
-- (its <remote_servers> entry) first loads events.sql, rollup.sql and
-- costs.sql as they are (the shard's tables, in the database default),
-- then this file, then analytics.sql in the database dist (the views read
-- the Distributed tables: `clickhouse-client --database dist --multiquery
-- < analytics.sql`). Any server is then an entry point: point QUASAR_URL
-- at one with ?database=dist&insert_distributed_sync=1 and the imports
-- write the whole cluster (pipelines/sql/README.md, "A cluster").
--
-- The sharding key of each table is a hash of its own key, the columns a
-- row is deduplicated by: a row sent twice (a retried batch, a journal
-- read twice, a batch of partials sent again) lands on the shard that has
-- it already, where ReplacingMergeTree collapses it, so that `FINAL` over
-- the Distributed table counts it once. A person's events are not kept
-- together: the views gather them on the server asked (each of their
-- `FROM events FINAL` is a subquery of its own, answered by every shard).
CREATE DATABASE IF NOT EXISTS dist;

CREATE TABLE IF NOT EXISTS dist.events AS default.events
ENGINE = Distributed(warehouse, default, events, cityHash64(event_id));

CREATE TABLE IF NOT EXISTS dist.rollup_partials AS default.rollup_partials
ENGINE = Distributed(warehouse, default, rollup_partials,
    cityHash64(model, bucket, source, campaign, batch_id));

CREATE TABLE IF NOT EXISTS dist.costs AS default.costs
ENGINE = Distributed(warehouse, default, costs,
    cityHash64(bucket, source, campaign));

-- A vendor's raw table (post-quasar's own, quasar-raw.sql) the same way:
-- made on each shard by
--   post-quasar --table raw_turbovote --create-table \
--       --url http://SHARD:8123 < /dev/null
-- then, on every server, one statement per vendor like
--   CREATE TABLE IF NOT EXISTS dist.raw_turbovote AS default.raw_turbovote
--   ENGINE = Distributed(warehouse, default, raw_turbovote,
--       cityHash64(source, record_hash))
-- post-quasar --create-table, given dist.raw_turbovote (or raw_turbovote
-- with ?database=dist), checks that every shard's table is keyed by
-- (source, record_hash).
