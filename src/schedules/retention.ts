import {
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleHandle,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import type { Config } from '../config.js';
import { ensureSchedule } from './ensure.js';
import { searchAttributes } from '../../workflows/definitions.js';
import type { retentionWorkflow } from '../../workflows/retention.js';

// The Temporal Schedule behind the retention purge (workflows/retention.ts). The worker ensures it at start, as it
// does the weekly summary's: created the first time, brought up to date with the configuration afterwards
// (cron, retentions, batch size), never duplicated. Operators pause, resume or trigger it in the Temporal UI.

export const retentionScheduleId = 'retention';

const note =
  'Purges idempotency keys, handled Circle notifications, expired rate limit buckets, finished webhook deliveries and ' +
  'events past their retention (IDEMPOTENCY_KEY_RETENTION_HOURS, CIRCLE_NOTIFICATION_RETENTION_HOURS, ' +
  'EVENT_RETENTION_HOURS; never an event with a pending delivery), in batches of RETENTION_BATCH_SIZE.';

function specOf(config: Config): ScheduleSpec {
  return { cronExpressions: [config.RETENTION_CRON], timezone: 'UTC' };
}

function actionOf(config: Config, scheduleId: string): ScheduleOptionsStartWorkflowAction<typeof retentionWorkflow> {
  return {
    type: 'startWorkflow',
    workflowType: 'retentionWorkflow',
    // The server appends the action's time to it: retention-run-2026-12-02T10:17:00Z.
    workflowId: `${scheduleId}-run`,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    args: [
      {
        idempotencyKeyRetentionHours: config.IDEMPOTENCY_KEY_RETENTION_HOURS,
        circleNotificationRetentionHours: config.CIRCLE_NOTIFICATION_RETENTION_HOURS,
        eventRetentionHours: config.EVENT_RETENTION_HOURS,
        batchSize: config.RETENTION_BATCH_SIZE,
      },
    ],
    typedSearchAttributes: [{ key: searchAttributes.kind, value: 'maintenance' }],
  };
}

const policies = {
  // A purge still running when the next one is due is left to finish alone; the next hour catches up.
  overlap: ScheduleOverlapPolicy.SKIP,
  catchupWindow: '1 hour',
  pauseOnFailure: false,
};

/**
 * Creates the schedule, or brings its spec, action and policies up to date (src/schedules/ensure.ts). `scheduleId`
 * is for tests that share one Temporal server with real workers.
 */
export function ensureRetentionSchedule(
  client: Client,
  config: Config,
  { scheduleId = retentionScheduleId }: { scheduleId?: string } = {},
): Promise<ScheduleHandle> {
  return ensureSchedule<typeof retentionWorkflow>(client, {
    scheduleId,
    spec: specOf(config),
    action: actionOf(config, scheduleId),
    policies,
    note,
  });
}
