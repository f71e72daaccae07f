-- The events horizon: readers of the outbox (GET /v1/events, the webhook fan-out) see an event once its `xid` is
-- below the oldest transaction that is still running *in this database*, instead of below the snapshot's xmin.
--
-- Why: xmin is cluster-wide. A writing transaction held open in any other database of the cluster (another
-- application, a migration, a batch job, a second test run) held back every event for as long as it ran, though it
-- can never write one of ours (test/api/events.test.ts holds one open in the `postgres` database). The rule readers
-- rely on is unchanged: every transaction of this database below the horizon has ended, so an event that commits
-- late never lands behind a cursor already handed out.
--
-- How: the running transactions are the current snapshot's (consistent, taken under PostgreSQL's lock); those that
-- pg_stat_activity or pg_prepared_xacts show in another database are left out. xids are unique, so an xid seen in
-- another database is never one of ours, whenever it was seen; one not seen there (a backend pg_stat_activity does
-- not list, a transaction that just began) is counted as ours: the horizon can only be too low, never too high.
-- backend_xid is the 32-bit xid, matched to the low 32 bits of the snapshot's 64-bit ones (running xids span less
-- than 2^31). pg_stat_activity shows backend_xid to every role, so no privilege is needed. It costs about 30 µs (it
-- reads pg_stat_activity): readers call it as `(SELECT fundflow_events_horizon())`, once per statement, never per row.
CREATE FUNCTION fundflow_events_horizon() RETURNS BIGINT AS $$
    SELECT coalesce(
        (SELECT min(running::text::bigint)
           FROM pg_snapshot_xip(snapshot) AS running
          WHERE running::text::bigint % 4294967296 NOT IN (
                SELECT backend_xid::text::bigint FROM pg_stat_activity
                 WHERE backend_xid IS NOT NULL AND datid IS NOT NULL AND datname <> current_database()
                UNION ALL
                SELECT transaction::text::bigint FROM pg_prepared_xacts WHERE database <> current_database())),
        pg_snapshot_xmax(snapshot)::text::bigint)
      FROM pg_current_snapshot() AS snapshot
$$ LANGUAGE sql STABLE;

-- A new endpoint's cursor starts at the same horizon: it gets the events of transactions still running at its
-- creation and after, none from before.
ALTER TABLE "webhook_endpoints" ALTER COLUMN "cursor_xid" SET DEFAULT fundflow_events_horizon();
