import { ApplicationFailure } from '@temporalio/common';
import { continueAsNew, log, proxyActivities } from '@temporalio/workflow';
import type { MaintenanceActivities, PurgeOutcome } from '../activities/maintenance/index.js';
import {
  minimumCircleNotificationRetentionHours,
  minimumEventRetentionHours,
  minimumIdempotencyKeyRetentionHours,
} from '../src/domain/retention.js';

// The retention purge. The schedule `retention` (src/schedules/retention.ts) starts it every hour by default: it
// deletes idempotency keys older than their retention (never younger than 24 hours: a client may repeat a request
// that long and must get the first answer), Circle notifications handled longer ago than theirs, and rate limit
// buckets whose window has ended. Each activity call runs bounded statements for a few seconds; the run calls
// again while rows are left and continues as new after a while, so a large backlog never grows one history.

const { purgeIdempotencyKeys, purgeCircleNotifications, purgeExpiredRateLimits, purgeWebhookDeliveries, purgeEvents } =
  proxyActivities<MaintenanceActivities>({
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
  });

export interface RetentionInput {
  /** IDEMPOTENCY_KEY_RETENTION_HOURS (at least 24). */
  idempotencyKeyRetentionHours: number;
  /** CIRCLE_NOTIFICATION_RETENTION_HOURS (at least 24). */
  circleNotificationRetentionHours: number;
  /**
   * EVENT_RETENTION_HOURS (at least 24): events and finished webhook deliveries. Absent in the input of runs started
   * before it existed: those purge neither, so their histories replay unchanged.
   */
  eventRetentionHours?: number;
  /** RETENTION_BATCH_SIZE: rows one statement deletes at most. */
  batchSize: number;
  /** Carried over continue-as-new: what the earlier runs of this chain did. */
  progress?: RetentionResult;
}

export interface PurgeCount {
  deleted: number;
  batches: number;
}

export interface RetentionResult {
  idempotencyKeys: PurgeCount;
  circleNotifications: PurgeCount;
  rateLimits: PurgeCount;
  /** Present when the run had eventRetentionHours. */
  webhookDeliveries?: PurgeCount;
  events?: PurgeCount;
}

type Target = keyof RetentionResult;
/** Deliveries before events: an event's finished deliveries would go with it anyway, pending ones keep it. */
const targets: readonly Target[] = ['idempotencyKeys', 'circleNotifications', 'rateLimits', 'webhookDeliveries', 'events'];
/** Activity calls per run before it continues as new (each call is up to ~20 s of batches). */
const callsPerRun = 100;

export async function retentionWorkflow(input: RetentionInput): Promise<RetentionResult> {
  if (input.idempotencyKeyRetentionHours < minimumIdempotencyKeyRetentionHours) {
    throw ApplicationFailure.nonRetryable(
      `idempotency keys must be kept at least ${minimumIdempotencyKeyRetentionHours} hours (asked: ${input.idempotencyKeyRetentionHours})`,
      'RetentionTooShort',
    );
  }
  if (input.circleNotificationRetentionHours < minimumCircleNotificationRetentionHours) {
    throw ApplicationFailure.nonRetryable(
      `Circle notifications must be kept at least ${minimumCircleNotificationRetentionHours} hours (asked: ${input.circleNotificationRetentionHours})`,
      'RetentionTooShort',
    );
  }
  const eventRetentionHours = input.eventRetentionHours;
  if (eventRetentionHours !== undefined && eventRetentionHours < minimumEventRetentionHours) {
    throw ApplicationFailure.nonRetryable(
      `events must be kept at least ${minimumEventRetentionHours} hours (asked: ${eventRetentionHours})`,
      'RetentionTooShort',
    );
  }
  const result: RetentionResult = input.progress ?? {
    idempotencyKeys: { deleted: 0, batches: 0 },
    circleNotifications: { deleted: 0, batches: 0 },
    rateLimits: { deleted: 0, batches: 0 },
    ...(eventRetentionHours !== undefined ? { webhookDeliveries: { deleted: 0, batches: 0 }, events: { deleted: 0, batches: 0 } } : {}),
  };
  const purge: Record<Target, () => Promise<PurgeOutcome>> = {
    webhookDeliveries: () => purgeWebhookDeliveries({ retentionHours: eventRetentionHours!, batchSize: input.batchSize }),
    events: () => purgeEvents({ retentionHours: eventRetentionHours!, batchSize: input.batchSize }),
    idempotencyKeys: () => purgeIdempotencyKeys({ retentionHours: input.idempotencyKeyRetentionHours, batchSize: input.batchSize }),
    circleNotifications: () =>
      purgeCircleNotifications({ retentionHours: input.circleNotificationRetentionHours, batchSize: input.batchSize }),
    rateLimits: () => purgeExpiredRateLimits({ batchSize: input.batchSize }),
  };

  let calls = 0;
  // A rerun after continue-as-new starts over from the first target: a target already done costs one statement.
  for (const target of targets) {
    if (eventRetentionHours === undefined && (target === 'webhookDeliveries' || target === 'events')) continue;
    for (let done = false; !done;) {
      if (calls++ >= callsPerRun) return continueAsNew<typeof retentionWorkflow>({ ...input, progress: result });
      const outcome = await purge[target]();
      const sofar = result[target] ?? { deleted: 0, batches: 0 };
      result[target] = { deleted: sofar.deleted + outcome.deleted, batches: sofar.batches + outcome.batches };
      done = outcome.done;
    }
  }
  log.info('retention purge done', { ...result });
  return result;
}
