import type { Db } from '../../src/db/client.js';

// The bounded statements of the retention purge: each deletes at most `limit` rows, picked by the same condition
// it deletes by, and skips rows another transaction holds (a rate limit upsert, an idempotent request in flight)
// so that a purge never waits behind the API. Each answers how many rows it deleted.

/** Idempotency keys created more than `hours` ago. */
export function deleteIdempotencyKeysOlderThan(db: Db, hours: number, limit: number): Promise<number> {
  return db.$executeRaw`
    WITH doomed AS (
      SELECT user_id, key FROM idempotency_keys
      WHERE created_at < now() - make_interval(hours => ${hours}::int)
      LIMIT ${limit}::int FOR UPDATE SKIP LOCKED
    )
    DELETE FROM idempotency_keys k USING doomed d WHERE k.user_id = d.user_id AND k.key = d.key`;
}

/** Circle notifications handled more than `hours` ago. */
export function deleteCircleNotificationsOlderThan(db: Db, hours: number, limit: number): Promise<number> {
  return db.$executeRaw`
    WITH doomed AS (
      SELECT notification_id FROM circle_notifications
      WHERE received_at < now() - make_interval(hours => ${hours}::int)
      LIMIT ${limit}::int FOR UPDATE SKIP LOCKED
    )
    DELETE FROM circle_notifications n USING doomed d WHERE n.notification_id = d.notification_id`;
}

/**
 * Rate limit buckets whose window has ended (expire is epoch ms; NULL never expires). The store resets an expired
 * bucket on its next request anyway, so deleting one changes no count.
 */
export function deleteExpiredRateLimits(db: Db, limit: number): Promise<number> {
  return db.$executeRaw`
    WITH doomed AS (
      SELECT key FROM rate_limits
      WHERE expire < (extract(epoch FROM clock_timestamp()) * 1000)::bigint
      LIMIT ${limit}::int FOR UPDATE SKIP LOCKED
    )
    DELETE FROM rate_limits r USING doomed d WHERE r.key = d.key`;
}
