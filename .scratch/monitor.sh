#!/usr/bin/env bash
# samples writing transactions older than 15 s across the cluster
while true; do
  psql -h 127.0.0.1 -U root -d postgres -Atc "SELECT now()::time(0), datname, pid, application_name, state, backend_xid, extract(epoch from now()-xact_start)::int AS age_s, left(regexp_replace(query, '\s+', ' ', 'g'), 160) FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND xact_start < now() - interval '15 seconds' ORDER BY xact_start" 2>&1
  psql -h 127.0.0.1 -U root -d postgres -Atc "SELECT 'prepared', gid, database, prepared FROM pg_prepared_xacts" 2>&1
  sleep 3
done
