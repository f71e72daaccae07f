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

/**
 * Webhook deliveries (their attempts go with them) done — delivered or failed — and neither created nor last tried
 * within `hours`. A pending delivery is never purged, and a replay makes one pending again.
 */
export function deleteWebhookDeliveriesOlderThan(db: Db, hours: number, limit: number): Promise<number> {
  return db.$executeRaw`
    WITH doomed AS (
      SELECT id FROM webhook_deliveries
      WHERE status <> 'pending'
        AND COALESCE(last_attempt_at, created_at) < now() - make_interval(hours => ${hours}::int)
        AND created_at < now() - make_interval(hours => ${hours}::int)
      LIMIT ${limit}::int FOR UPDATE SKIP LOCKED
    )
    DELETE FROM webhook_deliveries w USING doomed d WHERE w.id = d.id`;
}

/**
 * Events created more than `hours` ago, except: one with a delivery still pending; one an enabled endpoint's
 * fan-out has not reached yet (its cursor is behind it); and the newest event of its resource, so that the
 * resource's next event continues its `sequence` instead of starting again at 1. A purged event's delivered or
 * failed deliveries go with it (ON DELETE CASCADE).
 */
export function deleteEventsOlderThan(db: Db, hours: number, limit: number): Promise<number> {
  return db.$executeRaw`
    WITH doomed AS (
      SELECT e.id FROM events e
      WHERE e.created_at < now() - make_interval(hours => ${hours}::int)
        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'pending')
        AND NOT EXISTS (
          SELECT 1 FROM webhook_endpoints w WHERE w.enabled AND (e.xid, e.position) > (w.cursor_xid, w.cursor_position))
        AND EXISTS (
          SELECT 1 FROM events later
          WHERE later.resource_type = e.resource_type AND later.resource_id = e.resource_id AND later.sequence > e.sequence)
      LIMIT ${limit}::int FOR UPDATE OF e SKIP LOCKED
    )
    DELETE FROM events ev USING doomed d WHERE ev.id = d.id`;
}
