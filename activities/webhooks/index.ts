import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Webhook } from 'standardwebhooks';
import type { Config } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import { startDeliveryRun } from '../../src/schedules/webhooks.js';
import { postToReceiver, ReceiverRefusedError } from '../../src/webhooks/receivers.js';
import { webhookSecretOf } from '../../src/webhooks/secrets.js';
import type { DeliveryRetry, DeliveryRunInput } from '../../workflows/webhooks.js';

// The activities of webhook delivery (workflows/webhooks.ts). Fan-out and the choice of the next delivery are SQL
// over the outbox; an attempt signs with the Standard Webhooks library (`standardwebhooks`, by the spec's authors:
// webhook-id = the event id, the same for every attempt and replay, webhook-timestamp, webhook-signature) and logs
// what the receiver answered, whatever it was.

/** Events one fan-out statement reads per endpoint, and statements per endpoint per round. */
const fanOutBatch = 500;
const fanOutBatchesPerRound = 10;
/** Delivery runs one round starts at most (the rest next round). */
const startsPerRound = 200;

export interface WebhookPayload {
  id: string;
  type: string;
  timestamp: string;
  resource: { type: string; id: string; sequence: number };
  userId: string;
  data: unknown;
}

export function createWebhookActivities({
  db,
  config,
}: {
  db: Db;
  config: Pick<Config, 'NODE_ENV' | 'WEBHOOK_ALLOW_PRIVATE_URLS' | 'WEBHOOK_SECRET_KEYS' | 'WEBHOOK_SECRET_KEY_ID'>;
}) {
  /**
   * Appends a deliveries row per new event the endpoint wants and moves its cursor, in one statement. Events are
   * read in (xid, position) order and only from transactions older than every one still running in this database
   * (fundflow_events_horizon), so an event that commits later than its neighbours is never skipped. The endpoint
   * row is locked: two dispatchers never share it.
   */
  async function fanOut(endpointId: string): Promise<number> {
    const [row] = await db.$queryRaw<{ scanned: bigint }[]>`
      WITH ep AS (
        SELECT id, event_types, cursor_xid, cursor_position FROM webhook_endpoints
         WHERE id = ${endpointId}::uuid AND enabled FOR UPDATE SKIP LOCKED
      ), batch AS (
        SELECT ev.id, ev.xid, ev.position, ev.type, ev.resource_type, ev.resource_id, ev.sequence
          FROM events ev, ep
         WHERE (ev.xid, ev.position) > (ep.cursor_xid, ep.cursor_position)
           AND ev.xid < (SELECT fundflow_events_horizon())
         ORDER BY ev.xid, ev.position
         LIMIT ${fanOutBatch}
      ), inserted AS (
        INSERT INTO webhook_deliveries (endpoint_id, event_id, resource_type, resource_id, sequence)
        SELECT ep.id, b.id, b.resource_type, b.resource_id, b.sequence FROM batch b, ep
         WHERE jsonb_array_length(ep.event_types) = 0
            OR jsonb_exists(ep.event_types, b.type)
            OR jsonb_exists(ep.event_types, b.resource_type || '.*')
        ON CONFLICT (endpoint_id, event_id) DO NOTHING
        RETURNING 1
      ), moved AS (
        UPDATE webhook_endpoints w SET cursor_xid = last.xid, cursor_position = last.position
          FROM (SELECT xid, position FROM batch ORDER BY xid DESC, position DESC LIMIT 1) last
         WHERE w.id = (SELECT id FROM ep)
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM batch) AS scanned`;
    return Number(row?.scanned ?? 0);
  }

  return {
    /** One dispatcher round: fan out new events, then start the run of every resource whose next delivery waits. */
    async dispatchWebhookEvents({ retry }: { retry: DeliveryRetry }): Promise<{ scanned: number; started: number }> {
      let scanned = 0;
      const endpoints = await db.webhookEndpoint.findMany({ where: { enabled: true }, select: { id: true } });
      for (const { id } of endpoints) {
        for (let i = 0; i < fanOutBatchesPerRound; i++) {
          const n = await fanOut(id);
          scanned += n;
          if (n < fanOutBatch) break;
        }
      }
      // The head (lowest sequence) of each resource's pending deliveries: never tried, or not tried for longer than
      // a running delivery waits between attempts, means no run is carrying it (a run that ended as a replay or a
      // fan-out came in, a worker that lost it). Starting a run that exists already changes nothing. The starts of
      // a round are shared out among the endpoints, oldest heads first (each endpoint's first, then each one's
      // second, ...): an endpoint with thousands of waiting resources never keeps another's from starting.
      const idleAfterSeconds = retry.maxIntervalSeconds * 2 + retry.attemptTimeoutSeconds + 60;
      const heads = await db.$queryRaw<{ endpoint_id: string; resource_type: string; resource_id: string }[]>`
        SELECT endpoint_id, resource_type, resource_id FROM (
          SELECT head.*, row_number() OVER (PARTITION BY head.endpoint_id ORDER BY head.created_at) AS turn FROM (
            SELECT DISTINCT ON (d.endpoint_id, d.resource_type, d.resource_id)
                   d.endpoint_id, d.resource_type, d.resource_id, d.last_attempt_at, d.created_at
              FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id AND w.enabled
             WHERE d.status = 'pending'
             ORDER BY d.endpoint_id, d.resource_type, d.resource_id, d.sequence
          ) head
          WHERE head.last_attempt_at IS NULL OR head.last_attempt_at < now() - make_interval(secs => ${idleAfterSeconds})
        ) waiting
        ORDER BY turn, created_at
        LIMIT ${startsPerRound}`;
      const { client, info } = Context.current();
      for (const head of heads) {
        await startDeliveryRun(client, info.taskQueue, {
          endpointId: head.endpoint_id,
          resourceType: head.resource_type,
          resourceId: head.resource_id,
          retry,
        });
      }
      return { scanned, started: heads.length };
    },

    /** The resource's next pending delivery in sequence order, or null when none waits or the endpoint is off. */
    async nextWebhookDelivery(input: DeliveryRunInput): Promise<{ deliveryId: string } | null> {
      const next = await db.webhookDelivery.findFirst({
        where: {
          endpointId: input.endpointId,
          resourceType: input.resourceType,
          resourceId: input.resourceId,
          status: 'pending',
          endpoint: { enabled: true },
        },
        orderBy: { sequence: 'asc' },
        select: { id: true },
      });
      return next && { deliveryId: next.id };
    },

    /**
     * One signed POST of the delivery's event. Every attempt is logged (status code, latency, error); a 2xx marks
     * it delivered, anything else throws so that Temporal retries it with backoff.
     */
    async attemptWebhookDelivery({
      deliveryId,
      timeoutSeconds,
    }: {
      deliveryId: string;
      timeoutSeconds: number;
    }): Promise<'delivered' | 'skipped'> {
      const delivery = await db.webhookDelivery.findUnique({ where: { id: deliveryId }, include: { event: true, endpoint: true } });
      // Delivered by an earlier attempt whose completion was lost, deleted with its endpoint, or the endpoint disabled.
      if (!delivery || delivery.status !== 'pending' || !delivery.endpoint.enabled) return 'skipped';
      const { event, endpoint } = delivery;
      const payload: WebhookPayload = {
        id: event.id,
        type: event.type,
        timestamp: event.createdAt.toISOString(),
        resource: { type: event.resourceType, id: event.resourceId, sequence: event.sequence },
        userId: event.userId,
        data: event.data,
      };
      const body = JSON.stringify(payload);
      const now = new Date();
      const started = performance.now();
      let statusCode: number | null = null;
      let error: string | null = null;
      let refused = false;
      try {
        // A secret that does not open (sealed under a key this worker lacks) fails the attempt like a receiver
        // that is down: logged, so the delivery shows it and its run is known to be carrying it, and retried,
        // so deliveries resume once the worker has the key.
        const signature = new Webhook(webhookSecretOf(config, endpoint)).sign(event.id, now, body);
        const headers = {
          'content-type': 'application/json',
          'user-agent': 'fundflow-webhooks/1',
          'webhook-id': event.id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signature,
        };
        // No redirects: a receiver that moved is a failed attempt the operator sees, not a hop somewhere else.
        statusCode = await postToReceiver(config, endpoint.url, { headers, body, timeoutMs: timeoutSeconds * 1000 });
        if (statusCode < 200 || statusCode > 299) error = `receiver answered ${statusCode}`;
      } catch (failure) {
        refused = failure instanceof ReceiverRefusedError;
        error = refused
          ? `refused: ${(failure as Error).message}`
          : failure instanceof Error
            ? `${failure.name}: ${failure.message}`
            : String(failure);
      }
      const latencyMs = Math.round(performance.now() - started);
      const succeeded = error === null;
      await db.$transaction([
        db.webhookDeliveryAttempt.create({ data: { deliveryId, statusCode, latencyMs, error, succeeded } }),
        db.webhookDelivery.updateMany({
          where: { id: deliveryId, status: 'pending' },
          data: {
            attemptCount: { increment: 1 },
            lastAttemptAt: now,
            ...(succeeded ? { status: 'delivered', deliveredAt: new Date() } : {}),
          },
        }),
      ]);
      // An internal address stays one: the delivery fails now (logged, replayable once the URL is fixed).
      if (refused) throw ApplicationFailure.nonRetryable(`webhook delivery ${deliveryId}: ${error}`, 'WebhookReceiverRefused');
      if (!succeeded) throw ApplicationFailure.retryable(`webhook delivery ${deliveryId}: ${error}`, 'WebhookDeliveryFailed');
      return 'delivered';
    },

    /** Retries ran out: the delivery is failed (listed for the operator, who may replay it) and the next one goes. */
    async failWebhookDelivery({ deliveryId }: { deliveryId: string }): Promise<void> {
      await db.webhookDelivery.updateMany({ where: { id: deliveryId, status: 'pending' }, data: { status: 'failed' } });
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
