import { ScheduleOverlapPolicy, type Client, type ScheduleHandle } from '@temporalio/client';
import type { Config } from '../config.js';
import { ensureSchedule } from './ensure.js';
import type { ReconciliationInput, reconciliationWorkflow } from '../../workflows/reconcile.js';

// The Temporal Schedule of the reconciliation against the providers (RECONCILE_CRON, hourly by default). The
// worker ensures it at start, as it does the weekly summary schedule: created once, brought up to date with the
// configuration afterwards, its paused state left to the operators.

export const reconcileScheduleId = 'reconciliation';

const note =
  'Reconciliation of the ledger and our rows against Circle and Alpaca. Breaks: GET /v1/admin/reconciliation/breaks. ' +
  'Pause here to stop it; `npm run reconcile` runs the same check by hand.';

function actionOf(config: Config, scheduleId: string) {
  return {
    type: 'startWorkflow' as const,
    workflowType: 'reconciliationWorkflow',
    workflowId: `${scheduleId}-run`,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    args: [{ confirmAfterSeconds: config.RECONCILE_CONFIRM_AFTER_SECONDS }] as [ReconciliationInput],
  };
}

const policies = {
  // A run still reading when the next one is due is left to finish; a missed hour is not worth catching up.
  overlap: ScheduleOverlapPolicy.SKIP,
  catchupWindow: '1 hour',
  pauseOnFailure: false,
};

/**
 * Creates the schedule, or brings its spec, action and policies up to date (src/schedules/ensure.ts). `scheduleId`
 * is for tests that share one Temporal server with real workers.
 */
export function ensureReconcileSchedule(
  client: Client,
  config: Config,
  { scheduleId = reconcileScheduleId }: { scheduleId?: string } = {},
): Promise<ScheduleHandle> {
  const spec = { cronExpressions: [config.RECONCILE_CRON], timezone: 'UTC' };
  return ensureSchedule<typeof reconciliationWorkflow>(client, { scheduleId, spec, action: actionOf(config, scheduleId), policies, note });
}
