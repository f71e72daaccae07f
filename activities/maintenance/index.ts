import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  minimumCircleNotificationRetentionHours,
  minimumEventRetentionHours,
  minimumIdempotencyKeyRetentionHours,
} from '../../src/domain/retention.js';
import type { ActivityDeps } from '../index.js';
import {
  deleteCircleNotificationsOlderThan,
  deleteEventsOlderThan,
  deleteExpiredRateLimits,
  deleteIdempotencyKeysOlderThan,
  deleteWebhookDeliveriesOlderThan,
} from './purges.js';

// Maintenance of our own tables, run by the retention schedule (workflows/retention.ts). Each activity deletes in
// batches of at most `batchSize` rows, one short statement each, heartbeating between them, for at most
// `maxSeconds`; it answers what it deleted and whether rows past retention may be left (the workflow calls again).

export interface PurgeInput {
  batchSize: number;
  /** Time budget of one call; the workflow calls again while rows are left. */
  maxSeconds?: number;
}

export interface PurgeOutcome {
  deleted: number;
  /** Statements run (the last one deleted fewer than batchSize rows when `done`). */
  batches: number;
  done: boolean;
}

const defaultMaxSeconds = 20;

async function inBatches(input: PurgeInput, deleteBatch: (limit: number) => Promise<number>): Promise<PurgeOutcome> {
  const until = Date.now() + (input.maxSeconds ?? defaultMaxSeconds) * 1000;
  let deleted = 0;
  let batches = 0;
  for (;;) {
    const count = await deleteBatch(input.batchSize);
    deleted += count;
    batches++;
    Context.current().heartbeat({ deleted, batches });
    if (count < input.batchSize) return { deleted, batches, done: true };
    if (Date.now() >= until) return { deleted, batches, done: false };
  }
}

function refuseShorterThan(minimumHours: number, hours: number, what: string): void {
  if (!Number.isInteger(hours) || hours < minimumHours) {
    throw ApplicationFailure.nonRetryable(`${what} must be kept at least ${minimumHours} hours (asked: ${hours})`, 'RetentionTooShort');
  }
}

export function createMaintenanceActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    async purgeIdempotencyKeys(input: PurgeInput & { retentionHours: number }): Promise<PurgeOutcome> {
      refuseShorterThan(minimumIdempotencyKeyRetentionHours, input.retentionHours, 'idempotency keys');
      return inBatches(input, (limit) => deleteIdempotencyKeysOlderThan(db, input.retentionHours, limit));
    },

    async purgeCircleNotifications(input: PurgeInput & { retentionHours: number }): Promise<PurgeOutcome> {
      refuseShorterThan(minimumCircleNotificationRetentionHours, input.retentionHours, 'Circle notifications');
      return inBatches(input, (limit) => deleteCircleNotificationsOlderThan(db, input.retentionHours, limit));
    },

    async purgeExpiredRateLimits(input: PurgeInput): Promise<PurgeOutcome> {
      return inBatches(input, (limit) => deleteExpiredRateLimits(db, limit));
    },

    async purgeWebhookDeliveries(input: PurgeInput & { retentionHours: number }): Promise<PurgeOutcome> {
      refuseShorterThan(minimumEventRetentionHours, input.retentionHours, 'webhook deliveries');
      return inBatches(input, (limit) => deleteWebhookDeliveriesOlderThan(db, input.retentionHours, limit));
    },

    async purgeEvents(input: PurgeInput & { retentionHours: number }): Promise<PurgeOutcome> {
      refuseShorterThan(minimumEventRetentionHours, input.retentionHours, 'events');
      return inBatches(input, (limit) => deleteEventsOlderThan(db, input.retentionHours, limit));
    },
  };
}

export type MaintenanceActivities = ReturnType<typeof createMaintenanceActivities>;
